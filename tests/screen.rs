//! The screen model with the page's engine session on the in-memory store: what a
//! user's clicks do, without a browser (the browser runs the same on IndexedDB).

use cqrs_lab::app::clock::MAX_FRAME_MS;
use cqrs_lab::app::confirm::Confirm;
use cqrs_lab::app::controller::Controller;
use cqrs_lab::app::durability::Durability;
use cqrs_lab::app::form::{CommandKind, Field};
use cqrs_lab::app::hunter::Phase as HuntPhase;
use cqrs_lab::app::log_view::{LogTail, Refusal, EVENTS_PER_PAGE, JOURNAL_LIMIT};
use cqrs_lab::app::page_io::{Announcement, MemoryPage, PageHost, PageStore};
use cqrs_lab::app::privacy_view::{describe, reveal};
use cqrs_lab::app::screen::{
    ControlsMsg, DataMsg, DataStatus, ExportFormat, Feedback, HuntMsg, Msg, PrivacyMsg, Request,
    Screen, Storage, TableMsg, TravelMsg, WINDOW_READ,
};
use cqrs_lab::app::session::{run_in_memory, Session};
use cqrs_lab::domain::envelope::SharedEvent;
use cqrs_lab::domain::ids::{GlobalPosition, OrderId, StreamVersion, VirtualMillis};
use cqrs_lab::domain::order::{OrderCommand, OrderStatus, Rejection};
use cqrs_lab::engine::config::{page_config, ProjectionMode};
use cqrs_lab::engine::knobs::{Knobs, Lag};
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::transfer::{export_json, import_json};
use cqrs_lab::store::ProjectionName;
use std::cell::{Ref, RefCell};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};

/// What the page's host did, for the tests to read.
#[derive(Default)]
struct TestHost {
    /// The requests for persistent storage (true) and for the usage (false).
    durability: RefCell<Vec<bool>>,
    /// What this page told other tabs.
    announced: RefCell<Vec<Announcement>>,
    /// Files offered for download: name and text.
    saved: RefCell<Vec<(String, String)>>,
}

/// Numbers the sessions' tokens, across pages (two pages on one store are two tabs).
static TOKENS: AtomicU32 = AtomicU32::new(0);

impl PageHost for TestHost {
    fn announce(&self, announcement: Announcement) {
        self.announced.borrow_mut().push(announcement);
    }
    fn keep_marker(&self, _in_flight: &[String]) {}
    fn save_file(&self, file: &str, text: &str) -> Result<(), String> {
        self.saved.borrow_mut().push((file.into(), text.into()));
        Ok(())
    }
    fn storage_changed(&self, _storage: Storage) {}
    fn warn(&self, text: &str) {
        panic!("the controller warned: {text}");
    }
    fn token(&self) -> String {
        format!("tab{}", TOKENS.fetch_add(1, Ordering::Relaxed) + 1)
    }
    async fn durability(&self, persist: bool) -> Option<Durability> {
        self.durability.borrow_mut().push(persist);
        Some(Durability {
            persisted: Some(false),
            usage: Some((1_000, 1_000_000)),
            asked: persist,
        })
    }
}

/// Carries a future out that needs no waiting: the memory store answers at once.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the memory store answers at once"),
    }
}

/// Most frames one update plays before the test calls the engine stuck.
const MAX_FRAMES: usize = 10_000;

/// The screen and the page's controller on a memory store playing IndexedDB: the
/// page without the browser, run as `web::app` runs it.
struct Page {
    screen: Screen,
    controller: Controller<MemoryPage, TestHost>,
    /// How many reads of the event table's window were asked for.
    reads: usize,
}

impl Page {
    fn new() -> Self {
        Page::on(MemoryPage::lasting())
    }

    /// A page opened on a store, as `web::app::start` opens one.
    fn on(store: MemoryPage) -> Self {
        let controller = Controller::new(store, TestHost::default(), page_config().seed);
        let (tail, storage) = now(controller.open(Storage::Persistent)).expect("readable");
        let mut page = Page {
            screen: Screen::default(),
            controller,
            reads: 0,
        };
        page.screen.update(Msg::TailRead(tail.clone()));
        let recovery = now(page.controller.recover(&tail, None));
        page.screen.update(Msg::Data(DataMsg::Recovered(recovery)));
        page.screen
            .update(Msg::Data(DataMsg::StorageOpened(storage)));
        now(page.controller.catch_up());
        let head = page.screen.log.head();
        let events = now(page.controller.events_after(head));
        page.update(Msg::EventsRead(events));
        page
    }

    /// The store's events.
    fn events(&self) -> Vec<SharedEvent> {
        self.controller.store().store().events().to_vec()
    }

    /// The session's engine, to read.
    fn engine(&self) -> Ref<'_, Engine> {
        Ref::map(self.controller.session(), |s| {
            s.as_ref().expect("a session").engine()
        })
    }

    /// What the page does after each message: clicked commands go to the controller's
    /// queue at once, other requests are carried out one at a time, and while the
    /// clock plays, frames run until the engine has nothing left to do.
    fn update(&mut self, msg: Msg) {
        self.screen.update(msg);
        let mut frames = 0;
        loop {
            for (order_id, command) in self.screen.take_sends() {
                self.controller.accept(order_id, command);
            }
            let head = self.screen.log.head();
            if let Some(request) = self.screen.take_request() {
                self.reads += usize::from(matches!(request, Request::ReadRange { .. }));
                let answer = now(self.controller.handle(request, head));
                self.screen.update(answer);
            } else if self.screen.controls.clock.playing && !self.controller.is_idle() {
                frames += 1;
                assert!(frames < MAX_FRAMES, "the engine never came to rest");
                let clock = &self.screen.controls.clock;
                let (by, window) = (clock.advance(MAX_FRAME_MS), clock.pulse_window(false));
                let answer = now(self.controller.play(by, window, head));
                self.screen.update(answer);
            } else {
                break;
            }
        }
    }
}

fn click(page: &mut Page, kind: CommandKind) {
    page.update(Msg::ClickedCommand(kind));
}

fn types(page: &Page) -> Vec<&'static str> {
    page.screen
        .log
        .tail()
        .iter()
        .map(|e| e.event_type())
        .collect()
}

#[test]
fn the_default_form_walks_an_order_through_its_whole_life() {
    let mut page = Page::new();
    for kind in [
        CommandKind::CreateOrder,
        CommandKind::AddItem,
        CommandKind::SubmitOrder,
        CommandKind::ReceivePayment,
        CommandKind::ShipOrder,
    ] {
        click(&mut page, kind);
        assert!(
            matches!(&page.screen.feedback, Feedback::Handled(o) if o.result.is_ok()),
            "{kind:?}: {:?}",
            page.screen.feedback
        );
    }
    assert_eq!(
        types(&page),
        [
            "OrderCreated",
            "ItemAdded",
            "OrderSubmitted",
            "PaymentReceived",
            "OrderShipped"
        ]
    );
}

