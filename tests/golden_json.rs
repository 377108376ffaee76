//! Goldens: the JSON of events (stored, exported, shown) and the trace hash of a seeded
//! faulty run. They run natively and in the browser, so both platforms must agree.

use cqrs_lab::app::session::{run_in_memory, Session};
use cqrs_lab::domain::envelope::EventEnvelope;
use cqrs_lab::domain::ids::{CustomerId, OrderId, ProductId};
use cqrs_lab::domain::money::{Cents, Currency};
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::store::MemoryStore;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn id<T>(parse: fn(&str) -> Result<T, cqrs_lab::domain::ids::IdError>, s: &str) -> T {
    parse(s).expect("valid id")
}

/// The same three commands, handled as the page handles them: a session's engine on a
/// fresh store.
fn scripted_log() -> Vec<EventEnvelope> {
    let mut session = Session::new("");
    let mut store = MemoryStore::new();
    let order = id(OrderId::parse, "order-1");
    for command in [
        OrderCommand::CreateOrder {
            customer_id: id(CustomerId::parse, "cust-789"),
            currency: None,
            personal: None,
        },
        OrderCommand::AddItem {
            product_id: id(ProductId::parse, "sku-42"),
            product_name: "Espresso beans".into(),
            unit_price: Cents(1250),
            quantity: 2,
        },
        OrderCommand::SubmitOrder,
    ] {
        session.send(order.clone(), command);
        run_in_memory(&mut session, &mut store);
    }
    store.events().iter().map(|e| e.as_ref().clone()).collect()
}

const GOLDEN: &str = concat!(
    r#"[{"eventId":"cmd-1.1","streamId":"order-1","streamVersion":1,"globalPosition":1,"#,
    r#""schemaVersion":1,"recordedAt":5,"correlationId":"corr-1","causationId":"cmd-1","#,
    r#""eventType":"OrderCreated","data":{"customerId":"cust-789"}},"#,
    r#"{"eventId":"cmd-2.1","streamId":"order-1","streamVersion":2,"globalPosition":2,"#,
    r#""schemaVersion":1,"recordedAt":31,"correlationId":"corr-2","causationId":"cmd-2","#,
    r#""eventType":"ItemAdded","data":{"productId":"sku-42","productName":"Espresso beans","#,
    r#""unitPrice":1250,"quantity":2}},"#,
    r#"{"eventId":"cmd-3.1","streamId":"order-1","streamVersion":3,"globalPosition":3,"#,
    r#""schemaVersion":1,"recordedAt":57,"correlationId":"corr-3","causationId":"cmd-3","#,
    r#""eventType":"OrderSubmitted","data":{"total":2500}}]"#
);

#[test]
fn a_scripted_log_serializes_to_the_golden_json() {
    let json = serde_json::to_string(&scripted_log()).expect("serializable");
    assert_eq!(json, GOLDEN);
}

#[test]
fn the_golden_json_reads_back_into_the_same_events() {
    let events: Vec<EventEnvelope> = serde_json::from_str(GOLDEN).expect("valid events");
    assert_eq!(events, scripted_log());
}

#[test]
fn an_unknown_event_type_is_refused() {
    let bad = GOLDEN.replacen("OrderCreated", "OrderTeleported", 1);
    let error = serde_json::from_str::<Vec<EventEnvelope>>(&bad).expect_err("unknown type");
    assert!(error.to_string().contains("OrderTeleported"), "{error}");
}

#[test]
fn an_invalid_id_in_stored_json_is_refused() {
    let odd = GOLDEN.replacen("cust-789", "cust 789", 1);
    let error = serde_json::from_str::<Vec<EventEnvelope>>(&odd).expect_err("bad id");
    assert!(
        error.to_string().contains("may contain only letters"),
        "{error}"
    );
}

#[test]
fn an_unknown_envelope_field_is_refused() {
    let odd = GOLDEN.replacen(
        r#""schemaVersion":1,"#,
        r#""schemaVersion":1,"extra":true,"#,
        1,
    );
    assert!(serde_json::from_str::<Vec<EventEnvelope>>(&odd).is_err());
}

