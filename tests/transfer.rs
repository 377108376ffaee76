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
        OrderEvent::OrderCancelled { reason, .. } if reason.as_str() == payload
    ));
}

#[test]
fn cosmos_documents_import_back_to_the_same_events() {
    let events = sample();
    let imported = import_json(&export_cosmos(&events)).expect("valid documents");
    let original: Vec<_> = events.iter().map(|e| e.as_ref().clone()).collect();
    assert_eq!(imported, original);
}

/// Documents as Cosmos DB exports them: no position,
/// no correlation, Cosmos DB's own fields, extra fields in `data`.
fn seed_documents() -> Value {
    json!([
        { "id": "evt_2", "aggregateId": "order_456", "aggregateType": "Order", "eventType": "ItemAdded",
          "version": 2, "occurredAt": "2025-09-10T10:31:00.5Z",
          "data": { "orderId": "order_456", "productId": "sku-1", "productName": "Beans", "unitPrice": 1250, "quantity": 2 },
          "_rid": "abc", "_etag": "\"0\"", "_ts": 1757500260, "ttl": -1 },
        { "id": "evt_abc123", "aggregateId": "order_456", "aggregateType": "Order", "eventType": "OrderCreated",
          "version": 1, "occurredAt": "2025-09-10T10:30:00Z",
          "data": { "orderId": "order_456", "customerId": "cust_789", "createdAt": "2025-09-10T10:30:00Z" } },
        { "id": "evt_9", "aggregateId": "order_457", "aggregateType": "Order", "eventType": "OrderCreated",
          "version": 1, "occurredAt": "2025-09-10T10:30:30Z", "data": { "customerId": "cust_1" } }
    ])
}

