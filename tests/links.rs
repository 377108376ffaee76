//! Links to a scenario: a step past the scenario's last is refused naming its real
//! range; lab fields out of range are refused; a link whose lab differs from the
//! scenario's says the steps' texts describe the original and shows what its run holds.

use cqrs_lab::app::guide::{Guide, GuideMsg};
use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::scenarios::library::{Library, Scenario};
use cqrs_lab::scenarios::link::{self, LinkError, Shared};
use cqrs_lab::scenarios::run::Run;
use cqrs_lab::scenarios::views::run_facts;

fn library() -> Library {
    Library::parse(include_str!("../static/scenarios.json")).expect("the shipped library checks")
}

fn scenario(id: &str) -> Scenario {
    library().scenario(id).cloned().expect("scenario exists")
}

fn opened(shared: &Shared) -> Guide {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    guide.update(GuideMsg::OpenedLink(link::encode(shared)));
    guide
}

#[test]
fn a_step_past_the_scenarios_last_is_refused_with_its_real_range() {
    let happy = scenario("happy-path");
    let last = happy.steps.len();
    assert!(last < 9, "a scenario shorter than the longest");
    let guide = opened(&Shared::new(
        "happy-path",
        0,
        last as u32 + 1,
        happy.lab_of(0),
    ));
    assert_eq!(
        guide.notice.as_deref(),
        Some(
            format!(
                "This link could not be opened: the link names step {}, but “{}” has steps 0 to {last}. The first scenario is open instead.",
                last + 1,
                happy.title
            )
            .as_str()
        )
    );
    // Its last step opens.
    let guide = opened(&Shared::new("happy-path", 0, last as u32, happy.lab_of(0)));
    assert_eq!(guide.notice, None);
    assert_eq!(guide.stage.step, last);
}

#[test]
fn a_step_no_scenario_has_is_refused_when_the_link_is_read() {
    let fragment = link::encode(&Shared::new(
        "happy-path",
        0,
        10,
        scenario("happy-path").lab_of(0),
    ));
    let error = link::decode(&fragment)
        .expect("a lab link")
        .expect_err("refused");
    assert_eq!(error, LinkError::Step(10));
    assert_eq!(
        error.to_string(),
        "the link names step 10; no scenario has more than 9 steps"
    );
}

#[test]
fn a_priority_lane_outside_1_to_1000_in_a_link_is_refused() {
    for lane in [0, 1_001, u32::MAX] {
        let mut lab = scenario("priority-lanes").lab_of(0);
        lab.command_side.priority_lane = Some(lane);
        let fragment = link::encode(&Shared::new("priority-lanes", 0, 1, lab));
        let error = link::decode(&fragment)
            .expect("a lab link")
            .expect_err("refused");
        assert_eq!(
            error.to_string(),
            format!("the link's lab is not valid: commandSide.priorityLane is {lane}, but must be from 1 to 1000")
        );
    }
}

/// Orders by status in a run's store, counted from the events' types (not folded).
fn shipped_and_created(run: &Run) -> (usize, usize) {
    let events = run.sim().store.events();
    let count = |kind: &str| events.iter().filter(|e| e.event_type() == kind).count();
    (count("OrderShipped"), count("OrderCreated"))
}

#[test]
fn a_changed_lab_says_the_step_describes_the_original_and_shows_its_own_run() {
    let happy = scenario("happy-path");
    let last = happy.steps.len();
    assert_eq!(
        happy.steps[last - 1].title,
        "Shipped, and the query side agrees"
    );
    // As written, the last step's run has shipped every order it created.
    let mut written = Run::new(happy.lab_of(0));
    written.advance_to(VirtualMillis(happy.steps[last - 1].at));
    let (shipped, created) = shipped_and_created(&written);
    assert!(shipped > 0 && shipped == created);
    let facts = run_facts(written.sim());
    assert!(
        facts.contains(&format!(
            "{} event(s) stored; orders: {shipped} shipped.",
            written.sim().store.events().len()
        )),
        "{facts}"
    );
    // The link's lab never ships: the card must not say it did, and says what this run
    // holds at the step's time.
    let mut lab = happy.lab_of(0);
    let lines = lab.script.len();
    lab.script.retain(|line| line.command.name() != "ShipOrder");
    assert!(lab.script.len() < lines, "the lab shipped before");
    let guide = opened(&Shared::new("happy-path", 0, last as u32, lab));
    assert_eq!(guide.notice, None);
    assert!(
        guide.custom.is_some(),
        "the link's lab is not the scenario's"
    );
    let run = guide.run().expect("the link's lab runs");
    assert_eq!(
        run.sim().engine.now(),
        VirtualMillis(happy.steps[last - 1].at)
    );
    let (shipped, created) = shipped_and_created(run);
    assert_eq!(shipped, 0);
    assert!(created > 0);
    let stored = run.sim().store.events().len();
    let facts = run_facts(run.sim());
    assert!(
        facts.contains(&format!(
            "{stored} event(s) stored; orders: {created} paid."
        )),
        "{facts}"
    );
    assert!(!facts.contains("shipped"), "{facts}");
}