#[test]
fn events_get_contiguous_versions_per_stream_and_increasing_positions() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::EditedField(Field::OrderId, "order-2".into()));
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::EditedField(Field::OrderId, "order-1".into()));
    click(&mut page, CommandKind::AddItem);
    let rows: Vec<(&str, u64, u64)> = page
        .screen
        .log
        .tail()
        .iter()
        .map(|e| {
            (
                e.stream_id.as_str(),
                e.stream_version.0,
                e.global_position.0,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("order-1", 1, 1), ("order-2", 1, 2), ("order-1", 2, 3)]
    );
}

#[test]
fn a_rejected_command_records_nothing_and_says_why() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::SubmitOrder);
    assert_eq!(page.screen.log.tail().len(), 1);
    let Feedback::Handled(outcome) = &page.screen.feedback else {
        panic!("expected a handled command, got {:?}", page.screen.feedback);
    };
    assert_eq!(
        outcome.result,
        Err(Refusal::Rejected(Rejection::EmptyOrder))
    );
    assert_eq!(
        outcome.describe(),
        "SubmitOrder on order-1 was rejected: an empty order cannot be submitted: add an item first. No event was recorded."
    );
}

#[test]
fn an_unreadable_field_is_named_and_nothing_is_sent() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::EditedField(Field::UnitPrice, "12,50".into()));
    click(&mut page, CommandKind::AddItem);
    let error = page
        .screen
        .field_error(Field::UnitPrice)
        .expect("unit price is named");
    assert_eq!(
        error.to_string(),
        "Unit price must be an amount such as 12.50"
    );
    assert_eq!(page.screen.log.tail().len(), 1);
    assert_eq!(
        page.screen.log.journal().count(),
        1,
        "the bad click sent no command"
    );
}

#[test]
fn editing_the_bad_field_clears_its_error() {
    let mut page = Page::new();
    page.update(Msg::EditedField(Field::OrderId, "order 1".into()));
    click(&mut page, CommandKind::CreateOrder);
    assert!(page.screen.field_error(Field::OrderId).is_some());
    page.update(Msg::EditedField(Field::OrderId, "order-1".into()));
    assert_eq!(page.screen.feedback, Feedback::Idle);
}

#[test]
fn closing_the_answer_to_a_command_leaves_the_log_and_journal_as_they_are() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    assert!(matches!(&page.screen.feedback, Feedback::Handled(o) if o.result.is_ok()));
    page.update(Msg::DismissedFeedback);
    assert_eq!(page.screen.feedback, Feedback::Idle);
    assert_eq!(page.screen.log.tail().len(), 1, "the event stays");
    assert_eq!(
        page.screen.log.journal().count(),
        1,
        "the outcome stays in the log"
    );
}

#[test]
fn the_write_model_follows_the_targeted_order() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    click(&mut page, CommandKind::SubmitOrder);
    let target = page.screen.target_order().expect("a valid id");
    let stream = page.screen.log.stream(&target).expect("order-1 has events");
    assert_eq!(stream.version, StreamVersion(3));
    match &stream.state {
        cqrs_lab::domain::order::OrderState::Created(order) => {
            assert_eq!(order.status, OrderStatus::Submitted);
            assert_eq!(order.total().to_string(), "$25.00");
        }
        other => panic!("expected an order, got {other:?}"),
    }
}

#[test]
fn clicking_an_event_opens_its_json_and_clicking_again_closes_it() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::Table(TableMsg::ClickedEvent(GlobalPosition(1))));
    let open = page.screen.selected_event().expect("event 1 is open");
    assert!(open
        .to_pretty_json()
        .contains("\"eventType\": \"OrderCreated\""));
    page.update(Msg::Table(TableMsg::ClickedEvent(GlobalPosition(1))));
    assert!(page.screen.selected_event().is_none());
    page.update(Msg::Table(TableMsg::ClickedEvent(GlobalPosition(9))));
    assert!(page.screen.selected_event().is_none(), "no such event");
}

#[test]
fn the_journal_keeps_only_the_most_recent_outcomes() {
    let mut page = Page::new();
    for _ in 0..JOURNAL_LIMIT + 5 {
        click(&mut page, CommandKind::SubmitOrder);
    }
    assert_eq!(page.screen.log.journal().count(), JOURNAL_LIMIT);
    let first = page.screen.log.journal().next().expect("an outcome");
    assert!(
        first.command_id.as_str().ends_with("-6"),
        "{}",
        first.command_id
    );
}

#[test]
fn virtual_time_advances_per_command_not_with_the_wall_clock() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    let times: Vec<u64> = page
        .screen
        .log
        .tail()
        .iter()
        .map(|e| e.recorded_at.0)
        .collect();
    assert!(times[0] > 0 && times[1] > times[0], "{times:?}");
}

#[test]
fn a_stale_write_from_another_tab_is_a_visible_conflict() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    // Another tab appends to order-1 between this tab's read and its append: its own
    // session against the same store.
    let mut other = Session::new("tab2");
    let order = OrderId::parse("order-1").expect("valid");
    let item = OrderCommand::AddItem {
        product_id: cqrs_lab::domain::ids::ProductId::parse("p").expect("valid"),
        product_name: "Other tab".into(),
        unit_price: cqrs_lab::domain::money::Cents(100),
        quantity: 1,
    };
    // This tab's handler loads order-1 (version 1) and decides, one step at a time...
    page.update(Msg::Controls(ControlsMsg::ClickedPause));
    let loads = |page: &Page| {
        page.engine()
            .trace()
            .hops()
            .filter(|h| matches!(&h.kind, HopKind::AggregateLoaded { stream_id, .. } if stream_id == &order))
            .count()
    };
    let before = loads(&page);
    click(&mut page, CommandKind::AddItem);
    while loads(&page) == before {
        page.update(Msg::Controls(ControlsMsg::ClickedStep));
    }
    // ...then the other tab appends first.
    let theirs = other.send(order.clone(), item);
    run_in_memory(&mut other, &mut page.controller.store().store_mut());
    assert!(other.outcome(&theirs).expect("handled").result.is_ok());
    page.update(Msg::Controls(ControlsMsg::ClickedPlay));
    let Feedback::Handled(outcome) = &page.screen.feedback else {
        panic!("handled: {:?}", page.screen.feedback);
    };
    assert_eq!(
        outcome.result,
        Err(Refusal::Conflict {
            expected: StreamVersion(1),
            actual: StreamVersion(2)
        })
    );
    assert!(
        outcome.describe().contains("concurrency conflict"),
        "{}",
        outcome.describe()
    );
    assert_eq!(
        page.controller.store().store().stream_version(&order),
        StreamVersion(2)
    );
}

