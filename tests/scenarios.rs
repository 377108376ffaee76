//! The scenario library: every scenario runs to its end and shows what its steps say;
//! the quiz scores and keeps progress; links reproduce a lab exactly and never panic.

use cqrs_lab::app::guide::{what_if_names, what_ifs, Guide, GuideMsg, Other, StageMsg};
use cqrs_lab::app::privacy_view::reveal;
use cqrs_lab::app::saga_view::SagaView;
use cqrs_lab::app::study::StudyMsg;
use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::domain::saga::{Phase, SagaStep};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::scenarios::lab::Lab;
use cqrs_lab::scenarios::library::{Library, Scenario};
use cqrs_lab::scenarios::link::{self, LinkError, Shared};
use cqrs_lab::scenarios::progress::Progress;
use cqrs_lab::scenarios::run::Run;
use cqrs_lab::scenarios::views::{costs, differences, modes, saga_differences};
use cqrs_lab::store::transfer::export_json;
use cqrs_lab::store::ProjectionName;

fn library() -> Library {
    Library::parse_with_questions(
        include_str!("../static/scenarios.json"),
        include_str!("../static/questions.json"),
    )
    .expect("the shipped library checks")
}

fn scenario(id: &str) -> Scenario {
    library().scenario(id).cloned().expect("scenario exists")
}

/// The lab of `id` (variant `v`) run to its step `n` (1-based).
fn at_step(id: &str, v: usize, n: usize) -> Run {
    let s = scenario(id);
    let mut run = Run::new(s.lab_of(v));
    run.advance_to(VirtualMillis(s.steps[n - 1].at));
    run
}

fn row(sim: &Simulation, name: ProjectionName, key: &str) -> Option<String> {
    sim.engine
        .projection(name)?
        .model()
        .rows()
        .get(key)
        .cloned()
}

fn wrong(sim: &Simulation, name: ProjectionName) -> usize {
    sim.engine
        .projection(name)
        .map_or(0, |p| p.divergence(sim.store.events()).len())
}

fn all_right(sim: &Simulation) -> bool {
    ProjectionName::ALL.iter().all(|n| wrong(sim, *n) == 0)
}

#[test]
fn the_library_has_seventeen_scenarios_each_with_steps_questions_and_learn_sources() {
    let library = library();
    assert_eq!(library.scenarios.len(), 17);
    for s in &library.scenarios {
        assert!((1..=9).contains(&s.steps.len()), "{}", s.id);
        assert!(s.quiz.len() >= 6, "{}", s.id);
        for q in &s.quiz {
            let right = q.choices.iter().filter(|c| c.correct).count();
            assert!(right >= 1 && right < q.choices.len());
            assert!(
                q.choices.iter().all(|c| !c.why.is_empty()),
                "every option explained"
            );
        }
        assert!(
            s.sources
                .iter()
                .all(|x| x.url.starts_with("https://learn.microsoft.com/")),
            "{} rests on Microsoft Learn pages",
            s.id
        );
    }
    let terms: Vec<&str> = library.glossary.iter().map(|t| t.term.as_str()).collect();
    for term in [
        "Command",
        "Event",
        "Aggregate",
        "Projection",
        "Read model",
        "Upcaster",
        "Outbox",
        "Snapshot",
        "Checkpoint",
        "Idempotency",
        "Eventual consistency",
        "Saga",
        "Compensation",
        "Pivot",
        "Crypto-shredding",
    ] {
        assert!(terms.contains(&term), "glossary has {term}");
    }
}

#[test]
fn every_scenario_and_variant_runs_to_its_last_step() {
    for s in library().scenarios {
        for v in 0..s.variants.len().max(1) {
            let mut run = Run::new(s.lab_of(v));
            for step in &s.steps {
                run.advance_to(VirtualMillis(step.at));
                assert_eq!(run.sim().engine.now(), VirtualMillis(step.at), "{}", s.id);
            }
            let stored = run
                .saga()
                .map_or(run.sim().store.head().0, |saga| saga.log().len() as u64);
            assert!(stored > 0, "{} stores events", s.id);
        }
    }
}

#[test]
fn happy_path_every_read_model_agrees_once_shipped() {
    let run = at_step("happy-path", 0, 2);
    assert_eq!(run.sim().store.head().0, 1);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1"),
        None,
        "not applied yet"
    );
    let run = at_step("happy-path", 0, 5);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Shipped, 2 items, $25.00")
    );
    assert!(all_right(run.sim()));
}

#[test]
fn eventual_consistency_the_write_is_stored_but_not_visible_for_two_seconds() {
    let run = at_step("eventual-consistency", 0, 1);
    assert_eq!(run.sim().store.head().0, 3);
    assert_eq!(row(run.sim(), ProjectionName::OrderSummary, "o-1"), None);
    let run = at_step("eventual-consistency", 0, 3);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Draft, 0 items, $0.00")
    );
    let run = at_step("eventual-consistency", 0, 4);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Submitted, 2 items, $25.00")
    );
}

