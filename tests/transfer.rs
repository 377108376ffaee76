//! Export (envelopes, Cosmos DB documents) and import: a round trip keeps every event;
//! a bad file is refused with the record and the field named.

mod support;

use cqrs_lab::domain::envelope::SharedEvent;
use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, EventId, OrderId, SchemaVersion, StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::order::OrderEvent;
use cqrs_lab::store::transfer::{
    cosmos_document, export_cosmos, export_json, import_json, ImportError,
};
use cqrs_lab::store::{AppendRequest, MemoryStore, NewEvent};
use serde_json::{json, Value};
use support::*;

fn append(store: &mut MemoryStore, stream: &str, expected: u64, n: u64, events: Vec<OrderEvent>) {
    let request = AppendRequest {
        stream_id: OrderId::parse(stream).expect("valid"),
        expected_version: StreamVersion(expected),
        events: events
            .into_iter()
            .enumerate()
            .map(|(i, event)| NewEvent {
                event_id: EventId::numbered("evt", n * 10 + i as u64),
                schema_version: event.schema_version(),
                recorded_at: VirtualMillis(90_061_001 + n),
                correlation_id: CorrelationId::numbered("corr", n),
                causation_id: CommandId::numbered("cmd", n),
                event,
            })
            .collect(),
        command_id: CommandId::numbered("cmd", n),
        with_outbox: false,
    };
    store.append(request).expect("appended");
}

fn sample() -> Vec<SharedEvent> {
    let mut store = MemoryStore::new();
    append(
        &mut store,
        "o-1",
        0,
        1,
        vec![created(), item_added("a", 250, 2)],
    );
    append(&mut store, "o-2", 0, 2, vec![created()]);
    append(&mut store, "o-1", 2, 3, vec![submitted(500)]);
    store.events().to_vec()
}

fn exported() -> Value {
    serde_json::from_str(&export_json(&sample())).expect("export is JSON")
}

fn import_value(document: &Value) -> Result<usize, ImportError> {
    import_json(&document.to_string()).map(|events| events.len())
}

#[test]
fn an_export_imports_back_to_the_same_events() {
    let events = sample();
    let imported = import_json(&export_json(&events)).expect("valid export");
    let original: Vec<_> = events.iter().map(|e| e.as_ref().clone()).collect();
    assert_eq!(imported, original);
}

#[test]
fn a_cosmos_document_has_the_seed_shape() {
    let events = sample();
    let document = cosmos_document(&events[0]);
    assert_eq!(document["id"], "evt-10");
    assert_eq!(document["aggregateId"], "o-1", "the partition key");
    assert_eq!(document["aggregateType"], "Order");
    assert_eq!(document["eventType"], "OrderCreated");
    assert_eq!(document["version"], 1);
    assert_eq!(document["occurredAt"], "1970-01-02T01:01:01.002Z");
    assert_eq!(document["data"]["customerId"], customer().as_str());
    let all: Value = serde_json::from_str(&export_cosmos(&events)).expect("JSON");
    assert_eq!(all.as_array().map(Vec::len), Some(4));
}

#[test]
fn a_file_that_is_not_json_is_refused() {
    assert!(matches!(
        import_json("{ nope"),
        Err(ImportError::NotJson(_))
    ));
}

#[test]
fn a_file_of_another_format_is_refused() {
    let mut document = exported();
    document["format"] = json!("something-else");
    assert_eq!(
        import_value(&document),
        Err(ImportError::Document {
            field: "format",
            problem: "must be \"cqrs-lab.events\"".into()
        })
    );
}

fn record_error(document: &Value) -> (usize, String) {
    match import_value(document) {
        Err(ImportError::Record { index, field, .. }) => (index, field),
        other => panic!("expected a record error, got {other:?}"),
    }
}

#[test]
fn a_missing_field_is_named() {
    let mut document = exported();
    document["events"][2]
        .as_object_mut()
        .expect("object")
        .remove("causationId");
    assert_eq!(record_error(&document), (2, "causationId".into()));
}

#[test]
fn an_invalid_field_is_named() {
    let mut document = exported();
    document["events"][1]["streamId"] = json!("   ");
    assert_eq!(record_error(&document), (1, "streamId".into()));
    let mut document = exported();
    document["events"][1]["data"]["quantity"] = json!(-3);
    assert_eq!(record_error(&document), (1, "data".into()));
}

#[test]
fn an_unknown_field_or_event_type_is_named() {
    let mut document = exported();
    document["events"][0]["extra"] = json!(1);
    assert_eq!(record_error(&document), (0, "extra".into()));
    let mut document = exported();
    document["events"][0]["eventType"] = json!("OrderTeleported");
    assert_eq!(record_error(&document), (0, "data".into()));
}

#[test]
fn gaps_and_duplicates_are_refused() {
    let mut document = exported();
    document["events"][3]["streamVersion"] = json!(4);
    assert_eq!(record_error(&document), (3, "streamVersion".into()));
    let mut document = exported();
    document["events"][1]["globalPosition"] = json!(7);
    assert_eq!(record_error(&document), (1, "globalPosition".into()));
    let mut document = exported();
    document["events"][2]["eventId"] = json!("evt-10");
    assert_eq!(record_error(&document), (2, "eventId".into()));
}

#[test]
fn a_schema_version_must_be_known_and_fit_the_data() {
    let mut document = exported();
    document["events"][0]["schemaVersion"] = json!(9);
    assert_eq!(record_error(&document), (0, "schemaVersion".into()));
    let mut document = exported();
    document["events"][0]["data"]["currency"] = json!("EUR");
    assert_eq!(
        SchemaVersion(1),
        serde_json::from_value(document["events"][0]["schemaVersion"].clone()).expect("v1")
    );
    assert_eq!(record_error(&document), (0, "schemaVersion".into()));
}

#[test]
fn user_text_survives_the_round_trip_as_text() {
    let mut store = MemoryStore::new();
    let payload = "<img src=x onerror=alert(1)>\"'&";
    append(
        &mut store,
        "o-1",
        0,
        1,
        vec![OrderEvent::OrderCancelled {
            reason: payload.into(),
            cancelled_by: "</script>".into(),
        }],
    );
    let imported = import_json(&export_json(store.events())).expect("valid");
    assert!(matches!(
        &imported[0].event,
        OrderEvent::OrderCancelled { reason, .. } if reason == payload
    ));
}