/// A guide with the library, then opened at `fragment` (as a reload or a bookmark does).
fn at(fragment: &str) -> Guide {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    guide.update(GuideMsg::OpenedLink(fragment.to_owned()));
    guide
}

#[test]
fn the_address_names_the_scenario_variant_and_step_and_opens_them_again() {
    use cqrs_lab::app::guide::StageMsg;
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    assert_eq!(guide.address().as_deref(), Some("happy-path/step-0"));
    let messaging = library().scenario_index("messaging").expect("scenario 17");
    guide.update(GuideMsg::Chose(messaging));
    guide.update(GuideMsg::ChoseVariant(2));
    guide.update(GuideMsg::Stage(StageMsg::GoTo(3)));
    let address = guide.address().expect("an address");
    assert_eq!(address, "messaging/step-3/variant-3");
    // A reload, Back or a bookmark: the same place, the same run.
    let again = at(&address);
    assert_eq!(again.notice, None);
    assert_eq!(
        (again.scenario, again.variant, again.stage.step),
        (messaging, 2, 3)
    );
    assert_eq!(again.address(), Some(address));
    let fingerprint = |g: &Guide| g.run().map(|r| r.sim().engine.trace().hash());
    assert_eq!(fingerprint(&again), fingerprint(&guide));
    // An address read before the library arrives waits for it.
    let mut early = Guide::default();
    early.update(GuideMsg::OpenedLink("outbox/step-2".into()));
    early.update(GuideMsg::Loaded(Ok(library())));
    assert_eq!(early.address().as_deref(), Some("outbox/step-2"));
    assert_eq!(early.opened, 1);
}

#[test]
fn an_address_that_names_nothing_here_says_so_and_the_first_scenario_opens() {
    let guide = at("no-such-scenario/step-1");
    assert_eq!(
        guide.notice.as_deref(),
        Some("This link could not be opened: the link names a scenario this version does not have (no-such-scenario). The first scenario is open instead.")
    );
    assert_eq!(guide.address().as_deref(), Some("happy-path/step-0"));
    let guide = at("happy-path/step-99");
    assert!(guide
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("names step 99")));
    // Not an address at all (or not of this page): nothing happens.
    for other in [
        "",
        "happy-path",
        "happy-path/step-x",
        "happy-path/step-1/variant-0",
        "a/step-1/b",
        "Happy/step-1",
    ] {
        let guide = at(other);
        assert_eq!(guide.notice, None, "{other:?}");
        assert_eq!(
            guide.address().as_deref(),
            Some("happy-path/step-0"),
            "{other:?}"
        );
    }
}

#[test]
fn a_changed_lab_or_a_comparison_keeps_the_whole_link_as_the_address() {
    let happy = scenario("happy-path");
    let mut lab = happy.lab_of(0);
    lab.script.clear();
    let shared = Shared::new("happy-path", 0, 2, lab);
    let guide = opened(&shared);
    assert!(guide.custom.is_some());
    let address = guide.address().expect("an address");
    assert!(address.starts_with(link::PREFIX), "{address}");
    assert_eq!(link::decode(&address), Some(Ok(shared)));
}

#[test]
fn in_presenter_mode_a_step_moves_slowly_and_each_hop_stays_longer() {
    use cqrs_lab::app::guide::StageMsg;
    let at_step = |presenter: bool| {
        let mut guide = Guide::default();
        guide.update(GuideMsg::Loaded(Ok(library())));
        guide.update(GuideMsg::Presenter(presenter));
        guide.update(GuideMsg::Stage(StageMsg::Next));
        guide
    };
    let (mut plain, mut presenter) = (at_step(false), at_step(true));
    let span = library().scenarios[0]
        .steps
        .first()
        .map(|s| s.at)
        .expect("a step");
    assert_eq!(
        plain.pulse_window(),
        VirtualMillis((span / 6).clamp(4, 400))
    );
    assert_eq!(
        presenter.pulse_window(),
        VirtualMillis((span * 2 / 5).clamp(4, 4_000))
    );
    // 1.6 s of real time ends the usual motion; in presenter mode it takes 4 s.
    plain.update(GuideMsg::Stage(StageMsg::Tick(1_600.0)));
    presenter.update(GuideMsg::Stage(StageMsg::Tick(1_600.0)));
    assert!(!plain.moving());
    assert!(presenter.moving());
    presenter.update(GuideMsg::Stage(StageMsg::Tick(2_400.0)));
    assert!(!presenter.moving());
    assert_eq!(
        plain.run().map(|r| r.sim().engine.trace().hash()),
        presenter.run().map(|r| r.sim().engine.trace().hash())
    );
}