#[test]
fn duplicates_the_naive_totals_are_wrong_by_exactly_the_duplicated_amounts() {
    let run = at_step("duplicates", 0, 2);
    let sim = run.sim();
    assert_eq!(
        row(sim, ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Paid, 4 items, $50.00"),
        "the $25.00 item line counted twice"
    );
    assert_eq!(
        row(sim, ProjectionName::RevenuePerDay, "day 0").as_deref(),
        Some("$50.00")
    );
    assert_eq!(
        wrong(sim, ProjectionName::OrdersPerCustomer),
        0,
        "idempotent one is right"
    );
    assert!(sim.engine.metrics().ignored > 0);
    let run = at_step("duplicates", 0, 3);
    assert!(all_right(run.sim()), "idempotent and rebuilt");
    assert_eq!(
        row(run.sim(), ProjectionName::RevenuePerDay, "day 0").as_deref(),
        Some("$25.00")
    );
}

#[test]
fn out_of_order_a_naive_projection_keeps_a_removed_item_until_ordered_and_rebuilt() {
    let run = at_step("out-of-order", 0, 2);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Submitted, 3 items, $28.00")
    );
    assert_eq!(wrong(run.sim(), ProjectionName::OrderSummary), 1);
    assert_eq!(wrong(run.sim(), ProjectionName::OrdersPerCustomer), 0);
    let run = at_step("out-of-order", 0, 3);
    assert!(all_right(run.sim()));
}

#[test]
fn schema_evolution_dead_letters_v2_until_the_upcaster_and_a_rebuild() {
    let run = at_step("schema-evolution", 0, 3);
    let dead = run.sim().engine.event_bus().dead_letters().len();
    assert!(
        dead >= 3,
        "each projection dead-lettered the v2 event ({dead})"
    );
    assert_eq!(row(run.sim(), ProjectionName::OrderSummary, "o-2"), None);
    let run = at_step("schema-evolution", 0, 4);
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-2").as_deref(),
        Some("Draft, 1 item, $89.00 USD")
    );
    assert_eq!(
        wrong(run.sim(), ProjectionName::OrderSummary),
        1,
        "o-1 in the old shape"
    );
    let run = at_step("schema-evolution", 0, 5);
    assert!(all_right(run.sim()));
}

#[test]
fn optimistic_concurrency_one_conflict_then_both_items_land() {
    let run = at_step("optimistic-concurrency", 0, 2);
    assert_eq!(run.sim().engine.metrics().conflicts, 1);
    assert_eq!(run.sim().store.head().0, 2);
    let run = at_step("optimistic-concurrency", 0, 3);
    assert_eq!(
        run.sim().store.head().0,
        3,
        "the retry appended at version 3"
    );
    assert_eq!(
        row(run.sim(), ProjectionName::OrderSummary, "o-1").as_deref(),
        Some("Draft, 3 items, $28.00")
    );
}

#[test]
fn idempotent_commands_a_retry_with_the_same_id_is_applied_once() {
    let run = at_step("idempotent-commands", 0, 3);
    assert_eq!(run.sim().engine.metrics().commands_duplicate, 1);
    assert_eq!(
        run.sim().store.head().0,
        2,
        "OrderCreated and one ItemAdded"
    );
}

#[test]
fn backpressure_reject_refuses_while_wait_and_overflow_get_every_command_through() {
    let reject = at_step("backpressure", 0, 3);
    assert!(reject.sim().engine.metrics().commands_refused > 0);
    assert!(reject.sim().store.head().0 < 20);
    for v in [1, 2] {
        let run = at_step("backpressure", v, 3);
        assert_eq!(run.sim().store.head().0, 20, "variant {v}");
    }
    let overflow = at_step("backpressure", 2, 1);
    assert!(
        overflow.sim().engine.queue_depths().1 > 0,
        "the secondary queue holds some"
    );
}

#[test]
fn outbox_without_it_a_crash_loses_publications_for_good_with_it_none() {
    let dual = at_step("outbox", 0, 3);
    assert!(dual.notes()[0].1.contains("1 publication lost for good"));
    assert_eq!(dual.sim().store.head().0, 4);
    for name in ProjectionName::ALL {
        let p = dual.sim().engine.projection(name).expect("projection");
        assert_eq!(p.checkpoint().0, 1, "{name:?} lags forever");
    }
    let outbox = at_step("outbox", 1, 3);
    assert!(outbox.notes()[0].1.contains("0 publications lost for good"));
    for name in ProjectionName::ALL {
        let p = outbox.sim().engine.projection(name).expect("projection");
        assert_eq!(p.checkpoint().0, 4, "{name:?} caught up");
    }
}

