//! The slice in a real browser (headless Chromium via wasm-bindgen-test): mount the Yew
//! app, click its buttons by their accessible names, read what it renders.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A freshly mounted app in its own element, so tests do not see each other's state.
struct Mounted {
    root: Element,
    _app: yew::AppHandle<cqrs_lab::web::App>,
}

/// The app on a fresh database of its own, once its store is open.
async fn mount(database: &str) -> Mounted {
    cqrs_lab::web::idb::IdbStore::delete(database)
        .await
        .expect("an old test database is deleted");
    reopen(database).await
}

/// The app on a database as it is (a reload), once its store is open.
async fn reopen(database: &str) -> Mounted {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    let app = cqrs_lab::web::mount(root.clone(), database);
    let mounted = Mounted { root, _app: app };
    mounted.idle().await;
    mounted
}

/// Lets Yew's scheduler and IndexedDB work: resolves after a 10 ms timeout.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .expect("a timeout");
    });
    JsFuture::from(promise).await.expect("the timeout fires");
}

impl Mounted {
    async fn click(&self, name: &str) {
        let buttons = self.root.query_selector_all("button").expect("a query");
        let button = (0..buttons.length())
            .filter_map(|i| buttons.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .find(|b| {
                b.get_attribute("aria-label")
                    .or_else(|| b.text_content())
                    .is_some_and(|t| t.trim() == name)
            })
            .unwrap_or_else(|| panic!("no button named {name:?}"));
        button.click();
        self.idle().await;
    }

    /// Waits (up to 5 s) until the store is open and no command is on its way: a
    /// command makes several IndexedDB round trips before its answer shows.
    async fn idle(&self) {
        for _ in 0..500 {
            settle().await;
            let opening = self
                .root
                .text_content()
                .is_some_and(|t| t.contains("Opening the event store"));
            let sending = self
                .root
                .query_selector(".feedback.sending")
                .ok()
                .flatten()
                .is_some();
            if !opening && !sending {
                return;
            }
        }
        panic!("the page did not settle within 5 s");
    }

    async fn fill(&self, label: &str, value: &str) {
        let labels = self.root.query_selector_all("label").expect("a query");
        let id = (0..labels.length())
            .filter_map(|i| labels.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .find(|l| l.text_content().as_deref() == Some(label))
            .and_then(|l| l.get_attribute("for"))
            .unwrap_or_else(|| panic!("no input labelled {label:?}"));
        let input: HtmlInputElement = self
            .root
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .expect("the labelled input");
        input.set_value(value);
        let event = web_sys::InputEvent::new("input").expect("an input event");
        input.dispatch_event(&event).expect("dispatched");
        settle().await;
    }

    fn texts(&self, selector: &str) -> Vec<String> {
        let nodes = self.root.query_selector_all(selector).expect("a query");
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.text_content())
            .collect()
    }

    /// `texts`, once some show: rows the page's cache lacks are read from IndexedDB
    /// after the render that needs them (up to 5 s).
    async fn texts_shown(&self, selector: &str) -> Vec<String> {
        for _ in 0..500 {
            let texts = self.texts(selector);
            if !texts.is_empty() {
                return texts;
            }
            settle().await;
        }
        self.texts(selector)
    }

    fn status(&self) -> String {
        self.texts("[role=status]").concat()
    }
}

#[wasm_bindgen_test]
async fn create_add_submit_lists_three_events() {
    let app = mount("browser-test-1").await;
    assert_eq!(
        app.texts("h1"),
        ["CQRS Lab"],
        "the page's heading is the product name"
    );
    app.click("Create order").await;
    app.click("Add item").await;
    app.click("Submit order").await;
    assert_eq!(
        app.texts("table.events .event-type"),
        ["OrderCreated", "ItemAdded", "OrderSubmitted"]
    );
    assert!(app.status().contains("SubmitOrder on order-1 was accepted"));
}

#[wasm_bindgen_test]
async fn an_empty_submit_is_rejected_and_explained() {
    let app = mount("browser-test-2").await;
    app.click("Create order").await;
    app.click("Submit order").await;
    assert!(
        app.status()
            .contains("an empty order cannot be submitted: add an item first"),
        "status was {:?}",
        app.status()
    );
    assert_eq!(app.texts("table.events .event-type"), ["OrderCreated"]);
}

#[wasm_bindgen_test]
async fn a_bad_quantity_names_the_field_and_records_nothing() {
    let app = mount("browser-test-3").await;
    app.click("Create order").await;
    app.fill("Quantity", "1.5").await;
    app.click("Add item").await;
    assert_eq!(
        app.texts(".field-error"),
        ["Quantity must be a whole number such as 2"]
    );
    assert_eq!(app.texts("table.events .event-type"), ["OrderCreated"]);
}

#[wasm_bindgen_test]
async fn an_event_json_opens_with_its_envelope() {
    let app = mount("browser-test-4").await;
    app.click("Create order").await;
    app.click("JSON of event 1").await;
    let json: serde_json::Value =
        serde_json::from_str(&app.texts("#event-detail pre.envelope").concat())
            .expect("valid JSON");
    assert_eq!(json["eventType"], "OrderCreated");
    assert_eq!(json["streamId"], "order-1");
    assert_eq!(json["data"]["customerId"], "cust-789");
}

#[wasm_bindgen_test]
async fn what_was_stored_is_there_after_a_reload() {
    let first = mount("browser-test-5").await;
    first.click("Create order").await;
    first.click("Add item").await;
    assert!(first.status().contains("AddItem on order-1 was accepted"));
    first.root.remove();
    drop(first);
    let again = reopen("browser-test-5").await;
    assert_eq!(
        again.texts_shown("table.events .event-type").await,
        ["OrderCreated", "ItemAdded"]
    );
    assert!(again
        .texts(".storage")
        .concat()
        .contains("survive a reload"));
    again.click("Submit order").await;
    assert!(
        again
            .status()
            .contains("SubmitOrder on order-1 was accepted"),
        "the write model was rebuilt from the stored events: {}",
        again.status()
    );
    assert_eq!(
        again.texts("table.events td:nth-child(3)"),
        ["1", "2", "3"],
        "versions stay contiguous"
    );
}

#[wasm_bindgen_test]
async fn startup_publishes_what_the_outbox_kept_and_names_unreadable_records() {
    use cqrs_lab::domain::ids::{
        CommandId, CorrelationId, CustomerId, EventId, GlobalPosition, OrderId, SchemaVersion,
        StreamVersion, VirtualMillis,
    };
    use cqrs_lab::domain::order::OrderEvent;
    use cqrs_lab::store::{AppendRequest, NewEvent};
    use cqrs_lab::web::idb::IdbStore;
    let name = "browser-test-6";
    IdbStore::delete(name).await.expect("deleted");
    let store = IdbStore::open(name).await.expect("opened");
    // A previous session appended (with its outbox row) and closed before publishing.
    let command_id = CommandId::parse("cmd-old-1").expect("valid");
    store
        .append(AppendRequest {
            stream_id: OrderId::parse("order-1").expect("valid"),
            expected_version: StreamVersion(0),
            events: vec![NewEvent {
                event_id: EventId::of_command(&command_id, 1),
                schema_version: SchemaVersion(1),
                recorded_at: VirtualMillis(5),
                correlation_id: CorrelationId::parse("corr-old-1").expect("valid"),
                causation_id: command_id.clone(),
                event: OrderEvent::OrderCreated {
                    customer_id: CustomerId::parse("cust-1").expect("valid"),
                    currency: None,
                    personal: None,
                },
            }],
            command_id,
            with_outbox: true,
        })
        .await
        .expect("no store failure")
        .expect("appended");
    // ...and a damaged record sits beside it.
    store
        .quarantine(&[cqrs_lab::web::idb::records::CorruptRecord {
            store: "events",
            key: "2".into(),
            reason: "envelope: EOF while parsing".into(),
        }])
        .await
        .expect("quarantined");
    store.close();

    let app = reopen(name).await;
    let notes = app.texts(".recovery").concat();
    assert!(
        notes.contains("1 event had not reached every projection")
            && notes.contains("published it again"),
        "{notes}"
    );
    assert!(
        notes.contains("events 2: envelope: EOF while parsing"),
        "{notes}"
    );
    assert_eq!(
        app.texts_shown("table.events .event-type").await,
        ["OrderCreated"]
    );
    // The engine catches up after the page shows: the row is published, then
    // acknowledged by every projection.
    let store = IdbStore::open(name).await.expect("reopened");
    let mut left = u64::MAX;
    for _ in 0..500 {
        left = store.outbox_len().await.expect("outbox");
        if left == 0 {
            break;
        }
        settle().await;
    }
    assert_eq!(left, 0, "published and acknowledged within 5 s");
    assert_eq!(
        store
            .checkpoint(cqrs_lab::store::ProjectionName::OrderSummary)
            .await
            .expect("checkpoint"),
        GlobalPosition(1)
    );
}

#[wasm_bindgen_test]
async fn commands_the_durable_queue_kept_are_sent_again_once() {
    use cqrs_lab::app::session::CommandIds;
    use cqrs_lab::domain::ids::{CustomerId, OrderId};
    use cqrs_lab::domain::order::OrderCommand;
    use cqrs_lab::web::idb::IdbStore;
    let name = "browser-test-7";
    IdbStore::delete(name).await.expect("deleted");
    let store = IdbStore::open(name).await.expect("opened");
    // The previous page accepted two commands into its durable queue, and closed
    // after appending the first but before taking it off the queue.
    let mut ids = CommandIds::new("old");
    let order = OrderId::parse("order-1").expect("valid");
    let create = ids.next(
        order.clone(),
        OrderCommand::CreateOrder {
            customer_id: CustomerId::parse("cust-1").expect("valid"),
            currency: None,
            personal: None,
        },
    );
    let submit = ids.next(order, OrderCommand::SubmitOrder);
    store
        .enqueue(&[(1, create.clone()), (2, submit)])
        .await
        .expect("queued");
    let mut session = cqrs_lab::app::session::Session::new("old");
    session.send_queued(create);
    cqrs_lab::engine::driver::run_to_idle(session.engine_mut(), &store, 10_000)
        .await
        .expect("the first command was appended");
    store.close();

    let app = reopen(name).await;
    let notes = app.texts(".recovery").concat();
    assert!(notes.contains("2 commands were still queued"), "{notes}");
    app.click("Command log").await;
    for _ in 0..500 {
        if app.texts(".journal li").len() == 2 {
            break;
        }
        settle().await;
    }
    let journal = app.texts(".journal li").concat();
    app.click("Event store").await;
    assert_eq!(
        app.texts_shown("table.events .event-type").await,
        ["OrderCreated"],
        "the create was not applied twice"
    );
    assert!(
        journal.contains("cmd-old-1") && journal.contains("already processed"),
        "{journal}"
    );
    assert!(
        journal.contains("cmd-old-2") && journal.contains("an empty order cannot be submitted"),
        "{journal}"
    );
    let store = IdbStore::open(name).await.expect("reopened");
    assert!(
        store.queued().await.expect("queue").0.is_empty(),
        "the queue drained"
    );
}

#[wasm_bindgen_test]
fn an_internal_error_goes_to_the_rescue_panel_or_a_text_panel_without_it() {
    let window = web_sys::window().expect("a window");
    let document = window.document().expect("a document");
    // With `static/rescue.js` loaded, its `show` gets the message (it keeps working
    // after the WebAssembly instance stops).
    let shown = js_sys::Array::new();
    let rescue = js_sys::Object::new();
    let show = js_sys::Function::new_with_args("message", "this.shown.push(message)");
    js_sys::Reflect::set(&rescue, &"shown".into(), &shown).expect("set");
    js_sys::Reflect::set(&rescue, &"show".into(), &show).expect("set");
    js_sys::Reflect::set(&window, &"cqrsRescue".into(), &rescue).expect("set");
    cqrs_lab::web::report_internal_error("simulated <b>failure</b>");
    assert_eq!(shown.length(), 1);
    assert_eq!(
        shown.get(0).as_string().as_deref(),
        Some("simulated <b>failure</b>")
    );
    assert!(document
        .query_selector(".panic-panel")
        .expect("a query")
        .is_none());
    // Without it, a text-only panel of its own.
    js_sys::Reflect::delete_property(&window, &"cqrsRescue".into()).expect("deleted");
    cqrs_lab::web::report_internal_error("simulated <b>failure</b>");
    let panel = document
        .query_selector(".panic-panel")
        .expect("a query")
        .expect("the fallback panel");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    let text = panel.text_content().unwrap_or_default();
    assert!(text.contains("simulated <b>failure</b>"), "{text}");
    assert!(
        panel.query_selector("b").expect("a query").is_none(),
        "text, not HTML"
    );
    panel.remove();
}
