//! The IndexedDB event store in headless Chromium, against the real IndexedDB: atomic
//! appends, the unique `[streamId, streamVersion]` index, persistence across reopen,
//! migration from schema v1, quarantine of corrupt records, and the engine driven
//! through it.
#![cfg(target_arch = "wasm32")]

mod support;

use cqrs_lab::domain::envelope::EnvelopeParts;
use cqrs_lab::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::driver;
use cqrs_lab::engine::rebuild::RebuildStrategy;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::{AppendError, ProjectionName};
use cqrs_lab::web::idb::records::EventRecord;
use cqrs_lab::web::idb::{schema, IdbStore};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use support::{append_request as request, *};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh database per test, so tests do not see each other's data.
async fn fresh(name: &str) -> IdbStore {
    IdbStore::delete(name).await.expect("deleted");
    IdbStore::open(name).await.expect("opened")
}

fn order(id: &str) -> OrderId {
    OrderId::parse(id).expect("valid")
}

/// Writes a raw record (JSON) into an object store, bypassing `IdbStore` (another
/// writer, damage, or an older version's data).
async fn put_raw(database: &str, object_store: &str, json: &str) {
    let db = indexed_db_futures::database::Database::open(database)
        .await
        .expect("raw open");
    let tx = db
        .transaction(object_store)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("tx");
    tx.object_store(object_store)
        .expect("object store")
        .put(js_sys::JSON::parse(json).expect("json"))
        .primitive()
        .expect("request")
        .await
        .expect("written");
    tx.commit().await.expect("committed");
    db.close();
}

/// Writes a raw event record, bypassing `IdbStore`.
async fn put_raw_event(database: &str, record: EventRecord) {
    let json = serde_json::to_string(&record).expect("serializable");
    put_raw(database, schema::EVENTS, &json).await;
}

#[wasm_bindgen_test]
async fn an_append_is_stored_and_survives_reopening() {
    let name = "t-reopen";
    let store = fresh(name).await;
    let appended = store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 250, 2)],
        ))
        .await
        .expect("no store failure")
        .expect("appended");
    assert_eq!(appended.events.len(), 2);
    store.close();

    let store = IdbStore::open(name).await.expect("reopened");
    assert_eq!(store.head().await.expect("head"), GlobalPosition(2));
    assert_eq!(
        store.stream_version(&order("o-1")).await.expect("version"),
        StreamVersion(2)
    );
    let (events, corrupt) = store
        .read_stream(&order("o-1"), StreamVersion(0))
        .await
        .expect("read");
    assert!(corrupt.is_empty());
    assert_eq!(events, appended.events, "the same envelopes come back");
    let outbox = store
        .unpublished_after(GlobalPosition(0), 10)
        .await
        .expect("outbox");
    assert_eq!(outbox.len(), 2, "outbox rows were written with the events");
    assert!(store
        .is_processed(&CommandId::numbered("cmd", 1))
        .await
        .expect("processed"));
}

#[wasm_bindgen_test]
async fn a_stale_expected_version_is_a_conflict_and_stores_nothing() {
    let store = fresh("t-conflict").await;
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("first writer wins");
    let lost = store
        .append(request("o-1", 0, 2, vec![created()]))
        .await
        .expect("no store failure");
    assert_eq!(
        lost,
        Err(AppendError::Conflict {
            stream_id: order("o-1"),
            expected: StreamVersion(0),
            actual: StreamVersion(1),
        })
    );
    assert_eq!(store.head().await.expect("head"), GlobalPosition(1));
    assert!(!store
        .is_processed(&CommandId::numbered("cmd", 2))
        .await
        .expect("processed"));
}