#[test]
fn fields_read_in_any_order_and_each_at_most_once() {
    let first = scripted_log().remove(0);
    // `data` before `eventType`, and the ids last: the same event.
    let reordered = r#"{"data":{"customerId":"cust-789"},"eventType":"OrderCreated","streamId":"order-1","streamVersion":1,"globalPosition":1,"schemaVersion":1,"recordedAt":5,"correlationId":"corr-1","causationId":"cmd-1","eventId":"cmd-1.1"}"#;
    let read: EventEnvelope = serde_json::from_str(reordered).expect("valid");
    assert_eq!(read.event, first.event);
    assert_eq!(read.stream_id, first.stream_id);
    let twice = reordered.replacen(
        r#""streamVersion":1,"#,
        r#""streamVersion":1,"streamVersion":2,"#,
        1,
    );
    let error = serde_json::from_str::<EventEnvelope>(&twice).expect_err("duplicate");
    assert!(
        error
            .to_string()
            .contains("duplicate field `streamVersion`"),
        "{error}"
    );
    let without = reordered.replacen(r#""recordedAt":5,"#, "", 1);
    let error = serde_json::from_str::<EventEnvelope>(&without).expect_err("missing");
    assert!(
        error.to_string().contains("missing field `recordedAt`"),
        "{error}"
    );
    let untyped = reordered.replacen(r#""eventType":"OrderCreated","#, "", 1);
    let error = serde_json::from_str::<EventEnvelope>(&untyped).expect_err("no type");
    assert!(
        error.to_string().contains("missing field `eventType`"),
        "{error}"
    );
    let bad_data = GOLDEN.replacen(r#""customerId":"cust-789""#, r#""customer":"cust-789""#, 1);
    assert!(serde_json::from_str::<Vec<EventEnvelope>>(&bad_data).is_err());
}

#[test]
fn every_command_reads_back_from_its_json_and_a_bad_one_names_the_field() {
    let sealed = "cust-789:000000000000000000000001:00112233445566778899aabbccddeeff00";
    let commands = [
        OrderCommand::CreateOrder {
            customer_id: id(CustomerId::parse, "cust-789"),
            currency: None,
            personal: None,
        },
        OrderCommand::CreateOrder {
            customer_id: id(CustomerId::parse, "cust-789"),
            currency: Currency::parse("EUR").ok(),
            personal: Some(serde_json::from_value(serde_json::json!(sealed)).expect("sealed")),
        },
        OrderCommand::AddItem {
            product_id: id(ProductId::parse, "sku-42"),
            product_name: "Espresso <b>beans</b>".into(),
            unit_price: Cents(1250),
            quantity: -3,
        },
        OrderCommand::RemoveItem {
            product_id: id(ProductId::parse, "sku-42"),
        },
        OrderCommand::SubmitOrder,
        OrderCommand::ReceivePayment {
            amount: Cents(2500),
            payment_method: "card".into(),
            transaction_id: "tx-1".into(),
        },
        OrderCommand::ShipOrder {
            carrier: "DHL".into(),
            tracking_number: "trk-1".into(),
        },
        OrderCommand::CancelOrder {
            reason: "changed mind".into(),
            cancelled_by: "customer".into(),
        },
    ];
    for command in commands {
        let json = serde_json::to_string(&command).expect("serializes");
        let back: OrderCommand = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, command, "{json}");
    }
    let read = |json: &str| {
        serde_json::from_str::<OrderCommand>(json)
            .expect_err(json)
            .to_string()
    };
    let message = read(
        r#"{"commandType":"AddItem","data":{"productId":"sku-1","productName":"x","quantity":1}}"#,
    );
    assert!(
        message.contains("missing field `unitPrice` in AddItem"),
        "{message}"
    );
    let message = read(
        r#"{"commandType":"AddItem","data":{"productId":"sku-1","productName":"x","unitPrice":"lots","quantity":1}}"#,
    );
    assert!(message.starts_with("unitPrice: invalid type"), "{message}");
    let message = read(r#"{"commandType":"Teleport"}"#);
    assert!(message.contains("unknown variant `Teleport`"), "{message}");
    let message = read(r#"{"data":{}}"#);
    assert!(message.contains("missing field `commandType`"), "{message}");
    let message = read(r#"{"commandType":"RemoveItem","data":{"productId":"not an id!"}}"#);
    assert!(message.starts_with("productId: "), "{message}");
    assert_eq!(
        serde_json::from_str::<OrderCommand>(r#"{"commandType":"SubmitOrder","data":null}"#).ok(),
        Some(OrderCommand::SubmitOrder)
    );
}

/// A run with every fault knob on: races, jitter, duplicates, lag, reordering, failures,
/// publisher retries, slow handlers. Its trace hash must be the same natively and in
/// the browser (wasm32), or the same seed would not give the same timeline.
fn faulty_run_hash() -> u64 {
    use cqrs_lab::domain::ids::{CommandId, CorrelationId, VirtualMillis};
    use cqrs_lab::engine::config::{EngineConfig, LagDistribution};
    use cqrs_lab::engine::rng::PerMillion;
    use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
    use cqrs_lab::engine::sim::Simulation;
    use cqrs_lab::engine::Engine;
    let mut config = EngineConfig {
        seed: 2026,
        handlers: 3,
        handling_jitter: VirtualMillis(9),
        snapshot_every: 3,
        ..EngineConfig::default()
    };
    config.bus.duplicate_rate = PerMillion::percent(30);
    config.bus.lag = LagDistribution::Uniform(VirtualMillis(1), VirtualMillis(80));
    config.bus.ordered_partitions = false;
    config.bus.failure_rate = PerMillion::percent(20);
    config.bus.publisher_retry_rate = PerMillion::percent(50);
    config.bus.duplicate_detection = None;
    let script = (0..60u64).map(|i| {
        let order = OrderId::parse(&format!("o-{}", i % 4)).expect("valid");
        let command = match i / 4 {
            0 => OrderCommand::CreateOrder {
                customer_id: id(CustomerId::parse, "cust-1"),
                currency: None,
                personal: None,
            },
            n if n % 5 == 4 => OrderCommand::SubmitOrder,
            _ => OrderCommand::AddItem {
                product_id: id(ProductId::parse, &format!("p{}", i % 3)),
                product_name: "Thing".into(),
                unit_price: Cents(100),
                quantity: 1,
            },
        };
        ScriptedCommand {
            at: VirtualMillis(i * 3),
            client: ClientId((i % 5) as u32),
            command_id: CommandId::numbered("cmd", i),
            correlation_id: CorrelationId::numbered("corr", i),
            order_id: order,
            command,
        }
    });
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_until(VirtualMillis(100));
    sim.engine.crash();
    sim.engine.recover();
    sim.run_to_idle(1_000_000);
    sim.engine.trace().hash()
}

#[test]
fn the_same_seed_gives_the_same_trace_natively_and_in_the_browser() {
    assert_eq!(faulty_run_hash(), GOLDEN_TRACE_HASH);
}

// Changes when the trace format changes (a new field, or a `HopKind` variant inserted
// before others: add new variants last); update it then, after checking why.
const GOLDEN_TRACE_HASH: u64 = 11_498_908_519_106_200_636;

#[test]
fn every_event_reads_back_from_its_data_and_a_bad_one_names_the_field() {
    use cqrs_lab::domain::envelope::event_from_json;
    use cqrs_lab::domain::order::OrderEvent;
    let sealed = "cust-789:000000000000000000000001:00112233445566778899aabbccddeeff00";
    let events = [
        OrderEvent::OrderCreated {
            customer_id: id(CustomerId::parse, "cust-789"),
            currency: None,
            personal: None,
        },
        OrderEvent::OrderCreated {
            customer_id: id(CustomerId::parse, "cust-789"),
            currency: Currency::parse("EUR").ok(),
            personal: Some(serde_json::from_value(serde_json::json!(sealed)).expect("sealed")),
        },
        OrderEvent::ItemAdded {
            product_id: id(ProductId::parse, "sku-42"),
            product_name: "Espresso <b>beans</b>".into(),
            unit_price: Cents(1250),
            quantity: 3,
        },
        OrderEvent::ItemRemoved {
            product_id: id(ProductId::parse, "sku-42"),
        },
        OrderEvent::OrderSubmitted { total: Cents(3750) },
        OrderEvent::PaymentReceived {
            amount: Cents(3750),
            payment_method: "card".into(),
            transaction_id: "tx-1".into(),
        },
        OrderEvent::OrderShipped {
            carrier: "DHL".into(),
            tracking_number: "trk-1".into(),
        },
        OrderEvent::OrderCancelled {
            reason: "changed mind".into(),
            cancelled_by: "customer".into(),
        },
    ];
    for event in events {
        let json = serde_json::to_value(&event).expect("serializes");
        let data = json["data"].as_object().expect("data is an object");
        let back = event_from_json(event.event_type(), &json["data"].to_string());
        assert_eq!(back.as_ref(), Ok(&event), "{json}");
        // Without any one of its fields (the optional ones aside) it names that field.
        for field in data.keys() {
            let mut fewer = data.clone();
            fewer.remove(field);
            let read = event_from_json(
                event.event_type(),
                &serde_json::to_string(&fewer).expect("map"),
            );
            match field.as_str() {
                "currency" | "personal" => assert!(read.is_ok(), "{field}: {read:?}"),
                _ => assert_eq!(read, Err(format!("missing field `{field}`")), "{json}"),
            }
        }
    }
    let message = event_from_json("Teleport", "{}").expect_err("unknown type");
    assert!(
        message.starts_with("unknown variant `Teleport`, expected one of `OrderCreated`"),
        "{message}"
    );
    let message = event_from_json(
        "ItemAdded",
        r#"{"productId":"sku-1","productName":"x","unitPrice":"lots","quantity":1}"#,
    )
    .expect_err("bad price");
    assert!(message.starts_with("invalid"), "{message}");
    let message = event_from_json(
        "ItemRemoved",
        r#"{"productId":"sku-1","productId":"sku-2"}"#,
    )
    .expect_err("twice");
    assert_eq!(message, "duplicate field `productId`");
    assert!(event_from_json("OrderSubmitted", r#"{"total":100,"note":"kept out"}"#).is_ok());
}

#[test]
fn every_kind_of_stored_row_reads_back_what_it_wrote() {
    use cqrs_lab::domain::ids::{GlobalPosition, StreamVersion};
    use cqrs_lab::domain::order::OrderStatus;
    use cqrs_lab::store::{StoredLine, StoredRow};
    let order = || OrderId::parse("o-1").expect("valid");
    let rows = [
        StoredRow::Order {
            order_id: order(),
            status: Some(OrderStatus::Paid),
            currency: Some(Currency::usd()),
            lines: vec![StoredLine {
                product_id: ProductId::parse("p-1").expect("valid"),
                unit_price: Cents(1250),
                quantity: 2,
            }],
        },
        StoredRow::Order {
            order_id: order(),
            status: None,
            currency: None,
            lines: vec![],
        },
        StoredRow::Customer {
            customer_id: CustomerId::parse("cust-1").expect("valid"),
            orders: 3,
            personal: None,
            personal_at: GlobalPosition(7),
        },
        StoredRow::Day {
            day: 2,
            revenue: Cents(500),
        },
        StoredRow::Seen {
            order_id: order(),
            version: StreamVersion(4),
        },
    ];
    for row in rows {
        let json = serde_json::to_string(&row).expect("serializable");
        let back: StoredRow = serde_json::from_str(&json).expect("readable");
        assert_eq!(back, row, "{json}");
    }
    // A row saved before `personalAt` was kept reads as 0; a bad kind is named.
    let old: StoredRow =
        serde_json::from_str(r#"{"kind":"customer","customerId":"cust-1","orders":2}"#)
            .expect("readable");
    assert!(
        matches!(old, StoredRow::Customer { personal_at, .. } if personal_at == GlobalPosition(0))
    );
    let bad =
        serde_json::from_str::<StoredRow>(r#"{"kind":"week","day":1}"#).map_err(|e| e.to_string());
    assert!(bad.is_err_and(|e| e.contains("kind is \"week\"")));
}