#[test]
fn clicking_a_stream_targets_that_order() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::EditedField(Field::OrderId, "order 2".into()));
    click(&mut page, CommandKind::CreateOrder);
    assert!(page.screen.field_error(Field::OrderId).is_some());
    page.update(Msg::ClickedStream(
        OrderId::parse("order-1").expect("valid"),
    ));
    assert_eq!(page.screen.form.get(Field::OrderId), "order-1");
    assert_eq!(
        page.screen.feedback,
        Feedback::Idle,
        "the stale error is gone"
    );
}

#[test]
fn one_question_at_a_time_asking_another_withdraws_the_first() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::Data(DataMsg::ClickedReset));
    page.update(Msg::Privacy(PrivacyMsg::ClickedForget));
    // Only the newest question stands: the page never shows two confirmations.
    assert!(matches!(page.screen.confirming, Some(Confirm::Forget(_))));
    // A stale answer to the withdrawn question does nothing.
    page.update(Msg::Data(DataMsg::ConfirmedReset));
    assert_eq!(page.screen.log.tail().len(), 1, "nothing deleted");
    assert!(matches!(page.screen.confirming, Some(Confirm::Forget(_))));
    page.update(Msg::Data(DataMsg::CancelledReset));
    assert!(
        page.screen.confirming.is_some(),
        "cancelling another question keeps it"
    );
}

#[test]
fn reset_asks_first_and_then_empties_the_log() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::Data(DataMsg::ClickedReset));
    assert_eq!(page.screen.confirming, Some(Confirm::Reset));
    assert_eq!(page.screen.log.tail().len(), 1, "nothing deleted yet");
    page.update(Msg::Data(DataMsg::CancelledReset));
    assert_eq!(page.screen.confirming, None);
    assert_eq!(page.screen.log.tail().len(), 1);
    page.update(Msg::Data(DataMsg::ClickedReset));
    page.update(Msg::Data(DataMsg::ConfirmedReset));
    assert!(page.screen.log.tail().is_empty());
    assert!(page.screen.log.journal().next().is_none());
    assert!(matches!(page.screen.data.status, DataStatus::Done(_)));
    click(&mut page, CommandKind::CreateOrder);
    assert_eq!(
        types(&page),
        ["OrderCreated"],
        "the store starts again at 1"
    );
}

#[test]
fn a_bad_import_changes_nothing_and_names_the_record_and_field() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    let export = export_json(&page.events());
    page.update(Msg::Data(DataMsg::ChoseImportFile {
        name: "broken.json".into(),
        text: export.replacen("\"streamVersion\": 2", "\"streamVersion\": 9", 1),
    }));
    let DataStatus::Failed(why) = &page.screen.data.status else {
        panic!("expected a refusal, got {:?}", page.screen.data.status);
    };
    assert!(why.contains("broken.json was not imported"), "{why}");
    assert!(
        why.contains("event record 1") && why.contains("`streamVersion`"),
        "{why}"
    );
    assert_eq!(types(&page), ["OrderCreated", "ItemAdded"]);
    assert_eq!(page.events().len(), 2);
}

#[test]
fn a_good_import_replaces_the_log_and_commands_continue_on_it() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    let export = export_json(&page.events());
    page.update(Msg::Data(DataMsg::ClickedReset));
    page.update(Msg::Data(DataMsg::ConfirmedReset));
    page.update(Msg::Data(DataMsg::ClickedExport(ExportFormat::Envelopes)));
    assert_eq!(
        page.screen.data.status,
        DataStatus::Done("Exported 0 events to cqrs-lab-events.json.".into())
    );
    let saved = page.controller.host().saved.borrow().clone();
    let (file, text) = saved.last().expect("a download");
    assert_eq!(file, "cqrs-lab-events.json");
    assert!(import_json(text).expect("an export").is_empty());
    page.update(Msg::Data(DataMsg::ChoseImportFile {
        name: "good.json".into(),
        text: export,
    }));
    assert_eq!(types(&page), ["OrderCreated", "ItemAdded"]);
    click(&mut page, CommandKind::SubmitOrder);
    assert_eq!(
        types(&page),
        ["OrderCreated", "ItemAdded", "OrderSubmitted"]
    );
    assert_eq!(page.screen.log.tail()[2].stream_version, StreamVersion(3));
}

#[test]
fn the_event_table_reads_the_part_scrolled_to_and_holds_a_bounded_window() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    for _ in 0..999 {
        click(&mut page, CommandKind::AddItem);
    }
    let held = |page: &Page, from: u64, to: u64| {
        (from..=to)
            .filter(|p| page.screen.event_at(GlobalPosition(*p)).is_some())
            .count() as u64
    };
    assert_eq!(EVENTS_PER_PAGE, 100);
    assert_eq!(
        page.screen.log.tail().len(),
        100,
        "only the newest are held"
    );
    assert_eq!(page.screen.log.count(), 1000);
    assert_eq!(held(&page, 901, 1000), 100);
    assert_eq!(held(&page, 1, 900), 0);
    // Scrolled to positions 401-440: they are read, with a margin either side.
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(401),
        last: GlobalPosition(440),
    }));
    assert_eq!(held(&page, 401, 440), 40);
    assert_eq!(held(&page, 1, 900), WINDOW_READ, "one window is held");
    let at = |page: &Page, p: u64| {
        page.screen
            .event_at(GlobalPosition(p))
            .map(|e| e.global_position.0)
    };
    assert_eq!(at(&page, 420), Some(420));
    // Scrolling within the window reads nothing more; scrolling past it moves it.
    let asked = page.reads;
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(410),
        last: GlobalPosition(450),
    }));
    assert_eq!(page.reads, asked, "held already: nothing read");
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(1),
        last: GlobalPosition(40),
    }));
    assert_eq!(held(&page, 1, 40), 40);
    assert_eq!(held(&page, 401, 440), 0, "the old window was let go");
    // New events arrive while scrolled up: the window stays; the newest are held too.
    click(&mut page, CommandKind::AddItem);
    assert_eq!(at(&page, 1), Some(1));
    assert_eq!(at(&page, 1001), Some(1001));
    // A range past the head, or empty, reads nothing.
    let asked = page.reads;
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(2000),
        last: GlobalPosition(2040),
    }));
    assert_eq!(page.reads, asked);
}

#[test]
fn an_answer_for_a_log_since_replaced_changes_nothing() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    for _ in 0..149 {
        click(&mut page, CommandKind::AddItem);
    }
    let events = page.events();
    // The log is replaced by one as long (an import): the newest 100 are held.
    page.update(Msg::Replaced {
        tail: LogTail {
            events: events.clone(),
            count: 150,
        },
        note: "imported".into(),
        dropped: Vec::new(),
    });
    assert!(page.screen.event_at(GlobalPosition(1)).is_none());
    // An answer asked of the old log arrives late: it is not shown.
    page.update(Msg::Table(TableMsg::RangeRead {
        first: GlobalPosition(1),
        log: 0,
        events: events[..10].to_vec(),
    }));
    assert!(page.screen.event_at(GlobalPosition(1)).is_none());
    // Asked of this log, the same positions are read and shown.
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(1),
        last: GlobalPosition(10),
    }));
    assert_eq!(
        page.screen
            .event_at(GlobalPosition(1))
            .map(|e| e.global_position.0),
        Some(1)
    );
}