#[test]
fn plain_cosmos_documents_take_their_places_by_time() {
    let events = import_json(&seed_documents().to_string()).expect("valid documents");
    let order: Vec<(u64, &str, u64)> = events
        .iter()
        .map(|e| {
            (
                e.global_position.0,
                e.stream_id.as_str(),
                e.stream_version.0,
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (1, "order_456", 1),
            (2, "order_457", 1),
            (3, "order_456", 2)
        ]
    );
    // 2025-09-10T10:30:00Z, in milliseconds since the epoch.
    assert_eq!(events[0].recorded_at, VirtualMillis(1_757_500_200_000));
    assert_eq!(events[2].recorded_at, VirtualMillis(1_757_500_260_500));
    assert_eq!(events[0].schema_version, SchemaVersion(1));
    assert_eq!(events[1].causation_id().as_str(), "cmd-cosmos-3");
    assert_eq!(events[1].correlation_id.as_str(), "corr-cosmos-3");
}

fn cosmos_error(document: &Value) -> (usize, String, String) {
    match import_json(&document.to_string()) {
        Err(ImportError::Cosmos {
            index,
            field,
            problem,
        }) => (index, field, problem),
        other => panic!("expected a document error, got {other:?}"),
    }
}

#[test]
fn a_bad_cosmos_document_is_named_by_its_place_and_field() {
    let mut documents = seed_documents();
    documents[2]["occurredAt"] = json!("yesterday");
    let (index, field, problem) = cosmos_error(&documents);
    assert_eq!((index, field.as_str()), (2, "occurredAt"));
    assert!(problem.contains("yesterday"), "{problem}");

    let mut documents = seed_documents();
    documents[1]["aggregateType"] = json!("Customer");
    assert_eq!(cosmos_error(&documents).1, "aggregateType");

    let mut documents = seed_documents();
    documents[0]["colour"] = json!("blue");
    assert_eq!(cosmos_error(&documents).0, 0);
    assert_eq!(cosmos_error(&documents).1, "colour");

    // A gap in a stream is named at the document that has it (its place in the file).
    let mut documents = seed_documents();
    documents[0]["version"] = json!(3);
    let (index, field, _) = cosmos_error(&documents);
    assert_eq!((index, field.as_str()), (0, "streamVersion"));

    // Positions: all or none.
    let mut documents = seed_documents();
    documents[1]["globalPosition"] = json!(1);
    let (index, field, _) = cosmos_error(&documents);
    assert_eq!((index, field.as_str()), (0, "globalPosition"));

    assert!(matches!(
        import_json("[1]"),
        Err(ImportError::Cosmos { index: 0, .. })
    ));
    assert_eq!(import_json("[]").map(|e| e.len()), Ok(0));
}

#[test]
fn iso_times_read_back_what_the_export_wrote() {
    use cqrs_lab::store::transfer::parse_iso_time;
    for ms in [
        0,
        1,
        999,
        86_400_000,
        951_782_400_000,
        1_757_500_200_123,
        4_102_444_799_999,
    ] {
        let events = vec![std::rc::Rc::new({
            let mut e = sample()[0].as_ref().clone();
            e.recorded_at = VirtualMillis(ms);
            e
        })];
        let documents: Value = serde_json::from_str(&export_cosmos(&events)).expect("JSON");
        let text = documents[0]["occurredAt"].as_str().expect("a time");
        assert_eq!(parse_iso_time(text), Some(VirtualMillis(ms)), "{text}");
    }
    for bad in [
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-01-01T00:00:00",
        "2025-01-01 00:00:00Z",
        "x",
    ] {
        assert_eq!(parse_iso_time(bad), None, "{bad}");
    }
}

#[test]
fn an_absurd_year_is_refused_naming_the_document_not_a_panic() {
    let mut documents = seed_documents();
    documents[1]["occurredAt"] = json!("4294967296-01-01T00:00:09Z");
    let (index, field, problem) = cosmos_error(&documents);
    assert_eq!((index, field.as_str()), (1, "occurredAt"));
    assert!(problem.contains("4294967296"), "{problem}");
    // The report's own text, and one whose arithmetic overflowed before the year check.
    let mut documents = seed_documents();
    documents[1]["occurredAt"] = json!("4294967296-1-1T0:0:9Z");
    assert_eq!(cosmos_error(&documents).1, "occurredAt");
    let mut documents = seed_documents();
    documents[1]["occurredAt"] = json!("600000000-01-01T00:00:00Z");
    assert_eq!(cosmos_error(&documents).1, "occurredAt");
}

#[test]
fn times_are_read_from_1970_to_9999_with_every_digit_in_place() {
    use cqrs_lab::store::transfer::{parse_iso_time, LATEST_TIME};
    assert_eq!(
        parse_iso_time("1970-01-01T00:00:00Z"),
        Some(VirtualMillis(0))
    );
    assert_eq!(
        parse_iso_time("9999-12-31T23:59:59.999Z"),
        Some(LATEST_TIME),
        "the last millisecond of 9999"
    );
    for bad in [
        "1969-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
        "+2025-01-01T00:00:00Z",
        "2025-1-01T00:00:00Z",
        "2025-01-01T0:00:00Z",
        "2025-01-01T00:00:00.Z",
        "2025-01-01T00:00:+1Z",
        "18446744073709551616-01-01T00:00:00Z",
    ] {
        assert_eq!(parse_iso_time(bad), None, "{bad}");
    }
}

#[test]
fn an_envelope_time_past_9999_is_refused_one_running_backwards_is_not() {
    let mut document = exported();
    document["events"][2]["recordedAt"] = json!(u64::MAX);
    assert_eq!(record_error(&document), (2, "recordedAt".into()));
    // Two tabs append with clocks of their own: the lab's own exports hold such logs.
    let mut document = exported();
    document["events"][2]["recordedAt"] = json!(5);
    assert_eq!(import_value(&document), Ok(4));
}

#[test]
fn a_command_whose_events_are_split_by_another_command_is_refused() {
    // cmd-1 recorded positions 1 and 2, cmd-2 position 3: cmd-1 again at 4 is refused.
    let mut document = exported();
    document["events"][3]["causationId"] = json!("cmd-1");
    assert_eq!(record_error(&document), (3, "causationId".into()));
    match import_value(&document) {
        Err(e) => assert!(e.to_string().contains("must be adjacent"), "{e}"),
        Ok(n) => panic!("imported {n}"),
    }
}

#[test]
fn a_v2_label_on_a_v1_shape_is_refused() {
    let mut document = exported();
    document["events"][1]["schemaVersion"] = json!(2);
    assert_eq!(record_error(&document), (1, "schemaVersion".into()));
    let mut document = exported();
    document["events"][0]["schemaVersion"] = json!(2);
    match import_value(&document) {
        Err(e) => assert!(e.to_string().contains("v1 shape"), "{e}"),
        Ok(n) => panic!("imported {n}"),
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn on_arbitrary_text(text in ".{0,200}") {
            let _ = import_json(&text);
        }

        #[test]
        fn on_damaged_documents(index in 0usize..3, field in "[a-zA-Z_]{1,12}", value in prop_oneof![
            Just(json!(null)), Just(json!(-1)), Just(json!("")), Just(json!([])), Just(json!({})),
            Just(json!(1e300)), Just(json!("2025-02-30T25:61:61Z")), ".{0,20}".prop_map(|s| json!(s)),
        ]) {
            let mut documents = seed_documents();
            documents[index][field] = value.clone();
            let _ = import_json(&documents.to_string());
            let mut export = exported();
            export["events"][index % 2]["data"] = value;
            let _ = import_json(&export.to_string());
        }
    }
}