#[test]
fn snapshots_cut_the_replay_and_a_rebuilt_read_model_is_exact() {
    let replayed = |v: usize| {
        let run = at_step("rebuild-snapshots", v, 2);
        let m = run
            .sim()
            .engine
            .trace()
            .hops()
            .rev()
            .find_map(|h| match &h.kind {
                cqrs_lab::engine::trace::HopKind::AggregateLoaded { replayed, .. } => {
                    Some(*replayed)
                }
                _ => None,
            });
        m.expect("SubmitOrder loaded the order")
    };
    assert_eq!(replayed(0), 3, "from the snapshot at v10");
    assert_eq!(replayed(1), 13, "no snapshot below 100 events");
    let run = at_step("rebuild-snapshots", 0, 3);
    assert!(run
        .notes()
        .iter()
        .any(|(_, n)| n.contains("Rebuilding Orders per customer")));
    assert!(all_right(run.sim()));
}

#[test]
fn modes_show_what_each_architecture_keeps_of_the_same_commands() {
    let run = at_step("modes", 0, 2);
    let rows = modes(run.sim());
    assert_eq!(rows.len(), 3);
    assert!(rows[0].stores.starts_with("1 row"));
    assert!(rows[0].history.contains("Cancelled"));
    assert!(rows[2].stores.starts_with("5 event"));
    assert!(rows[2].history.contains("PaymentReceived → OrderCancelled"));
    assert!(rows[2].capabilities.audit_trail.available);
    assert!(!rows[0].capabilities.audit_trail.available);
}

#[test]
fn when_not_counts_the_cost_of_cqrs_for_two_orders() {
    let run = at_step("when-not", 0, 2);
    let c = costs(run.sim());
    assert_eq!(c.commands, 6);
    assert_eq!(c.crud_rows, 2);
    let records: u64 = c.records.iter().map(|(_, n)| n).sum();
    assert!(
        records > 10 * c.crud_rows,
        "{records} records against 2 rows"
    );
    assert!(c.messages >= 6 + 6 + 18, "queued, published, delivered");
    let (events, mean, longest) = c.stale;
    assert_eq!(events, 6);
    assert!(
        mean >= 20 && longest >= mean,
        "reads lag every write ({mean} ms)"
    );
}

#[test]
fn a_priority_lane_lets_the_payments_pass_the_burst() {
    let paid = |run: &Run| {
        let summary = run.sim().engine.projection(ProjectionName::OrderSummary);
        summary.map_or(0, |p| {
            p.model()
                .rows()
                .values()
                .filter(|r| r.starts_with("Paid"))
                .count()
        })
    };
    assert_eq!(
        paid(&at_step("priority-lanes", 0, 2)),
        0,
        "one lane: still queued"
    );
    assert_eq!(
        paid(&at_step("priority-lanes", 1, 2)),
        5,
        "their own lane: done"
    );
    let one = at_step("priority-lanes", 0, 3)
        .sim()
        .engine
        .metrics()
        .clone();
    let two = at_step("priority-lanes", 1, 3)
        .sim()
        .engine
        .metrics()
        .clone();
    assert!(
        one.critical_latency.mean_ms() > 900,
        "{:?}",
        one.critical_latency
    );
    assert!(
        two.critical_latency.mean_ms() < 30,
        "{:?}",
        two.critical_latency
    );
    assert!(two.bulk_latency.mean_ms() < one.bulk_latency.mean_ms() + 30);
}

#[test]
fn the_same_lab_gives_the_same_timeline_and_a_link_reproduces_it() {
    for s in library().scenarios {
        let end = VirtualMillis(s.steps.last().map_or(0, |l| l.at));
        let lab = s.lab_of(s.variants.len().saturating_sub(1));
        let mut a = Run::new(lab.clone());
        a.advance_to(end);
        let fragment = link::encode(&Shared::new(&s.id, 0, s.steps.len() as u32, lab));
        let shared = link::decode(&fragment)
            .expect("a lab link")
            .expect("decodes");
        let mut b = Run::new(shared.lab);
        b.advance_to(end);
        assert_eq!(
            a.sim().engine.trace().hash(),
            b.sim().engine.trace().hash(),
            "{}",
            s.id
        );
        assert_eq!(a.sim().store.events(), b.sim().store.events());
    }
}

#[test]
fn a_damaged_link_says_what_is_wrong() {
    assert!(
        link::decode("tab=events").is_none(),
        "not a lab link at all"
    );
    assert_eq!(
        link::decode("lab=%%%").expect("lab"),
        Err(LinkError::NotBase64)
    );
    let not_json =
        link::encode(&Shared::new("x", 0, 0, Lab::default())).replace("lab=ey", "lab=ez");
    assert!(matches!(
        link::decode(&not_json),
        Some(Err(LinkError::NotJson(_)))
    ));
    let mut lab = Lab::default();
    lab.knobs.duplicate_percent = 250;
    let out_of_range = link::encode(&Shared::new("duplicates", 0, 0, lab));
    let error = link::decode(&out_of_range)
        .expect("lab")
        .expect_err("rejected");
    assert_eq!(
        error.to_string(),
        "the link's lab is not valid: knobs.duplicatePercent is 250, but must be from 0 to 100"
    );
}