#[wasm_bindgen_test]
async fn a_command_appended_once_is_already_processed_whatever_version_it_expects() {
    let store = fresh("t-processed").await;
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    let already = Err(AppendError::AlreadyProcessed {
        command_id: CommandId::numbered("cmd", 1),
    });
    // Retried as first sent (the stream has moved past what it expected since)...
    let retried = store.append(request("o-1", 0, 1, vec![created()])).await;
    assert_eq!(retried.expect("no store failure"), already);
    // ...or expecting the stream's version now, or on another stream: still done once.
    let again = store
        .append(request("o-1", 1, 1, vec![item_added("a", 250, 1)]))
        .await;
    assert_eq!(again.expect("no store failure"), already);
    let elsewhere = store.append(request("o-2", 0, 1, vec![created()])).await;
    assert_eq!(elsewhere.expect("no store failure"), already);
    assert_eq!(store.head().await.expect("head"), GlobalPosition(1));
    assert_eq!(
        store.stream_version(&order("o-2")).await.expect("version"),
        StreamVersion(0)
    );
    // The store still takes the next command where the log ends.
    store
        .append(request("o-1", 1, 2, vec![item_added("a", 250, 1)]))
        .await
        .expect("no store failure")
        .expect("appended after the refusals");
    assert_eq!(store.head().await.expect("head"), GlobalPosition(2));
}

/// Writes event records straight into the events store, in one transaction: a log
/// far longer than one batch of a scan, in a moment.
async fn put_raw_events(database: &str, positions: impl Iterator<Item = u64>) {
    let db = indexed_db_futures::database::Database::open(database)
        .await
        .expect("raw open");
    let tx = db
        .transaction(schema::EVENTS)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .expect("tx");
    let events = tx.object_store(schema::EVENTS).expect("object store");
    for position in positions {
        let envelope = cqrs_lab::domain::envelope::EventEnvelope::from(EnvelopeParts {
            event_id: cqrs_lab::domain::ids::EventId::numbered("evt", position),
            stream_id: order(&format!("o-{position}")),
            stream_version: StreamVersion(1),
            global_position: GlobalPosition(position),
            schema_version: cqrs_lab::domain::ids::SchemaVersion(1),
            recorded_at: cqrs_lab::domain::ids::VirtualMillis(position),
            correlation_id: cqrs_lab::domain::ids::CorrelationId::numbered("corr", position),
            causation_id: CommandId::numbered("cmd", position),
            event: created(),
        });
        let json = serde_json::to_string(&EventRecord::from_envelope(&envelope)).expect("json");
        events
            .put(js_sys::JSON::parse(&json).expect("json"))
            .primitive()
            .expect("request")
            .await
            .expect("written");
    }
    tx.commit().await.expect("committed");
    db.close();
}

#[wasm_bindgen_test]
async fn a_scan_reads_a_log_of_many_batches_in_order_across_gaps_and_odd_keys() {
    let name = "t-scan";
    let store = fresh(name).await;
    // Positions 1..=12,345 but for a gap at 5,000 and 5,001 (a batch's edge).
    put_raw_events(name, (1..=12_345).filter(|p| !(5_000..=5_001).contains(p))).await;
    let events = store.all_events().await.expect("scanned");
    let positions: Vec<u64> = events.iter().map(|e| e.global_position.0).collect();
    let expected: Vec<u64> = (1..=12_345)
        .filter(|p| !(5_000..=5_001).contains(p))
        .collect();
    assert_eq!(positions, expected, "every event once, in position order");
    let later = store
        .events_after(GlobalPosition(12_000))
        .await
        .expect("scanned");
    assert_eq!(later.len(), 345);
    assert_eq!(later[0].global_position, GlobalPosition(12_001));
    // A row whose key is no position (damage, or another writer) sorts after every
    // number: the scan still reaches it, and past it, and sets it aside.
    put_raw(
        name,
        schema::EVENTS,
        r#"{"globalPosition":"zz","streamId":"x","streamVersion":1,"envelope":"{}"}"#,
    )
    .await;
    let events = store.all_events().await.expect("scanned again");
    assert_eq!(events.len(), expected.len());
    let quarantined = store.quarantined().await.expect("dead letters");
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    assert_eq!(quarantined[0].store, "events");
}