#[test]
fn an_event_stays_open_while_the_table_scrolls_away_from_it() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    for _ in 0..299 {
        click(&mut page, CommandKind::AddItem);
    }
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(1),
        last: GlobalPosition(30),
    }));
    page.update(Msg::Table(TableMsg::ClickedEvent(GlobalPosition(5))));
    assert_eq!(
        page.screen.selected_event().map(|e| e.global_position.0),
        Some(5)
    );
    page.update(Msg::Table(TableMsg::ScrolledEvents {
        first: GlobalPosition(250),
        last: GlobalPosition(280),
    }));
    assert_eq!(
        page.screen.selected_event().map(|e| e.global_position.0),
        Some(5)
    );
    page.update(Msg::Table(TableMsg::ClickedEvent(GlobalPosition(5))));
    assert!(
        page.screen.selected_event().is_none(),
        "a second click closes it"
    );
}

#[test]
fn the_targeted_order_is_read_from_the_store_and_kept_up_to_date() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    // A page that starts on this log reads only its tail, and the order its form
    // targets from the order's stream.
    let store = MemoryPage::lasting();
    *store.store_mut() = page.controller.store().store().clone();
    let mut fresh = Page::on(store);
    let target = OrderId::parse("order-1").expect("valid");
    let stream = fresh.screen.log.stream(&target).expect("read");
    assert_eq!(stream.version, StreamVersion(2));
    click(&mut fresh, CommandKind::SubmitOrder);
    let stream = fresh.screen.log.stream(&target).expect("kept");
    assert_eq!(stream.version, StreamVersion(3));
    assert!(matches!(
        &stream.state,
        cqrs_lab::domain::order::OrderState::Created(o) if o.status == OrderStatus::Submitted
    ));
    // An order with no events reads as version 0.
    fresh.update(Msg::EditedField(Field::OrderId, "order-9".into()));
    let empty = OrderId::parse("order-9").expect("valid");
    assert_eq!(
        fresh.screen.log.stream(&empty).map(|s| s.version),
        Some(StreamVersion(0))
    );
}

#[test]
fn only_the_most_recently_changed_orders_are_listed() {
    let mut page = Page::new();
    for n in 1..=35 {
        page.update(Msg::EditedField(Field::OrderId, format!("order-{n:02}")));
        click(&mut page, CommandKind::CreateOrder);
    }
    let (listed, more) = page.screen.listed_streams();
    assert_eq!(listed.len(), 30);
    assert!(more, "older orders exist beyond the list");
    assert_eq!(listed.first().map(|(id, _)| id.as_str()), Some("order-06"));
    assert_eq!(listed.last().map(|(id, _)| id.as_str()), Some("order-35"));
    assert!(listed.iter().all(|(_, v)| *v == StreamVersion(1)));
}

#[test]
fn another_tabs_replacement_waits_behind_the_work_under_way_and_is_done_once() {
    let mut screen = Screen::default();
    screen.update(Msg::EditedField(Field::OrderId, "order-1".into()));
    assert!(matches!(
        screen.take_request(),
        Some(Request::ReadStream(_))
    ));
    screen.update(Msg::ClickedCommand(CommandKind::CreateOrder));
    screen.update(Msg::OtherTabReplaced);
    screen.update(Msg::OtherTabReplaced);
    assert!(matches!(screen.take_request(), Some(Request::Send { .. })));
    assert_eq!(screen.take_request(), Some(Request::Reload));
    assert_eq!(screen.take_request(), None);
}

#[test]
fn the_clock_plays_pauses_steps_and_reads_speed_and_seed() {
    use cqrs_lab::app::clock::{REAL_TIME, SPEEDS};
    let mut screen = Screen::default();
    assert!(
        screen.controls.clock.playing,
        "the simulation plays from the start"
    );
    assert_eq!(screen.controls.clock.speed, REAL_TIME);
    assert_eq!(screen.controls.clock.speed_label(), "1× real time");
    assert_eq!(screen.controls.clock.advance(16.0), VirtualMillis(16));
    assert_eq!(
        screen.controls.clock.advance(5_000.0),
        VirtualMillis(100),
        "a long pause is one short step"
    );
    screen.update(Msg::Controls(ControlsMsg::ChoseSpeed(SPEEDS.len() + 5)));
    assert_eq!(
        screen.controls.clock.speed,
        SPEEDS.len() - 1,
        "clamped to the slider"
    );
    assert_eq!(
        screen.controls.clock.speed_label(),
        "200× faster than real time"
    );
    assert_eq!(screen.controls.clock.advance(10.0), VirtualMillis(2_000));
    screen.update(Msg::Controls(ControlsMsg::ChoseSpeed(0)));
    assert_eq!(screen.controls.clock.speed_label(), "0.1× (slow motion)");
    screen.update(Msg::Controls(ControlsMsg::ClickedPause));
    assert_eq!(
        screen.controls.clock.advance(16.0),
        VirtualMillis(0),
        "paused: time stands still"
    );
    screen.update(Msg::Controls(ControlsMsg::ClickedPlay));
    assert!(screen.controls.clock.playing);
    // Step pauses and asks the runtime for one task.
    screen.update(Msg::EditedField(Field::OrderId, "".into()));
    while screen.take_request().is_some() {}
    screen.update(Msg::Controls(ControlsMsg::ClickedStep));
    assert!(!screen.controls.clock.playing);
    assert_eq!(screen.take_request(), Some(Request::Step));
    // A seed is a whole number; anything else is named and changes nothing.
    screen.update(Msg::Controls(ControlsMsg::EditedSeed("42".into())));
    assert_eq!(screen.take_request(), Some(Request::Reseed(42)));
    screen.update(Msg::Controls(ControlsMsg::EditedSeed("4x2".into())));
    assert_eq!(screen.controls.clock.seed, 42);
    assert!(screen
        .controls
        .clock
        .seed_error
        .as_deref()
        .is_some_and(|e| e.starts_with("Seed must be")));
    assert_eq!(screen.take_request(), None);
}