#[test]
fn a_bad_link_opens_the_first_scenario_with_a_message() {
    let mut guide = Guide::default();
    guide.update(GuideMsg::OpenedLink("lab=not-base64!".into()));
    guide.update(GuideMsg::Loaded(Ok(library())));
    // The link is read when opened; a bad one is reported at once.
    assert!(guide
        .notice
        .as_deref()
        .unwrap_or("")
        .contains("could not be opened"));
    assert_eq!(guide.scenario, 0);
    assert!(guide.run().is_some());
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    let unknown = link::encode(&Shared::new("no-such", 0, 0, Lab::default()));
    guide.update(GuideMsg::OpenedLink(unknown));
    assert!(guide
        .notice
        .as_deref()
        .unwrap_or("")
        .contains("does not have (no-such)"));
}

#[test]
fn a_link_opens_its_scenario_variant_and_step() {
    let mut first = Guide::default();
    first.update(GuideMsg::Loaded(Ok(library())));
    first.update(GuideMsg::Chose(8));
    first.update(GuideMsg::ChoseVariant(1));
    first.update(GuideMsg::Stage(StageMsg::GoTo(2)));
    first.update(GuideMsg::Stage(StageMsg::Tick(10_000.0)));
    let fragment = first.link().expect("a link");
    let mut opened = Guide::default();
    opened.update(GuideMsg::OpenedLink(fragment));
    opened.update(GuideMsg::Loaded(Ok(library())));
    assert_eq!(
        (opened.scenario, opened.variant, opened.stage.step),
        (8, 1, 2)
    );
    assert!(opened.custom.is_none(), "the lab is the variant's");
    let hash = |g: &Guide| g.run().map(|r| r.sim().engine.trace().hash());
    assert_eq!(hash(&first), hash(&opened));
}

#[test]
fn stepping_on_moves_the_lab_on_screen_and_stepping_back_replays_from_the_start() {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    guide.update(GuideMsg::Stage(StageMsg::Next));
    assert_eq!(guide.stage.step, 1);
    assert!(guide.moving());
    let mut ticks = 0;
    while guide.moving() {
        guide.update(GuideMsg::Stage(StageMsg::Tick(16.0)));
        ticks += 1;
    }
    assert!(ticks > 10, "the motion takes many frames ({ticks})");
    let now = |g: &Guide| g.run().map(|r| r.sim().engine.now().0);
    assert_eq!(now(&guide), Some(3));
    guide.update(GuideMsg::Stage(StageMsg::GoTo(4)));
    assert_eq!(
        (guide.stage.step, now(&guide)),
        (4, Some(350)),
        "a jump is instant"
    );
    guide.update(GuideMsg::Stage(StageMsg::Previous));
    assert_eq!((guide.stage.step, now(&guide)), (3, Some(40)));
    guide.update(GuideMsg::Stage(StageMsg::GoTo(9)));
    assert_eq!(guide.stage.step, 3, "no step 9 in this scenario");
}

#[test]
fn the_quiz_scores_passes_at_sixty_percent_and_keeps_the_best() {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    let quiz = guide.scenario().expect("scenario").quiz.clone();
    let id = guide.scenario().expect("scenario").id.clone();
    guide.update(GuideMsg::Study(StudyMsg::Checked(0)));
    assert!(guide.score().is_none(), "every question must be answered");
    assert_eq!(
        guide.study.message.as_deref(),
        Some(
            format!(
                "Answer every question before checking ({} still without an answer).",
                quiz.len()
            )
            .as_str()
        )
    );
    // Every answer right but the first question's.
    for (q, question) in quiz.iter().enumerate() {
        let right = question.answers();
        if q == 0 {
            let wrong = (0..question.choices.len())
                .find(|c| !right.contains(c))
                .expect("a wrong choice");
            guide.update(GuideMsg::Study(StudyMsg::Picked(q, wrong)));
        } else {
            for c in right {
                guide.update(GuideMsg::Study(StudyMsg::Picked(q, c)));
            }
        }
    }
    guide.update(GuideMsg::Study(StudyMsg::Checked(0)));
    let (right, total) = guide.score().expect("scored");
    assert_eq!((right, total), (total - 1, quiz.len() as u32));
    assert!(
        guide.study.progress.score(&id).expect("kept").passed(),
        "all but one right passes"
    );
    assert!(guide.study.progress_dirty);
    // The miss is due for review; the right answers are not cards.
    assert_eq!(guide.study.deck.cards.len(), 1);
    assert!(guide.study.deck_dirty);
    guide.update(GuideMsg::Study(StudyMsg::Retried));
    // A choice that is not there picks nothing; then every answer wrong.
    guide.update(GuideMsg::Study(StudyMsg::Picked(0, 99)));
    assert!(guide.study.picked[0].is_empty());
    for (q, question) in quiz.iter().enumerate() {
        let wrong = (0..question.choices.len())
            .find(|c| !question.choices[*c].correct)
            .expect("a wrong choice");
        guide.update(GuideMsg::Study(StudyMsg::Picked(q, wrong)));
    }
    guide.update(GuideMsg::Study(StudyMsg::Checked(0)));
    assert_eq!(
        guide.study.deck.cards.len(),
        quiz.len(),
        "every miss comes back"
    );
    let score = guide.study.progress.score(&id).expect("kept");
    assert_eq!(
        (score.best, score.attempts),
        (total - 1, 2),
        "the best attempt stays"
    );
    // Stored and read back.
    let stored = guide.study.progress.to_json();
    let mut later = Guide::default();
    later.update(GuideMsg::Study(StudyMsg::ProgressRead(Some(stored))));
    assert_eq!(later.study.progress, guide.study.progress);
    later.update(GuideMsg::Study(StudyMsg::ProgressRead(Some(
        "{not json".into(),
    ))));
    assert!(
        later.notice.is_some(),
        "unreadable progress is said, not fatal"
    );
    assert_eq!(Progress::default().passed(), 0);
}