#[wasm_bindgen_test]
async fn two_connections_interleave_appends_with_contiguous_positions() {
    // Two tabs: each connection assumes the head it last saw and finds out otherwise.
    let name = "t-two-tabs";
    let a = fresh(name).await;
    let b = IdbStore::open(name).await.expect("second connection");
    let positions = |appended: Result<Result<cqrs_lab::store::Appended, AppendError>, _>| {
        appended
            .expect("no store failure")
            .expect("appended")
            .events
            .iter()
            .map(|e| e.global_position.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        positions(a.append(request("o-1", 0, 1, vec![created()])).await),
        [1]
    );
    assert_eq!(
        positions(b.append(request("o-2", 0, 2, vec![created()])).await),
        [2]
    );
    assert_eq!(
        positions(b.append(request("o-3", 0, 3, vec![created()])).await),
        [3]
    );
    // `a` still thinks the log ends at 1.
    assert_eq!(
        positions(a.append(request("o-4", 0, 4, vec![created()])).await),
        [4]
    );
    // `b` empties the log: `a` thinks it ends at 4, and must not leave a gap.
    b.clear().await.expect("cleared");
    assert_eq!(
        positions(a.append(request("o-5", 0, 5, vec![created()])).await),
        [1]
    );
    assert_eq!(
        positions(b.append(request("o-6", 0, 6, vec![created()])).await),
        [2]
    );
    let all = a.all_events().await.expect("read");
    let stored: Vec<u64> = all.iter().map(|e| e.global_position.0).collect();
    assert_eq!(stored, [1, 2]);
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn the_unique_index_aborts_the_whole_append() {
    let name = "t-unique";
    let store = fresh(name).await;
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    // Another writer slipped version 3 in without going through the version check.
    let intruder = store
        .read_stream(&order("o-1"), StreamVersion(0))
        .await
        .expect("read")
        .0[0]
        .as_ref()
        .clone();
    let mut intruder = intruder;
    intruder.global_position = GlobalPosition(50);
    intruder.stream_version = StreamVersion(3);
    intruder.event = item_added("x", 1, 1);
    put_raw_event(name, EventRecord::from_envelope(&intruder)).await;
    // The stream now has two rows, so expected version 2 passes the check; the
    // batch's second event (version 3) hits the unique index.
    let result = store
        .append(request(
            "o-1",
            2,
            2,
            vec![item_added("a", 100, 1), item_added("b", 100, 1)],
        ))
        .await
        .expect("no store failure");
    assert!(
        matches!(result, Err(AppendError::Conflict { .. })),
        "{result:?}"
    );
    let (events, _) = store
        .read_stream(&order("o-1"), StreamVersion(0))
        .await
        .expect("read");
    let versions: Vec<u64> = events.iter().map(|e| e.stream_version.0).collect();
    assert_eq!(
        versions,
        vec![1, 3],
        "nothing of the aborted batch was kept"
    );
    let outbox = store
        .unpublished_after(GlobalPosition(0), 10)
        .await
        .expect("outbox");
    assert_eq!(outbox.len(), 1, "no outbox row of the aborted batch");
    assert!(!store
        .is_processed(&CommandId::numbered("cmd", 2))
        .await
        .expect("processed"));
}

#[wasm_bindgen_test]
async fn a_version_1_database_migrates_and_keeps_its_events() {
    let name = "t-migrate";
    IdbStore::delete(name).await.expect("deleted");
    let v1 = IdbStore::open_at(name, 1).await.expect("opened at v1");
    assert_eq!(
        v1.object_stores(),
        [
            "checkpoints",
            "events",
            "meta",
            "outbox",
            "processed",
            "snapshots"
        ]
    );
    v1.append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    v1.close();

    // v2 kept checkpoints without read-model rows: such a checkpoint is dropped in v3,
    // so the page rebuilds the projection from the log instead of trusting it.
    let v2 = IdbStore::open_at(name, 2).await.expect("migrated to v2");
    v2.close();
    put_raw(
        name,
        schema::CHECKPOINTS,
        r#"{"projection":"OrderSummary","position":1}"#,
    )
    .await;

    let v3 = IdbStore::open(name).await.expect("migrated");
    assert_eq!(
        v3.object_stores(),
        [
            "checkpoints",
            "commandQueue",
            "deadLetters",
            "events",
            "meta",
            "outbox",
            "processed",
            "readModels",
            "snapshots"
        ]
    );
    assert_eq!(v3.head().await.expect("head"), GlobalPosition(1));
    let (stored, corrupt) = v3.stored_projections().await.expect("read");
    assert!(
        stored.is_empty() && corrupt.is_empty(),
        "{stored:?} {corrupt:?}"
    );
    assert_eq!(
        v3.checkpoint(ProjectionName::OrderSummary)
            .await
            .expect("read"),
        GlobalPosition(0)
    );
}

#[wasm_bindgen_test]
async fn a_corrupt_event_is_quarantined_and_the_rest_loads() {
    let name = "t-corrupt";
    let store = fresh(name).await;
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    put_raw_event(
        name,
        EventRecord {
            global_position: 2,
            stream_id: "o-1".into(),
            stream_version: 2,
            envelope: "{\"eventType\": \"NoSuchEvent\"".into(),
        },
    )
    .await;
    // A row whose fields have the wrong types altogether (another writer's, or damage).
    put_raw(
        name,
        schema::EVENTS,
        r#"{"globalPosition":3,"streamId":7,"streamVersion":"two","envelope":42}"#,
    )
    .await;
    let mut engine = Engine::new(EngineConfig::default(), Vec::new());
    engine.start_rebuild(
        ProjectionName::OrderSummary,
        cqrs_lab::engine::rebuild::RebuildStrategy::InPlace,
    );
    driver::run_to_idle(&mut engine, &store, 100)
        .await
        .expect("rebuilt");
    let readable = store.all_events().await.expect("a second scan");
    assert_eq!(
        readable.len(),
        1,
        "the corrupt event is skipped, the rest loads"
    );
    let quarantined = store.quarantined().await.expect("dead letters");
    assert_eq!(quarantined.len(), 2, "each set aside once: {quarantined:?}");
    for (record, key) in quarantined.iter().zip(["2", "3"]) {
        assert_eq!(record.store, "events");
        assert_eq!(record.key, key);
        assert!(record.reason.contains("envelope"), "{quarantined:?}");
    }
    let summary = engine
        .projection(ProjectionName::OrderSummary)
        .expect("projection");
    assert_eq!(
        summary.model().rows().len(),
        1,
        "the readable event was applied"
    );
}

#[wasm_bindgen_test]
async fn the_engine_runs_against_indexeddb() {
    let store = fresh("t-engine").await;
    let script = vec![
        create_order(0, "cmd-1", "o-1"),
        create_order(0, "cmd-2", "o-2"),
        create_order(5, "cmd-1", "o-1"), // a client retry: same command id
    ];
    let mut engine = Engine::new(EngineConfig::default(), script);
    driver::run_to_idle(&mut engine, &store, 10_000)
        .await
        .expect("ran");
    assert_eq!(store.head().await.expect("head"), GlobalPosition(2));
    for p in engine.projections() {
        assert_eq!(p.checkpoint(), GlobalPosition(2), "{:?} caught up", p.name);
        assert_eq!(
            store.checkpoint(p.name).await.expect("checkpoint"),
            GlobalPosition(2),
            "{:?} checkpoint stored",
            p.name
        );
    }
    assert!(
        store
            .unpublished_after(GlobalPosition(0), 10)
            .await
            .expect("outbox")
            .is_empty(),
        "every outbox row was published"
    );
    assert_eq!(engine.metrics().commands_duplicate, 1);

    // Each projection's rows were saved with its checkpoint; a new engine (a reload)
    // resumes from them with nothing to replay.
    let rows = |engine: &Engine| {
        ProjectionName::ALL.map(|n| engine.projection(n).expect("projection").model().rows())
    };
    let mut reloaded = Engine::new(EngineConfig::default(), Vec::new());
    resume(&mut reloaded, &store).await;
    assert_eq!(rows(&reloaded), rows(&engine));
    assert!(ProjectionName::ALL
        .iter()
        .all(|n| reloaded.rebuild(*n).is_none()));

    // A rebuild replaces every stored row of its projection.
    assert!(engine.start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::InPlace));
    driver::run_to_idle(&mut engine, &store, 10_000)
        .await
        .expect("rebuilt");
    let mut again = Engine::new(EngineConfig::default(), Vec::new());
    resume(&mut again, &store).await;
    assert_eq!(rows(&again), rows(&engine));
}

/// Resumes every projection of `engine` from what `store` kept, as the page does.
async fn resume(engine: &mut Engine, store: &IdbStore) {
    let (stored, corrupt) = store.stored_projections().await.expect("read");
    assert!(corrupt.is_empty(), "{corrupt:?}");
    let head = store.head().await.expect("head");
    let oldest = store.oldest_unpublished().await.expect("outbox");
    for name in ProjectionName::ALL {
        let kept = stored
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.clone());
        assert!(kept.is_some(), "{name:?} saved");
        engine.restore_projection(name, kept, head, oldest);
    }
}