#[test]
fn stepping_moves_a_command_one_hop_at_a_time_to_its_outcome() {
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ClickedStep)); // nothing to do yet: harmless
                                                          // Queue a command in the engine without running it, as a paused page does.
                                                          // A command queued without running, as a paused page does.
    page.update(Msg::Controls(ControlsMsg::ClickedPause));
    click(&mut page, CommandKind::CreateOrder);
    let mut steps = 0;
    while page.screen.log.count() == 0 {
        page.update(Msg::Controls(ControlsMsg::ClickedStep));
        steps += 1;
        assert!(
            steps < 10,
            "the command reaches the store within a few hops"
        );
    }
    assert!(
        steps >= 2,
        "queued, then handled: more than one hop ({steps})"
    );
    assert!(matches!(&page.screen.feedback, Feedback::Handled(o) if o.result.is_ok()));
    let diagram = page.screen.controls.diagram.as_ref().expect("a diagram");
    assert_eq!(diagram.appended, 1);
}

#[test]
fn fault_knobs_reach_the_engine_and_a_crash_reports_what_it_lost() {
    use cqrs_lab::engine::config::LagDistribution;
    use cqrs_lab::engine::knobs::Lag;
    use cqrs_lab::engine::rng::PerMillion;
    use cqrs_lab::store::ProjectionName;
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ChoseDuplicateRate(250)));
    page.update(Msg::Controls(ControlsMsg::ChoseLag(Lag::Uniform)));
    page.update(Msg::Controls(ControlsMsg::ToggledReorder(true)));
    page.update(Msg::Controls(ControlsMsg::ToggledOutbox(false)));
    page.update(Msg::Controls(ControlsMsg::ChoseFailing(Some(
        ProjectionName::RevenuePerDay,
    ))));
    let config = page.engine().config().clone();
    assert_eq!(
        config.bus.duplicate_rate,
        PerMillion::percent(100),
        "clamped to 100 %"
    );
    assert!(matches!(config.bus.lag, LagDistribution::Uniform(_, _)));
    assert!(!config.bus.ordered_partitions);
    assert!(!config.outbox);
    assert_eq!(config.bus.failing, [ProjectionName::RevenuePerDay]);
    assert_eq!(page.screen.controls.knobs.duplicate_percent, 100);

    page.update(Msg::Controls(ControlsMsg::ClickedCrash));
    let report = page
        .screen
        .controls
        .crash_report
        .as_deref()
        .expect("a report");
    assert!(
        report.contains("Crashed and restarted: 0 bus messages in flight lost"),
        "{report}"
    );
    assert!(!page.engine().is_down(), "recovered at once");
    // The lab still works after the crash.
    click(&mut page, CommandKind::CreateOrder);
    assert!(matches!(&page.screen.feedback, Feedback::Handled(o) if o.result.is_ok()));
}

#[test]
fn a_projection_switches_handling_rebuilds_and_resubmits_its_dead_letters() {
    use cqrs_lab::engine::config::ProjectionMode;
    use cqrs_lab::store::ProjectionName::{OrderSummary, RevenuePerDay};
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ToggledIdempotent(
        OrderSummary,
        false,
    )));
    let mode = |page: &Page| page.engine().projection(OrderSummary).map(|p| p.mode);
    assert_eq!(mode(&page), Some(ProjectionMode::Naive));
    page.update(Msg::Controls(ControlsMsg::ToggledIdempotent(
        OrderSummary,
        true,
    )));
    assert_eq!(mode(&page), Some(ProjectionMode::Idempotent));

    // A failing projection dead-letters after the max delivery count...
    page.update(Msg::Controls(ControlsMsg::ChoseFailing(Some(
        RevenuePerDay,
    ))));
    click(&mut page, CommandKind::CreateOrder);
    let bus = |page: &Page| page.engine().event_bus().dead_letters().len();
    assert_eq!(bus(&page), 1);
    // ...and once fixed, a resubmission lets it catch up.
    page.update(Msg::Controls(ControlsMsg::ChoseFailing(None)));
    page.update(Msg::Controls(ControlsMsg::ClickedResubmit(RevenuePerDay)));
    assert_eq!(bus(&page), 0);
    let checkpoint = |page: &Page, name| page.engine().projection(name).map(|p| p.checkpoint());
    assert_eq!(checkpoint(&page, RevenuePerDay), Some(GlobalPosition(1)));

    // A rebuild replays the store into the same rows.
    let rows = |page: &Page| {
        page.engine()
            .projection(OrderSummary)
            .map(|p| p.model().rows())
    };
    let before = rows(&page);
    page.update(Msg::Controls(ControlsMsg::ClickedRebuild(OrderSummary)));
    assert_eq!(rows(&page), before);
    assert!(page.engine().rebuild(OrderSummary).is_none(), "finished");
}

#[test]
fn time_travel_shows_the_order_and_read_models_as_they_were() {
    use cqrs_lab::domain::order::OrderState;
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    click(&mut page, CommandKind::SubmitOrder);
    page.update(Msg::Travel(TravelMsg::ChoseTravel(1)));
    let then = page.screen.travel.view.clone().expect("travelled");
    assert_eq!(then.position, GlobalPosition(1));
    let (id, state) = then.order.expect("the targeted order");
    assert_eq!(id.as_str(), "order-1");
    assert!(
        matches!(state, OrderState::Created(o) if o.status == OrderStatus::Draft && o.lines.is_empty())
    );
    let summary = &then.models[0];
    assert_eq!(
        summary.rows,
        [("order-1".to_owned(), "Draft, 0 items, $0.00".to_owned())]
    );
    // Beyond the head is the head; before the first event nothing existed.
    page.update(Msg::Travel(TravelMsg::ChoseTravel(99)));
    assert_eq!(
        page.screen.travel.view.as_ref().map(|t| t.position),
        Some(GlobalPosition(3))
    );
    page.update(Msg::Travel(TravelMsg::ChoseTravel(0)));
    let start = page.screen.travel.view.clone().expect("travelled");
    assert!(matches!(start.order, Some((_, OrderState::NotCreated))));
    assert!(start.models.iter().all(|m| m.total == 0));
    page.update(Msg::Travel(TravelMsg::ClickedNow));
    assert_eq!(page.screen.travel.view, None);
}

#[test]
fn schema_v2_fails_projections_on_v1_code_until_the_upcaster_is_deployed() {
    use cqrs_lab::domain::ids::SchemaVersion;
    use cqrs_lab::store::ProjectionName;
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::Controls(ControlsMsg::ClickedDeployV2));
    page.update(Msg::EditedField(Field::OrderId, "order-2".into()));
    click(&mut page, CommandKind::CreateOrder);
    let engine = page.engine();
    assert_eq!(engine.config().write_schema, SchemaVersion(2));
    assert_eq!(
        engine.event_bus().dead_letters().len(),
        3,
        "one per projection"
    );
    drop(engine);
    page.update(Msg::Controls(ControlsMsg::ClickedDeployV2)); // deployed once, whatever the clicks
    page.update(Msg::Controls(ControlsMsg::ToggledUpcaster(true)));
    for name in ProjectionName::ALL {
        page.update(Msg::Controls(ControlsMsg::ClickedResubmit(name)));
    }
    let engine = page.engine();
    assert!(engine.event_bus().dead_letters().is_empty());
    let summary = engine
        .projection(ProjectionName::OrderSummary)
        .expect("a projection")
        .model()
        .rows();
    assert_eq!(
        summary.get("order-2").map(String::as_str),
        Some("Draft, 0 items, $0.00 USD")
    );
    let deployments = engine
        .trace()
        .hops()
        .filter(|h| {
            matches!(
                h.kind,
                cqrs_lab::engine::trace::HopKind::WriteSchemaDeployed { .. }
            )
        })
        .count();
    assert_eq!(deployments, 1);
}