#[cfg(not(target_arch = "wasm32"))]
mod fuzz {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_link_decoder_never_panics_on_any_text(text in ".{0,400}") {
            let _ = link::decode(&format!("lab={text}"));
            let _ = link::decode(&text);
        }

        #[test]
        fn the_link_decoder_never_panics_on_any_json_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let data = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
            let _ = link::decode(&format!("lab={data}"));
        }

        #[test]
        fn a_tampered_link_either_decodes_to_a_valid_lab_or_says_why(
            flip in 4usize..2000, to in "[A-Za-z0-9_-]",
        ) {
            let s = scenario("duplicates");
            let good = link::encode(&Shared::new(&s.id, 0, 2, s.lab.clone()));
            let mut chars: Vec<char> = good.chars().collect();
            let at = flip % chars.len();
            if at >= 4 {
                chars[at] = to.chars().next().unwrap_or('A');
            }
            let tampered: String = chars.into_iter().collect();
            match link::decode(&tampered) {
                Some(Ok(shared)) => prop_assert!(shared.lab.check().is_ok()),
                Some(Err(e)) => prop_assert!(!e.to_string().is_empty()),
                None => prop_assert!(false, "still a lab link"),
            }
        }
    }
}

fn guide_at(id: &str, step: usize) -> Guide {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(library())));
    let index = library().scenario_index(id).expect("scenario");
    guide.update(GuideMsg::Chose(index));
    guide.update(GuideMsg::Stage(StageMsg::GoTo(step)));
    guide.update(GuideMsg::Stage(StageMsg::Tick(1e9)));
    guide
}

fn what_if(name: &str) -> usize {
    what_ifs()
        .iter()
        .position(|(n, _)| *n == name)
        .expect("a what-if")
}

fn difference(guide: &Guide, what: &str) -> (String, String) {
    let a = guide.run().expect("run").sim();
    let b = guide.stage.branch.as_ref().expect("branch").run().sim();
    let d = differences(a, b)
        .into_iter()
        .find(|d| d.what == what)
        .expect(what);
    (d.a, d.b)
}

#[test]
fn side_by_side_two_variants_run_the_same_script_and_differ_where_the_outbox_matters() {
    let mut guide = guide_at("outbox", 3);
    guide.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::Variant(1)))));
    let branch = guide.stage.branch.as_ref().expect("comparing");
    assert_eq!(branch.label, "With the transactional outbox");
    assert_eq!(
        difference(&guide, "Publications lost for good"),
        ("1".into(), "0".into())
    );
    assert_eq!(
        difference(&guide, "Revenue per day: checkpoint"),
        ("1".into(), "4".into())
    );
    assert_eq!(
        difference(&guide, "Events stored"),
        ("4".into(), "4".into()),
        "same script"
    );
    // Both move together, step by step.
    guide.update(GuideMsg::Stage(StageMsg::GoTo(1)));
    let now = |r: &Run| r.sim().engine.now();
    assert_eq!(
        now(guide.stage.branch.as_ref().expect("b").run()),
        VirtualMillis(35)
    );
    guide.update(GuideMsg::Stage(StageMsg::Compared(None)));
    assert!(guide.stage.branch.is_none());
}

#[test]
fn a_what_if_branch_forks_at_a_moment_and_keeps_what_happened_before_it() {
    // At step 1 (150 ms) the naive summary has already counted the item twice; from
    // there on every projection is idempotent: the payment counts once, the item stays
    // wrong until a rebuild.
    let mut guide = guide_at("duplicates", 1);
    let change = what_if("every projection idempotent");
    guide.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::WhatIf {
        change,
        at: 150,
    }))));
    assert_eq!(
        guide.stage.branch.as_ref().expect("branch").label,
        "What if: every projection idempotent, from 150 ms"
    );
    guide.update(GuideMsg::Stage(StageMsg::GoTo(2)));
    guide.update(GuideMsg::Stage(StageMsg::Tick(1e9)));
    assert_eq!(
        difference(&guide, "Revenue per day row day 0"),
        ("$50.00".into(), "$25.00".into())
    );
    assert_eq!(
        difference(&guide, "Order summary row o-1"),
        (
            "Paid, 4 items, $50.00".into(),
            "Paid, 4 items, $50.00".into()
        ),
        "switching the mode does not repair what was applied before"
    );
    // From the start instead, nothing is ever double counted.
    guide.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::WhatIf {
        change,
        at: 0,
    }))));
    assert_eq!(
        difference(&guide, "Order summary row o-1").1,
        "Paid, 2 items, $25.00"
    );
}

