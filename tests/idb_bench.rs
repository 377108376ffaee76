//! The IndexedDB benchmark (run with `bash scripts/bench-idb.sh`; not part of the test
//! command): appends of 10,000 events in batches of 1, 10 and 100 through our store, raw
//! IndexedDB and Dexie (same records, strict durability, the same unique index), and a
//! full scan of 100,000 events through our store and a raw `getAll`, each the best of
//! two alternating rounds. Figures are printed, not asserted.
// Built only with `--features idb-bench` (the script provides Dexie as a `.js` file:
// the test runner's server does not serve `.mjs` as JavaScript).
#![cfg(all(target_arch = "wasm32", feature = "idb-bench"))]

use cqrs_lab::domain::envelope::{EnvelopeParts, EventEnvelope};
use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, ProductId, SchemaVersion,
    StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::OrderEvent;
use cqrs_lab::store::{AppendRequest, NewEvent};
use cqrs_lab::web::idb::IdbStore;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/benches/idb_baselines.js")]
extern "C" {
    #[wasm_bindgen(js_name = rawAppend)]
    async fn raw_append(name: &str, template: &str, total: u32, size: u32) -> JsValue;
    #[wasm_bindgen(js_name = dexieAppend)]
    async fn dexie_append(
        dexie: &JsValue,
        name: &str,
        template: &str,
        total: u32,
        size: u32,
    ) -> JsValue;
    #[wasm_bindgen(js_name = rawFill)]
    async fn raw_fill(name: &str, template: &str, total: u32);
    #[wasm_bindgen(js_name = rawScan)]
    async fn raw_scan(name: &str) -> JsValue;
    fn now() -> f64;
}

#[wasm_bindgen(module = "/target/bench-vendor/dexie.js")]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = Dexie)]
    static DEXIE: JsValue;
}

const TOTAL: u32 = 10_000;
const SCANNED: u32 = 100_000;
/// Rounds per measurement; each writer or reader keeps its best.
const ROUNDS: u32 = 2;

fn item(position: u64) -> OrderEvent {
    OrderEvent::ItemAdded {
        product_id: ProductId::parse(&format!("p{}", position % 7)).expect("valid"),
        product_name: "Espresso beans".into(),
        unit_price: Cents(1250),
        quantity: 2,
    }
}

/// A stored envelope as JSON with placeholders the JS side fills in, so every writer
/// stores records of the same shape and size as ours.
fn template() -> String {
    let envelope = EventEnvelope::from(EnvelopeParts {
        event_id: EventId::parse("__EVENT__").expect("valid"),
        stream_id: OrderId::parse("__STREAM__").expect("valid"),
        stream_version: StreamVersion(987_654_321),
        global_position: GlobalPosition(123_456_789),
        schema_version: SchemaVersion(1),
        recorded_at: VirtualMillis(1_000),
        correlation_id: CorrelationId::parse("corr-bench").expect("valid"),
        causation_id: CommandId::parse("cmd-bench").expect("valid"),
        event: item(0),
    });
    serde_json::to_string(&envelope)
        .expect("serializable")
        .replace("123456789", "\"__POSITION__\"")
        .replace("987654321", "\"__VERSION__\"")
}

async fn ours_append(size: u32) -> f64 {
    let name = "bench-ours";
    IdbStore::delete(name).await.expect("deleted");
    let store = IdbStore::open(name).await.expect("opened");
    let start = now();
    for b in 0..u64::from(TOTAL / size) {
        let command_id = CommandId::numbered("cmd", b);
        let events = (1..=u64::from(size))
            .map(|v| NewEvent {
                event_id: EventId::numbered("e", b * u64::from(size) + v),
                schema_version: SchemaVersion(1),
                recorded_at: VirtualMillis(1_000),
                correlation_id: CorrelationId::parse("corr-bench").expect("valid"),
                causation_id: command_id.clone(),
                event: item(v),
            })
            .collect();
        store
            .append(AppendRequest {
                stream_id: OrderId::numbered("o", b),
                expected_version: StreamVersion(0),
                events,
                command_id,
                with_outbox: true,
            })
            .await
            .expect("no store failure")
            .expect("appended");
    }
    let ms = now() - start;
    store.close();
    ms
}

fn ms(value: &JsValue) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

#[wasm_bindgen_test]
async fn indexeddb_benchmark() {
    let template = template();
    let dexie = DEXIE.with(JsValue::clone);
    console_log!("appends of {TOTAL} events (events + outbox rows + processed id per batch, strict durability), best of {ROUNDS} alternating rounds:");
    for size in [1, 10, 100] {
        // The three writers take turns, round after round, and each keeps its best
        // time: the disk's moods then fall on all of them alike.
        let (mut ours, mut raw, mut dexie_ms) = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..ROUNDS {
            ours = ours.min(ours_append(size).await);
            raw = raw.min(ms(&raw_append("bench-raw", &template, TOTAL, size).await));
            dexie_ms = dexie_ms.min(ms(&dexie_append(
                &dexie,
                "bench-dexie",
                &template,
                TOTAL,
                size,
            )
            .await));
        }
        console_log!(
            "  batch {size:>3}: ours {ours:>7.0} ms | raw IndexedDB {raw:>7.0} ms | Dexie bulkAdd {dexie_ms:>7.0} ms | ours/raw {:.2} | ours/Dexie {:.2}",
            ours / raw,
            ours / dexie_ms
        );
    }
    let name = "bench-scan";
    IdbStore::delete(name).await.expect("deleted");
    IdbStore::open(name).await.expect("opened").close();
    raw_fill(name, &template, SCANNED).await;
    let (mut ours, mut raw_ms, mut raw_count) = (f64::MAX, f64::MAX, 0.0);
    for _ in 0..ROUNDS {
        let store = IdbStore::open(name).await.expect("opened");
        let start = now();
        let events = store.all_events().await.expect("scanned");
        ours = ours.min(now() - start);
        assert_eq!(events.len() as u32, SCANNED, "every event decoded");
        store.close();
        let raw = js_sys::Array::from(&raw_scan(name).await);
        raw_ms = raw_ms.min(ms(&raw.get(0)));
        raw_count = raw.get(1).as_f64().unwrap_or(0.0);
    }
    console_log!(
        "full scan of {SCANNED} events: ours (batched getAll + decode) {ours:.0} ms | raw getAll {raw_ms:.0} ms ({raw_count} records) | ours/raw {:.2}",
        ours / raw_ms
    );
}