#[test]
fn a_script_interleaves_clients_breaks_a_rule_and_retries_once() {
    let mut page = Page::new();
    page.update(Msg::ClickedRunScript);
    let outcomes: Vec<String> = page.screen.log.journal().map(|o| o.describe()).collect();
    assert_eq!(outcomes.len(), 8, "{outcomes:#?}");
    let count = |needle: &str| outcomes.iter().filter(|o| o.contains(needle)).count();
    assert_eq!(count("was rejected"), 1, "{outcomes:#?}");
    assert_eq!(count("was accepted"), 7, "{outcomes:#?}");
    let diagram = page.screen.controls.diagram.as_ref().expect("a diagram");
    assert_eq!(diagram.rejected, 1);
    assert_eq!(page.engine().metrics().commands_duplicate, 1, "the retry");
    // A second run uses new orders.
    page.update(Msg::ClickedRunScript);
    assert!(page
        .screen
        .log
        .recent_streams()
        .any(|(id, _)| id.as_str() == "burst2-a"));
}

#[test]
fn the_lag_chart_samples_how_far_each_projection_is_behind() {
    use cqrs_lab::app::screen::LAG_SAMPLES;
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ClickedPause));
    click(&mut page, CommandKind::CreateOrder);
    for _ in 0..12 {
        page.update(Msg::Controls(ControlsMsg::ClickedStep));
    }
    let lag = &page.screen.controls.lag;
    assert!(
        lag.iter().any(|s| s.events == [1, 1, 1]),
        "appended, not yet applied: {lag:?}"
    );
    let behind = lag
        .iter()
        .find(|s| s.events[0] == 1)
        .expect("a lagging sample");
    assert!(
        behind.ms[0].is_some(),
        "the event is in the tail, so its age is known"
    );
    assert_eq!(lag.back().map(|s| s.events), Some([0, 0, 0]), "caught up");
    assert!(lag.len() <= LAG_SAMPLES);
    assert!(
        lag.iter().zip(lag.iter().skip(1)).all(|(a, b)| a.at < b.at),
        "one sample per moment"
    );
}

#[test]
fn a_form_error_stays_when_an_earlier_command_is_answered_after_it() {
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ClickedPause));
    click(&mut page, CommandKind::CreateOrder);
    page.update(Msg::EditedField(Field::UnitPrice, "twelve".into()));
    click(&mut page, CommandKind::AddItem);
    assert!(matches!(page.screen.feedback, Feedback::Invalid(_)));
    // The create's answer arrives after the refused click: it goes to the journal.
    while page.screen.log.journal().count() == 0 {
        page.update(Msg::Controls(ControlsMsg::ClickedStep));
    }
    assert!(
        matches!(&page.screen.feedback, Feedback::Invalid(e) if e.field == Field::UnitPrice),
        "{:?}",
        page.screen.feedback
    );
    assert_eq!(page.screen.log.journal().count(), 1);
}

#[test]
fn choosing_a_transport_sets_its_documented_defaults_and_keeps_deployments() {
    use cqrs_lab::app::transports::{TransportKind, TransportOption};
    use cqrs_lab::engine::knobs::Knobs;
    use cqrs_lab::engine::transport::{ServiceBus, Transport, DEFAULT_DETECTION_WINDOW};
    let mut page = Page::new();
    assert_eq!(page.screen.controls.knobs.transport, Transport::Lab);
    page.update(Msg::Controls(ControlsMsg::ClickedDeployV2));
    page.update(Msg::Controls(ControlsMsg::ChoseDuplicateRate(50)));
    page.update(Msg::Controls(ControlsMsg::ChoseTransport(
        TransportKind::ServiceBusSessions,
    )));
    let f = page.screen.controls.knobs;
    let Transport::ServiceBus(sb) = f.transport else {
        panic!("Service Bus chosen: {:?}", f.transport);
    };
    assert!(sb.sessions);
    assert_eq!(
        ServiceBus {
            sessions: false,
            ..sb
        },
        ServiceBus::default(),
        "every other setting at its default"
    );
    assert_eq!(sb.duplicate_detection, None, "detection is opt-in");
    assert_eq!(f.duplicate_percent, 0, "no injected duplicates");
    assert!(f.schema_v2, "a deployment is not undone by a profile");
    page.update(Msg::Controls(ControlsMsg::SetTransport(
        TransportOption::DuplicateWindow(10),
    )));
    let Transport::ServiceBus(sb) = page.screen.controls.knobs.transport else {
        panic!("still Service Bus");
    };
    assert_eq!(sb.duplicate_detection, Some(DEFAULT_DETECTION_WINDOW));
    // A setting of another service changes nothing.
    page.update(Msg::Controls(ControlsMsg::SetTransport(
        TransportOption::Partitions(8),
    )));
    assert_eq!(
        page.screen.controls.knobs.transport,
        Transport::ServiceBus(sb)
    );
    page.update(Msg::Controls(ControlsMsg::ChoseTransport(
        TransportKind::Lab,
    )));
    assert_eq!(
        page.screen.controls.knobs,
        Knobs {
            schema_v2: true,
            ..Knobs::default()
        }
    );
    assert!(
        page.engine().config().bus.transport == Transport::Lab,
        "the engine follows the knobs"
    );
}