#[test]
fn a_fork_comes_after_the_labs_own_actions_at_that_time() {
    let lab = scenario("duplicates").lab;
    let change = what_ifs()[0].1;
    let forked = lab.forked(600, change);
    assert_eq!(forked.actions.len(), lab.actions.len() + 1);
    assert!(forked.actions.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(forked.actions.last().map(|a| a.at), Some(600));
    assert!(forked.check().is_ok());
    assert!(lab.forked(0, change).knobs.outbox);
}

#[test]
fn a_link_keeps_the_side_by_side_view() {
    let mut first = guide_at("duplicates", 2);
    let change = what_if("no duplicate deliveries");
    first.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::WhatIf {
        change,
        at: 100,
    }))));
    let fragment = first.link().expect("link");
    let mut opened = Guide::default();
    opened.update(GuideMsg::OpenedLink(fragment));
    opened.update(GuideMsg::Loaded(Ok(library())));
    let label = |g: &Guide| g.stage.branch.as_ref().map(|b| b.label.clone());
    assert_eq!(label(&opened), label(&first));
    let hash = |g: &Guide| {
        g.stage
            .branch
            .as_ref()
            .map(|b| b.run().sim().engine.trace().hash())
    };
    assert_eq!(hash(&opened), hash(&first));
}

#[test]
fn the_time_travel_slider_runs_the_lab_to_any_moment_and_a_fork_from_there() {
    let mut guide = guide_at("eventual-consistency", 0);
    assert_eq!(guide.end_time(), VirtualMillis(2300));
    guide.update(GuideMsg::Stage(StageMsg::Scrubbed(2050)));
    let now = |g: &Guide| g.run().map(|r| r.sim().engine.now().0);
    assert_eq!(
        (guide.stage.step, now(&guide)),
        (3, Some(2050)),
        "past step 3 (2030 ms)"
    );
    guide.update(GuideMsg::Stage(StageMsg::Scrubbed(99_999)));
    assert_eq!(
        (guide.stage.step, now(&guide)),
        (4, Some(2300)),
        "clamped to the end"
    );
    guide.update(GuideMsg::Stage(StageMsg::Scrubbed(120)));
    let change = what_if("no duplicate deliveries");
    guide.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::WhatIf {
        change,
        at: 120,
    }))));
    let branch = guide.stage.branch.as_ref().expect("branch");
    assert_eq!(
        branch.run().sim().engine.now().0,
        120,
        "the branch starts where the lab is"
    );
}

fn sagas(run: &Run) -> Vec<(String, Phase, i64)> {
    let saga = run.saga().expect("a saga scenario");
    saga.sagas()
        .iter()
        .map(|(id, s)| (id.to_string(), s.phase, saga.net_charged(id).0))
        .collect()
}

#[test]
fn saga_happy_path_every_order_ships_once_even_when_everything_comes_twice() {
    let run = at_step("saga-happy-path", 0, 1);
    assert_eq!(
        sagas(&run),
        vec![("o-1".into(), Phase::Running(SagaStep::ReserveStock), 0)]
    );
    let run = at_step("saga-happy-path", 0, 2);
    let view = SagaView::of(run.saga().expect("saga"));
    assert_eq!(view.stock[0], ("espresso".into(), 3, 2), "2 held for o-1");
    assert_eq!(sagas(&run)[0].1, Phase::Running(SagaStep::TakePayment));
    for v in 0..2 {
        let run = at_step("saga-happy-path", v, 3);
        assert_eq!(
            sagas(&run),
            vec![
                ("o-1".into(), Phase::Completed, 1_800),
                ("o-2".into(), Phase::Completed, 4_500),
                ("o-3".into(), Phase::Completed, 900),
            ],
            "variant {v}"
        );
        let saga = run.saga().expect("saga");
        assert!(saga.is_settled());
        assert_eq!(saga.violations(), Vec::<String>::new());
        if v == 1 {
            assert!(saga.counts().duplicates > 20 && saga.counts().deduplicated > 0);
        }
    }
}