#[wasm_bindgen_test]
async fn a_malformed_import_changes_nothing_and_a_good_one_replaces_the_log() {
    let store = fresh("t-import").await;
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1)],
        ))
        .await
        .expect("no store failure")
        .expect("appended");
    let before = store.all_events().await.expect("scan");
    let export = cqrs_lab::store::transfer::export_json(&before);

    let broken = export.replacen("\"streamVersion\": 2", "\"streamVersion\": 5", 1);
    let refused = store.import(&broken).await.expect("no store failure");
    assert!(
        matches!(
            &refused,
            Err(cqrs_lab::store::transfer::ImportError::Record { index: 1, field, .. })
                if field == "streamVersion"
        ),
        "{refused:?}"
    );
    assert_eq!(store.all_events().await.expect("scan"), before, "untouched");

    store
        .append(request("o-2", 0, 2, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    let imported = store.import(&export).await.expect("no store failure");
    assert_eq!(imported, Ok(2));
    assert_eq!(store.all_events().await.expect("scan"), before, "replaced");
    assert!(store
        .is_processed(&CommandId::numbered("cmd", 1))
        .await
        .expect("processed"));
    assert!(!store
        .is_processed(&CommandId::numbered("cmd", 2))
        .await
        .expect("processed"));
}

#[wasm_bindgen_test]
async fn an_open_tab_gives_way_to_a_newer_version() {
    let name = "t-upgrade";
    IdbStore::delete(name).await.expect("deleted");
    let gave_way = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = std::rc::Rc::clone(&gave_way);
    let old = IdbStore::open_with(name, schema::SCHEMA_VERSION, || {}, move || flag.set(true))
        .await
        .expect("the old tab opened");
    old.append(request("o-1", 0, 1, vec![created()]))
        .await
        .expect("no store failure")
        .expect("appended");
    // Without giving way, this open would wait for ever.
    let newer = IdbStore::open_at(name, schema::SCHEMA_VERSION + 1)
        .await
        .expect("the newer version opened");
    assert!(gave_way.get() && old.is_superseded());
    assert_eq!(
        old.head().await,
        Err(cqrs_lab::web::idb::StoreError::Superseded),
        "the old tab says why it stopped"
    );
    assert_eq!(newer.head().await.expect("head"), GlobalPosition(1));
}

#[wasm_bindgen_test]
fn an_abort_without_a_reason_is_the_quota_only_when_next_to_no_room_is_left() {
    use cqrs_lab::web::idb::quota::{classify_silent_abort, Estimate};
    use cqrs_lab::web::idb::StoreError;
    let full = Estimate {
        usage: 10_000_000,
        quota: 10_500_000,
    };
    assert_eq!(classify_silent_abort(Some(full)), StoreError::QuotaExceeded);
    let roomy = Estimate {
        usage: 1_000_000,
        quota: 10_000_000_000,
    };
    assert!(matches!(
        classify_silent_abort(Some(roomy)),
        StoreError::Failed(why) if why.contains("without saying why")
    ));
    assert!(matches!(classify_silent_abort(None), StoreError::Failed(_)));
    assert!(StoreError::QuotaExceeded
        .to_string()
        .starts_with("the browser's storage quota is exhausted: nothing was stored"));
}