#[test]
fn a_subscription_gets_its_own_settings_and_loses_them_when_they_match_the_bus_again() {
    use cqrs_lab::app::transports::{TransportKind, TransportOption};
    use cqrs_lab::engine::transport::{ServiceBus, Transport};
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ChoseTransport(
        TransportKind::ServiceBus,
    )));
    let set = |page: &mut Page, option| {
        page.update(Msg::Controls(ControlsMsg::SetTransport(option)));
    };
    let customers = ProjectionName::OrdersPerCustomer;
    page.update(Msg::Controls(ControlsMsg::ChoseScope(Some(customers))));
    set(&mut page, TransportOption::Sessions(true));
    set(&mut page, TransportOption::MaxDeliveryCount(3));
    let own = ServiceBus {
        sessions: true,
        max_delivery_count: 3,
        ..ServiceBus::default()
    };
    let f = page.screen.controls.knobs;
    assert_eq!(f.transport, Transport::ServiceBus(ServiceBus::default()));
    assert_eq!(
        f.subscriptions,
        [None, Some(Transport::ServiceBus(own)), None]
    );
    assert_eq!(
        page.engine().config().bus.transport_of(customers),
        Transport::ServiceBus(own),
        "the engine follows the knobs"
    );
    // Duplicate detection is the topic's: set for every subscription whatever the scope.
    set(&mut page, TransportOption::DuplicateWindow(1));
    let window = Some(VirtualMillis(60_000));
    let f = page.screen.controls.knobs;
    assert!(matches!(f.transport, Transport::ServiceBus(sb) if sb.duplicate_detection == window));
    for name in ProjectionName::ALL {
        assert!(
            matches!(f.transport_of(name), Transport::ServiceBus(sb) if sb.duplicate_detection == window)
        );
    }
    set(&mut page, TransportOption::Sessions(false));
    assert!(
        page.screen.controls.knobs.subscriptions[1].is_some(),
        "3 deliveries still its own"
    );
    set(&mut page, TransportOption::MaxDeliveryCount(10));
    assert_eq!(
        page.screen.controls.knobs.subscriptions, [None; 3],
        "the bus's again"
    );
    // Another service: every subscription starts from its defaults.
    set(&mut page, TransportOption::MaxDeliveryCount(1));
    page.update(Msg::Controls(ControlsMsg::ChoseTransport(
        TransportKind::EventGrid,
    )));
    assert_eq!(page.screen.controls.knobs.subscriptions, [None; 3]);
}

#[test]
fn find_a_failure_hunts_in_frames_shrinks_and_loads_a_case_that_fails_in_the_workbench() {
    let mut page = Page::new();
    click(&mut page, CommandKind::CreateOrder);
    let naive = Knobs {
        duplicate_percent: 30,
        lag: Lag::LongTail,
        modes: [ProjectionMode::Naive; 3],
        ..Knobs::default()
    };
    page.update(Msg::Controls(ControlsMsg::ChoseDuplicateRate(30)));
    page.update(Msg::Controls(ControlsMsg::ChoseLag(Lag::LongTail)));
    for name in ProjectionName::ALL {
        page.update(Msg::Controls(ControlsMsg::ToggledIdempotent(name, false)));
    }
    assert_eq!(page.screen.controls.knobs, naive);
    page.update(Msg::Hunt(HuntMsg::ClickedFindFailure));
    let mut frames = 0;
    while page
        .screen
        .hunting
        .hunt
        .as_ref()
        .is_some_and(|h| !h.is_done())
    {
        page.update(Msg::Hunt(HuntMsg::HuntTick));
        frames += 1;
        assert!(frames < 5_000);
    }
    assert!(frames > 1, "it works across frames");
    let shrunk = match page.screen.hunting.hunt.as_ref().map(|h| h.phase().clone()) {
        Some(HuntPhase::Found { shrunk, .. }) => shrunk,
        other => panic!("found a failure: {other:?}"),
    };
    assert!(shrunk.script.len() <= 5);
    // The stored events are untouched until the user confirms.
    assert_eq!(page.events().len(), 1);
    page.update(Msg::Hunt(HuntMsg::ClickedLoadCase));
    assert_eq!(page.screen.confirming, Some(Confirm::LoadCase));
    page.update(Msg::Hunt(HuntMsg::CancelledLoadCase));
    assert_eq!(page.events().len(), 1);
    page.update(Msg::Hunt(HuntMsg::ClickedLoadCase));
    page.update(Msg::Hunt(HuntMsg::ConfirmedLoadCase));
    assert!(page.screen.hunting.hunt.is_none());
    assert!(
        !page.screen.controls.clock.playing,
        "paused, ready to step through"
    );
    assert_eq!(page.screen.controls.clock.seed, shrunk.seed);
    assert_eq!(page.screen.controls.knobs, shrunk.knobs);
    assert!(page
        .screen
        .hunting
        .note
        .as_deref()
        .is_some_and(|n| n.contains(&shrunk.broken)));
    // The workbench's own engine, run on, breaks the same way.
    page.update(Msg::Controls(ControlsMsg::ClickedPlay));
    let events = page.events();
    let engine = page.engine();
    let wrong: usize = ProjectionName::ALL
        .iter()
        .filter_map(|n| engine.projection(*n))
        .map(|p| p.divergence(&events).len())
        .sum();
    assert!(wrong > 0, "the loaded case fails in the workbench too");
}

#[test]
fn a_hunt_can_be_cancelled_and_says_how_far_it_got() {
    let mut page = Page::new();
    page.update(Msg::Hunt(HuntMsg::ClickedFindFailure));
    page.update(Msg::Hunt(HuntMsg::HuntTick));
    page.update(Msg::Hunt(HuntMsg::HuntTick));
    page.update(Msg::Hunt(HuntMsg::ClickedStopHunt));
    assert!(page.screen.hunting.hunt.is_none());
    assert_eq!(
        page.screen.hunting.note.as_deref(),
        Some("Cancelled after 6 of 500 seeds: no failure so far.")
    );
}