#[test]
fn saga_compensation_declined_slow_and_crashed_all_end_compensated_at_no_cost() {
    let phase = |v, n| sagas(&at_step("saga-compensation", v, n))[0].clone();
    for v in 0..3 {
        assert_eq!(
            phase(v, 1),
            ("o-1".into(), Phase::Running(SagaStep::TakePayment), 0)
        );
        assert_eq!(
            phase(v, 4),
            ("o-1".into(), Phase::Compensated, 0),
            "variant {v}"
        );
        let run = at_step("saga-compensation", v, 4);
        assert_eq!(run.saga().expect("saga").violations(), Vec::<String>::new());
    }
    // Declined: over at once. Slow: still compensating after the stock came back.
    assert_eq!(phase(0, 2).1, Phase::Compensated);
    for v in 1..3 {
        let run = at_step("saga-compensation", v, 2);
        assert_eq!(sagas(&run)[0].1, Phase::Compensating);
        let view = SagaView::of(run.saga().expect("saga"));
        assert_eq!(
            view.stock[0],
            ("espresso".into(), 5, 0),
            "the stock is back"
        );
        // Step 3: the late charge happened and was refunded.
        let run = at_step("saga-compensation", v, 3);
        let types: Vec<&str> = run
            .saga()
            .expect("saga")
            .log()
            .iter()
            .map(|r| r.fact.event_type())
            .collect();
        assert!(types.contains(&"PaymentCharged") && types.contains(&"PaymentRefunded"));
        assert_eq!(sagas(&run)[0].2, 0);
    }
    let crashed = at_step("saga-compensation", 2, 3);
    let counts = crashed.saga().expect("saga").counts();
    assert_eq!((counts.crashes, counts.resent), (1, 1));
    assert!(
        counts.deduplicated >= 1,
        "the resent charge was not done again"
    );
}

#[test]
fn two_saga_runs_compare_by_how_their_sagas_ended() {
    let s = scenario("saga-compensation");
    let (mut a, mut b) = (Run::new(s.lab_of(0)), Run::new(s.lab_of(1)));
    a.advance_to(VirtualMillis(2_400));
    b.advance_to(VirtualMillis(2_400));
    let diff = saga_differences(a.saga().expect("saga"), b.saga().expect("saga"));
    let saga_row = diff
        .iter()
        .find(|d| d.what == "Saga o-1")
        .expect("one row per saga");
    assert_eq!(
        (saga_row.a.as_str(), saga_row.b.as_str()),
        ("compensated", "compensating")
    );
}

#[test]
fn a_saga_scenario_offers_what_ifs_of_its_own_world_from_the_start() {
    let mut guide = guide_at("saga-happy-path", 3);
    let names = what_if_names(&guide.lab().expect("lab"));
    let late = names
        .iter()
        .position(|n| *n == "every payment answered late")
        .expect("a saga what-if");
    assert!(
        !names.contains(&"the outbox on"),
        "the order system's knobs are not offered"
    );
    guide.update(GuideMsg::Stage(StageMsg::Compared(Some(Other::WhatIf {
        change: late,
        at: 900,
    }))));
    let branch = guide.stage.branch.as_ref().expect("branch");
    assert_eq!(
        branch.label,
        "What if: every payment answered late, from the start"
    );
    let diff = saga_differences(
        guide.run().and_then(|r| r.saga()).expect("saga"),
        branch.run().saga().expect("saga"),
    );
    let completed = diff
        .iter()
        .find(|d| d.what == "Sagas completed")
        .expect("row");
    assert_eq!((completed.a.as_str(), completed.b.as_str()), ("3", "0"));
    // It survives a link.
    let fragment = guide.link().expect("link");
    let mut opened = Guide::default();
    opened.update(GuideMsg::OpenedLink(fragment));
    opened.update(GuideMsg::Loaded(Ok(library())));
    assert_eq!(
        opened.stage.branch.as_ref().map(|b| b.label.clone()),
        Some(branch.label.clone())
    );
}

#[test]
fn forgetting_a_customer_erases_their_name_in_every_copy_and_keeps_every_event() {
    let rows = |run: &Run| {
        run.sim()
            .engine
            .projection(ProjectionName::OrdersPerCustomer)
            .expect("projection")
            .model()
            .rows()
    };
    let shown = |run: &Run, key: &str| reveal(&rows(run)[key], run.vault());
    let before = at_step("forget-customer", 0, 1);
    assert_eq!(shown(&before, "cust-ana"), "1 · Ana Ruiz");
    assert_eq!(shown(&before, "cust-ben"), "1 · Ben Okafor");
    let log = export_json(before.sim().store.events());
    for plain in ["Ana Ruiz", "Calle Mayor", "Ben Okafor", "Harbour Road"] {
        assert!(!log.contains(plain), "{plain} in the log");
        assert!(
            !rows(&before).values().any(|r| r.contains(plain)),
            "{plain} in a read model"
        );
    }
    let after = at_step("forget-customer", 0, 3);
    assert_eq!(shown(&after, "cust-ana"), "1 · [erased]");
    assert_eq!(shown(&after, "cust-ben"), "1 · Ben Okafor");
    assert_eq!(
        after.sim().store.events(),
        before.sim().store.events(),
        "no event changed"
    );
    let rebuilt = at_step("forget-customer", 0, 4);
    assert_eq!(
        shown(&rebuilt, "cust-ana"),
        "1 · [erased]",
        "a replay cannot bring it back"
    );
    assert_eq!(
        rebuilt.sim().store.events().len(),
        6,
        "the audit trail stays"
    );
}