#[test]
fn a_name_and_address_are_sealed_before_the_log_and_forgetting_erases_them_everywhere() {
    let mut page = Page::new();
    page.update(Msg::Privacy(PrivacyMsg::VaultRead {
        file: None,
        seed: 42,
    }));
    page.update(Msg::EditedField(Field::CustomerId, "cust-ana".into()));
    page.update(Msg::EditedField(Field::CustomerName, "Ana Ruiz".into()));
    page.update(Msg::EditedField(
        Field::Address,
        "12 Calle Mayor, Madrid".into(),
    ));
    click(&mut page, CommandKind::CreateOrder);
    assert_eq!(types(&page), vec!["OrderCreated"]);
    let log = export_json(&page.events());
    assert!(log.contains("\"personal\": \"cust-ana:") && !log.contains("Ana Ruiz"));
    assert!(page.screen.take_vault_change(), "a new key to store");
    assert!(!page.screen.take_vault_change(), "stored once");
    let saved = page.screen.privacy.vault.to_text();
    // The read model holds a sealed token; the view opens it with the vault.
    let rows = page
        .engine()
        .projection(ProjectionName::OrdersPerCustomer)
        .expect("projection")
        .model()
        .rows();
    let row = rows.get("cust-ana").expect("row");
    assert!(row.starts_with("1 · ⟦sealed cust-ana:"), "{row}");
    assert!(!row.contains("Ana"));
    assert_eq!(reveal(row, &page.screen.privacy.vault), "1 · Ana Ruiz");
    let stream = |page: &Page| match &page
        .screen
        .log
        .stream(&OrderId::parse("order-1").expect("id"))
    {
        Some(s) => match &s.state {
            cqrs_lab::domain::order::OrderState::Created(o) => o.personal.clone(),
            _ => None,
        },
        None => None,
    };
    page.update(Msg::ClickedStream(OrderId::parse("order-1").expect("id")));
    let sealed = stream(&page).expect("the order's state keeps the sealed data");
    assert_eq!(
        describe(Some(&sealed), &page.screen.privacy.vault).as_deref(),
        Some("Ana Ruiz, 12 Calle Mayor, Madrid")
    );
    // Bad input names its field and sends nothing.
    page.update(Msg::EditedField(Field::CustomerName, String::new()));
    click(&mut page, CommandKind::CreateOrder);
    assert!(
        matches!(&page.screen.feedback, Feedback::Invalid(e) if e.field == Field::CustomerName)
    );
    // Forget: asked first, then the key is gone and every view reads [erased].
    page.update(Msg::Privacy(PrivacyMsg::ClickedForget));
    assert_eq!(
        match &page.screen.confirming {
            Some(Confirm::Forget(c)) => Some(c.as_str()),
            _ => None,
        },
        Some("cust-ana")
    );
    page.update(Msg::Privacy(PrivacyMsg::CancelledForget));
    assert_eq!(reveal(row, &page.screen.privacy.vault), "1 · Ana Ruiz");
    page.update(Msg::Privacy(PrivacyMsg::ClickedForget));
    page.update(Msg::Privacy(PrivacyMsg::ConfirmedForget));
    assert_eq!(reveal(row, &page.screen.privacy.vault), "1 · [erased]");
    assert_eq!(
        describe(Some(&sealed), &page.screen.privacy.vault).as_deref(),
        Some("[erased]: cust-ana's key was deleted")
    );
    assert!(page
        .screen
        .privacy
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("Forgot cust-ana")));
    assert!(page.screen.take_vault_change(), "the vault is stored again");
    let after = page.screen.privacy.vault.to_text();
    assert!(after.contains("\nforgotten cust-ana\n") && !after.contains("\nkey "));
    // The events are untouched: the audit trail stays.
    assert_eq!(types(&page), vec!["OrderCreated"]);
    // No new personal data is taken for a forgotten customer.
    page.update(Msg::EditedField(Field::OrderId, "order-2".into()));
    page.update(Msg::EditedField(Field::CustomerName, "Ana Ruiz".into()));
    click(&mut page, CommandKind::CreateOrder);
    assert!(
        matches!(&page.screen.feedback, Feedback::Invalid(e) if e.field == Field::CustomerName && e.problem.contains("forgotten"))
    );
    // Another tab's vault, stored before the forgetting, does not bring the key back.
    page.update(Msg::Privacy(PrivacyMsg::VaultRead {
        file: Some(saved),
        seed: 1,
    }));
    assert_eq!(reveal(row, &page.screen.privacy.vault), "1 · [erased]");
}

#[test]
fn a_step_with_nothing_scheduled_says_so_until_the_next_play_or_step() {
    use cqrs_lab::app::clock::nothing_to_step;
    let mut screen = Screen::default();
    screen.update(Msg::Controls(ControlsMsg::ClickedStep));
    assert_eq!(screen.controls.clock.note, None);
    screen.update(Msg::Controls(ControlsMsg::SteppedIdle { deferred: 0 }));
    assert_eq!(screen.controls.clock.note, Some(nothing_to_step(0)));
    assert!(nothing_to_step(0).contains("every command and delivery has been handled"));
    screen.update(Msg::Controls(ControlsMsg::ClickedPlay));
    assert_eq!(screen.controls.clock.note, None);
    // Deliveries set aside are not "handled": the note says they wait.
    screen.update(Msg::Controls(ControlsMsg::SteppedIdle { deferred: 2 }));
    assert!(screen
        .controls
        .clock
        .note
        .as_deref()
        .is_some_and(|n| n.contains("2 deferred deliveries wait")));
    screen.update(Msg::Controls(ControlsMsg::ClickedStep));
    assert_eq!(screen.controls.clock.note, None);
}

#[test]
fn the_first_append_asks_once_for_persistent_storage_and_the_line_says_the_answer() {
    let mut page = Page::new();
    let asked = |page: &Page| page.controller.host().durability.borrow().clone();
    assert_eq!(asked(&page), [false], "read at start");
    click(&mut page, CommandKind::CreateOrder);
    click(&mut page, CommandKind::AddItem);
    assert_eq!(
        asked(&page),
        [false, true],
        "asked at the first append only"
    );
    assert!(page
        .screen
        .data
        .durability
        .describe()
        .starts_with("Best effort: the browser may evict"));
}

#[test]
fn a_reload_takes_back_the_durable_queue_and_applies_each_command_once() {
    let mut page = Page::new();
    page.update(Msg::Controls(ControlsMsg::ClickedPause));
    click(&mut page, CommandKind::CreateOrder);
    // One step makes the command durable and hands it to the engine; the page closes
    // before it is handled.
    page.update(Msg::Controls(ControlsMsg::ClickedStep));
    assert!(page.events().is_empty(), "not handled yet");
    let store = page.controller.into_store();
    assert_eq!(now(store.queued()).expect("a queue").len(), 1);

    let reloaded = Page::on(store);
    assert_eq!(reloaded.screen.data.recovery.requeued, 1);
    assert_eq!(
        types(&reloaded),
        ["OrderCreated"],
        "sent again, applied once"
    );
    assert!(now(reloaded.controller.store().queued())
        .expect("a queue")
        .is_empty());
}

#[test]
fn every_view_reads_back_from_the_key_the_address_names_it_by() {
    use cqrs_lab::app::tabs::Tab;
    for tab in Tab::ALL {
        assert_eq!(Tab::from_key(tab.key()), Some(tab));
    }
    for other in ["", "Azure", "azure ", "projection-order-summary", "lab=x"] {
        assert_eq!(Tab::from_key(other), None, "{other:?}");
    }
}

#[test]
fn a_fault_with_no_visible_effect_says_why_and_what_to_change() {
    let quiet = Knobs::default();
    assert_eq!(
        quiet.duplicates_note(),
        "Deliveries the bus sends twice (at-least-once)."
    );
    let duplicates = Knobs {
        duplicate_percent: 30,
        ..Knobs::default()
    };
    assert!(duplicates.duplicates_note().contains("untick Idempotent"));
    let naive = duplicates.with_mode(ProjectionName::RevenuePerDay, ProjectionMode::Naive);
    assert_eq!(naive.duplicates_note(), quiet.duplicates_note());
    let reorder = Knobs {
        reorder: true,
        ..Knobs::default()
    };
    assert!(reorder.reorder_note().contains("set an early one aside"));
    let naive = reorder.with_mode(ProjectionName::OrderSummary, ProjectionMode::Naive);
    assert!(!naive.reorder_note().contains("aside"));
}