#[test]
fn a_priority_lane_outside_1_to_1000_is_refused_naming_the_field() {
    let mut lab = scenario("priority-lanes").lab_of(0);
    for lane in [0, 1_001, u32::MAX] {
        lab.command_side.priority_lane = Some(lane);
        let refused = lab.check().map_err(|e| e.to_string());
        assert_eq!(
            refused,
            Err(format!(
                "commandSide.priorityLane is {lane}, but must be from 1 to 1000"
            ))
        );
    }
    lab.command_side.priority_lane = Some(1_000);
    assert_eq!(lab.check(), Ok(()));
}

#[test]
fn the_questions_arrive_after_the_scenarios_and_a_broken_bank_is_said() {
    let scenarios =
        Library::parse(include_str!("../static/scenarios.json")).expect("the scenarios check");
    assert!(scenarios.scenarios.iter().all(|s| s.quiz.is_empty()));
    let mut guide = Guide::default();
    guide.update(GuideMsg::Loaded(Ok(scenarios)));
    guide.update(GuideMsg::Stage(StageMsg::GoTo(2)));
    assert!(guide.study.picked.is_empty(), "no questions yet");
    guide.update(GuideMsg::QuestionsLoaded(Err("offline".into())));
    assert_eq!(guide.questions_failed.as_deref(), Some("offline"));
    guide.update(GuideMsg::QuestionsLoaded(Ok("{\"quizzes\": []}".into())));
    assert!(guide
        .questions_failed
        .as_deref()
        .is_some_and(|why| why.contains("not exactly one quiz")));
    guide.update(GuideMsg::QuestionsLoaded(Ok(include_str!(
        "../static/questions.json"
    )
    .into())));
    assert_eq!(guide.questions_failed, None);
    assert_eq!(guide.stage.step, 2, "the scenario keeps its step");
    let quiz = &guide.scenario().expect("scenario").quiz;
    assert!(quiz.len() >= 6);
    assert_eq!(guide.study.picked.len(), quiz.len());
}

#[test]
fn a_knob_change_to_no_failing_projection_reads_null_as_none_failing() {
    use cqrs_lab::scenarios::lab::KnobChange;
    let clear: KnobChange = serde_json::from_str(r#"{"failing": null}"#).expect("valid");
    assert_eq!(
        clear.failing,
        Some(None),
        "null clears the failing projection"
    );
    let absent: KnobChange = serde_json::from_str("{}").expect("valid");
    assert_eq!(absent.failing, None, "absent leaves it as it is");
    let back: KnobChange =
        serde_json::from_str(&serde_json::to_string(&clear).expect("writes")).expect("reads");
    assert_eq!(back, clear);
}

#[test]
fn choosing_the_messaging_service_shows_each_transports_signature_at_its_steps() {
    let s = scenario("messaging");
    let names: Vec<&str> = s.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    let summary = ProjectionName::OrderSummary;
    for (v, name) in names.iter().enumerate() {
        let (unordered, dead_letters, lost, waits_for_grid) =
            (v == 0 || v == 2, v == 1, v == 3 || v == 4, v == 2);
        // Step 1: order kept or not (deferrals only where an order's events overtake).
        let run = at_step("messaging", v, 1);
        let deferrals = run.sim().engine.metrics().deferred;
        assert_eq!(deferrals > 0, unordered, "{name}: {deferrals} deferrals");
        let crash = run
            .notes()
            .iter()
            .find(|(_, n)| n.starts_with("Crashed"))
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        assert_eq!(
            crash.contains("Event Hubs kept them"),
            v == 3,
            "{name}: {crash}"
        );
        // Step 2: the failure redelivered, dead-lettered, waiting 10 s, or lost.
        let run = at_step("messaging", v, 2);
        let bus = run.sim().engine.event_bus();
        assert_eq!(!bus.dead_letters().is_empty(), dead_letters, "{name}");
        assert_eq!(bus.dropped().len(), usize::from(lost), "{name}");
        // Steps 3 and 4: caught up, or still 1 behind (Event Grid until its 10 s retry).
        for (step, behind) in [(3, lost || waits_for_grid), (4, lost)] {
            let run = at_step("messaging", v, step);
            let head = run.sim().store.head();
            let checkpoint = run.sim().engine.projection(summary).map(|p| p.checkpoint());
            assert_eq!(checkpoint < Some(head), behind, "{name} at step {step}");
        }
        // Step 5: the rebuild from the store heals every transport.
        let run = at_step("messaging", v, 5);
        let sim = run.sim();
        for p in sim.engine.projections() {
            assert!(p.divergence(sim.store.events()).is_empty(), "{name}");
            assert_eq!(p.checkpoint(), sim.store.head(), "{name}: {:?}", p.name);
        }
    }
}
