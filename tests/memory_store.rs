//! The store contract, on the in-memory store: atomic appends with expected versions,
//! reads, snapshots, the outbox, processed command ids and checkpoints.

mod support;

use cqrs_lab::collections::PlaceIndex;
use cqrs_lab::domain::envelope::{EnvelopeParts, EventEnvelope};
use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::OrderState;
use cqrs_lab::store::{
    AppendError, MemoryStore, ProjectionName, ProjectionSave, Snapshot, StoredProgress,
    StoredProjection, StoredRow,
};
use support::{append_request as request, *};

fn order(id: &str) -> OrderId {
    OrderId::parse(id).expect("valid")
}

#[test]
fn an_append_gets_contiguous_versions_and_global_positions() {
    let mut store = MemoryStore::new();
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1)],
        ))
        .expect("appended");
    let appended = store
        .append(request("o-2", 0, 2, vec![created()]))
        .expect("appended");
    assert_eq!(appended.events[0].global_position, GlobalPosition(3));
    assert_eq!(appended.events[0].stream_version, StreamVersion(1));
    assert_eq!(store.stream_version(&order("o-1")), StreamVersion(2));
    assert_eq!(store.head(), GlobalPosition(3));
}

#[test]
fn an_append_at_a_stale_version_is_a_conflict_and_stores_nothing() {
    let mut store = MemoryStore::new();
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .expect("appended");
    let error = store
        .append(request("o-1", 0, 2, vec![created()]))
        .expect_err("stale");
    assert_eq!(
        error,
        AppendError::Conflict {
            stream_id: order("o-1"),
            expected: StreamVersion(0),
            actual: StreamVersion(1)
        }
    );
    assert_eq!(store.head(), GlobalPosition(1));
    assert!(store.processed(&CommandId::numbered("cmd", 2)).is_none());
    assert_eq!(store.unpublished(10), [GlobalPosition(1)]);
}

#[test]
fn an_append_expecting_a_version_of_a_stream_that_does_not_exist_makes_nothing() {
    let mut store = MemoryStore::new();
    let error = store
        .append(request("o-9", 3, 1, vec![created()]))
        .expect_err("no such version");
    assert_eq!(
        error,
        AppendError::Conflict {
            stream_id: order("o-9"),
            expected: StreamVersion(3),
            actual: StreamVersion(0)
        }
    );
    assert!(store.stream_ids().is_empty());
    assert_eq!(store.head(), GlobalPosition(0));
    assert!(store.processed(&CommandId::numbered("cmd", 1)).is_none());
    store
        .append(request("o-9", 0, 1, vec![created()]))
        .expect("the command appends once the version is right");
}

#[test]
fn a_processed_command_id_cannot_append_twice() {
    let mut store = MemoryStore::new();
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .expect("appended");
    let error = store
        .append(request("o-1", 1, 1, vec![item_added("a", 100, 1)]))
        .expect_err("duplicate");
    assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
    assert_eq!(
        store.processed(&CommandId::numbered("cmd", 1)),
        Some(vec![GlobalPosition(1)])
    );
}

#[test]
fn a_command_found_new_at_load_is_still_refused_once_another_append_stored_it() {
    let mut store = MemoryStore::new();
    let cmd = |n| CommandId::numbered("cmd", n);
    // Two handlers load for the same command id: both find it new.
    assert!(!store.check_processed(&cmd(1)));
    assert!(!store.check_processed(&cmd(1)));
    store
        .append(request("o-1", 0, 1, vec![created()]))
        .expect("the first append stores it");
    let error = store
        .append(request("o-2", 0, 1, vec![created()]))
        .expect_err("the second is a duplicate");
    assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
    // Found new, then another command appends, then this one: it is looked up again.
    assert!(!store.check_processed(&cmd(3)));
    store
        .append(request("o-3", 0, 2, vec![created()]))
        .expect("another command");
    store
        .append(request("o-4", 0, 3, vec![created()]))
        .expect("still new");
    let error = store
        .append(request("o-5", 0, 3, vec![created()]))
        .expect_err("stored now");
    assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
    assert!(store.check_processed(&cmd(3)));
    assert_eq!(store.head(), GlobalPosition(3));
}

/// Two command ids `cmd-<n>` whose 32 index hash bits are the same (found by search).
fn colliding_command_ids() -> (CommandId, CommandId) {
    let mut seen = std::collections::HashMap::new();
    for n in 0..50_000_000u64 {
        let id = CommandId::numbered("cmd", n);
        if let Some(earlier) = seen.insert(PlaceIndex::hash_bits(&id), n) {
            return (CommandId::numbered("cmd", earlier), id);
        }
    }
    panic!("no two ids share their bits")
}

#[test]
fn every_one_of_many_processed_command_ids_is_found_with_its_events() {
    // Enough commands that most ids sit in the index's large table, behind its filter.
    const COMMANDS: u64 = 40_000;
    let mut store = MemoryStore::new();
    let mut next = GlobalPosition(1);
    let mut expected = Vec::new();
    for n in 0..COMMANDS {
        let events = if n % 7 == 0 {
            vec![created(), item_added("a", 100, 1), item_added("b", 5, 2)]
        } else {
            vec![created()]
        };
        let positions: Vec<GlobalPosition> = (0..events.len() as u64)
            .map(|i| GlobalPosition(next.0 + i))
            .collect();
        next = GlobalPosition(next.0 + events.len() as u64);
        store
            .append(request(&format!("o-{n}"), 0, n, events))
            .expect("appended");
        expected.push(positions);
    }
    for (n, positions) in (0..COMMANDS).zip(&expected) {
        let id = CommandId::numbered("cmd", n);
        assert_eq!(store.processed(&id).as_ref(), Some(positions), "{id}");
    }
    let absent = (COMMANDS..COMMANDS + 20_000).map(|n| CommandId::numbered("cmd", n));
    assert!(absent.clone().all(|id| !store.is_processed(&id)));
    assert!(absent.map(|id| id.to_string()).all(|id| {
        let other = CommandId::parse(&format!("{id}x")).expect("valid");
        store.processed(&other).is_none()
    }));
    // An old id is still a duplicate, and its refusal stores nothing.
    let head = store.head();
    let error = store
        .append(request("o-new", 0, 3, vec![created()]))
        .expect_err("cmd-3 was processed long ago");
    assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
    assert_eq!(store.head(), head);
    assert_eq!(store.stream_version(&order("o-new")), StreamVersion(0));
}

#[test]
fn command_ids_sharing_their_hash_bits_are_told_apart() {
    let (a, b) = colliding_command_ids();
    assert_eq!(PlaceIndex::hash_bits(&a), PlaceIndex::hash_bits(&b));
    let number = |id: &CommandId| -> u64 {
        id.as_str()
            .trim_start_matches("cmd-")
            .parse()
            .expect("numbered")
    };
    // Among the latest ids, then with the first one far behind (in the large table).
    for others in [0, 40_000u64] {
        let mut store = MemoryStore::new();
        store
            .append(request("o-a", 0, number(&a), vec![created()]))
            .expect("appended");
        assert!(!store.is_processed(&b), "same bits, another id");
        for n in 0..others {
            let n = 100_000_000 + n;
            store
                .append(request(&format!("o-{n}"), 0, n, vec![created()]))
                .expect("appended");
        }
        store
            .append(request("o-b", 0, number(&b), vec![created()]))
            .expect("the other id is new");
        assert_eq!(store.processed(&a), Some(vec![GlobalPosition(1)]));
        assert_eq!(store.processed(&b), Some(vec![store.head()]));
        let error = store
            .append(request("o-c", 0, number(&a), vec![created()]))
            .expect_err("a was processed");
        assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
    }
}

#[test]
fn an_imported_store_knows_each_command_by_its_first_run_of_events() {
    let envelope = |position: u64, stream: &str, version: u64, command: u64| {
        EventEnvelope::from(EnvelopeParts {
            event_id: EventId::numbered("evt", position),
            stream_id: order(stream),
            stream_version: StreamVersion(version),
            global_position: GlobalPosition(position),
            schema_version: SchemaVersion(1),
            recorded_at: VirtualMillis(position),
            correlation_id: CorrelationId::numbered("corr", command),
            causation_id: CommandId::numbered("cmd", command),
            event: if version == 1 {
                created()
            } else {
                item_added("a", 100, 1)
            },
        })
    };
    // cmd-1 stored two events, cmd-2 one, then cmd-1 is named again (a store written by
    // other software): only its first run counts.
    let store = MemoryStore::from_events(vec![
        envelope(1, "o-1", 1, 1),
        envelope(2, "o-1", 2, 1),
        envelope(3, "o-2", 1, 2),
        envelope(4, "o-1", 3, 1),
    ]);
    let cmd = |n| CommandId::numbered("cmd", n);
    assert_eq!(
        store.processed(&cmd(1)),
        Some(vec![GlobalPosition(1), GlobalPosition(2)])
    );
    assert_eq!(store.processed(&cmd(2)), Some(vec![GlobalPosition(3)]));
    assert_eq!(store.processed(&cmd(3)), None);
    let mut store = store;
    let error = store
        .append(request("o-3", 0, 1, vec![created()]))
        .expect_err("cmd-1 was processed");
    assert!(matches!(error, AppendError::AlreadyProcessed { .. }));
}

#[test]
fn an_empty_append_is_refused() {
    let mut store = MemoryStore::new();
    assert_eq!(
        store.append(request("o-1", 0, 1, vec![])),
        Err(AppendError::Empty)
    );
}

#[test]
fn reading_all_pages_through_the_change_feed() {
    let mut store = MemoryStore::new();
    for n in 1..=5 {
        store
            .append(request(&format!("o-{n}"), 0, n, vec![created()]))
            .expect("appended");
    }
    let page: Vec<u64> = store
        .read_all(GlobalPosition(2), 2)
        .iter()
        .map(|e| e.global_position.0)
        .collect();
    assert_eq!(page, [3, 4]);
    assert!(store.read_all(GlobalPosition(5), 10).is_empty());
    assert!(store.read_all(GlobalPosition(99), 10).is_empty());
}

#[test]
fn loading_a_stream_starts_from_its_newest_snapshot() {
    let mut store = MemoryStore::new();
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1)],
        ))
        .expect("appended");
    let state = cqrs_lab::domain::order::fold(&[created(), item_added("a", 100, 1)]);
    store.save_snapshot(Snapshot {
        stream_id: order("o-1"),
        version: StreamVersion(2),
        state: state.clone(),
    });
    store
        .append(request("o-1", 2, 2, vec![item_added("b", 100, 1)]))
        .expect("appended");
    let loaded = store.load_stream(&order("o-1"));
    assert_eq!(loaded.snapshot.as_ref().map(|s| &s.state), Some(&state));
    assert_eq!(loaded.events.len(), 1, "only the event after the snapshot");
    assert_eq!(loaded.version(), StreamVersion(3));
}

#[test]
fn the_list_forms_of_append_and_load_reuse_the_lists_they_are_given() {
    let mut store = MemoryStore::new();
    let mut first = request("o-1", 0, 1, vec![created(), item_added("a", 100, 1)]);
    let stale = store
        .append(request("o-9", 0, 9, vec![created()]))
        .expect("appended");
    // A list still holding something: what comes back holds only this append's events.
    let appended = store
        .append_into(&mut first, stale.events)
        .expect("appended");
    assert!(
        first.events.is_empty(),
        "the request's events moved into the store"
    );
    let positions: Vec<_> = appended.events.iter().map(|e| e.global_position).collect();
    assert_eq!(positions, [GlobalPosition(2), GlobalPosition(3)]);

    // A refused append leaves its events in the request and stores nothing.
    let mut again = request("o-1", 0, 2, vec![created()]);
    let error = store
        .append_into(&mut again, Vec::new())
        .expect_err("stale");
    assert!(matches!(error, AppendError::Conflict { .. }));
    assert_eq!(again.events.len(), 1);
    assert_eq!(store.head(), GlobalPosition(3));

    let loaded = store.load_stream_into(&order("o-1"), appended.events);
    assert_eq!(loaded, store.load_stream(&order("o-1")));
    assert_eq!(loaded.events.len(), 2);
    let unknown = store.load_stream_into(&order("o-2"), loaded.events);
    assert!(unknown.events.is_empty() && unknown.snapshot.is_none());
}

#[test]
fn an_older_or_impossible_snapshot_is_ignored() {
    let mut store = MemoryStore::new();
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1)],
        ))
        .expect("appended");
    let snapshot = |v| Snapshot {
        stream_id: order("o-1"),
        version: StreamVersion(v),
        state: OrderState::NotCreated,
    };
    store.save_snapshot(snapshot(2));
    store.save_snapshot(snapshot(1));
    store.save_snapshot(snapshot(7));
    assert_eq!(
        store.snapshot(&order("o-1")).map(|s| s.version),
        Some(StreamVersion(2))
    );
}

#[test]
fn outbox_rows_are_written_with_the_events_and_cleared_when_published() {
    let mut store = MemoryStore::new();
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1)],
        ))
        .expect("appended");
    let mut without = request("o-2", 0, 2, vec![created()]);
    without.with_outbox = false;
    store.append(without).expect("appended");
    assert_eq!(
        store.unpublished(10),
        [GlobalPosition(1), GlobalPosition(2)]
    );
    store.mark_published(&[GlobalPosition(1)]);
    assert_eq!(store.unpublished(10), [GlobalPosition(2)]);
}

#[test]
fn the_relay_reads_unpublished_events_after_its_cursor_and_learns_if_more_wait() {
    let mut store = MemoryStore::new();
    store
        .append(request(
            "o-1",
            0,
            1,
            vec![created(), item_added("a", 100, 1), item_added("b", 200, 2)],
        ))
        .expect("appended");
    store
        .append(request("o-2", 0, 2, vec![created()]))
        .expect("appended");
    store.mark_published(&[GlobalPosition(2)]);
    let positions = |events: &[cqrs_lab::domain::envelope::SharedEvent]| {
        events
            .iter()
            .map(|e| e.global_position.0)
            .collect::<Vec<_>>()
    };
    let (first, more) = store.outbox_after(GlobalPosition(0), 2);
    assert_eq!((positions(&first), more), (vec![1, 3], true));
    let (rest, more) = store.outbox_after(GlobalPosition(3), 2);
    assert_eq!((positions(&rest), more), (vec![4], false));
    let (exact, more) = store.outbox_after(GlobalPosition(0), 3);
    assert_eq!((positions(&exact), more), (vec![1, 3, 4], false));
    let (none, more) = store.outbox_after(GlobalPosition(4), 10);
    assert_eq!((positions(&none), more), (vec![], false));
}

#[test]
fn projections_are_kept_per_projection_row_by_row() {
    let mut store = MemoryStore::new();
    assert_eq!(
        store.checkpoint(ProjectionName::OrderSummary),
        GlobalPosition(0)
    );
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress {
            checkpoint: GlobalPosition(4),
            ahead: vec![GlobalPosition(6)],
        },
        replace: false,
        rows: vec![day_row(0, 100), day_row(1, 50)],
    });
    assert_eq!(
        store.checkpoint(ProjectionName::OrderSummary),
        GlobalPosition(4)
    );
    // A later save changes one row; a replacing save drops every row first.
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress {
            checkpoint: GlobalPosition(6),
            ahead: vec![],
        },
        replace: false,
        rows: vec![day_row(1, 75)],
    });
    let stored = store
        .stored_projection(ProjectionName::OrderSummary)
        .expect("saved");
    assert_eq!(stored.progress.checkpoint, GlobalPosition(6));
    assert_eq!(stored.rows, [day_row(0, 100), day_row(1, 75)]);
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress::default(),
        replace: true,
        rows: vec![day_row(2, 1)],
    });
    let stored = store
        .stored_projection(ProjectionName::OrderSummary)
        .expect("saved");
    assert_eq!(stored.rows, [day_row(2, 1)]);
    // Rows changed after a replacing save stand in for the saved ones with their keys,
    // and every row comes back once, in key order.
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress::default(),
        replace: true,
        rows: vec![day_row(5, 1), day_row(2, 1), day_row(0, 7)],
    });
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress::default(),
        replace: false,
        rows: vec![day_row(2, 9), day_row(3, 4)],
    });
    store.save_projection(ProjectionSave {
        projection: ProjectionName::OrderSummary,
        progress: StoredProgress::default(),
        replace: false,
        rows: vec![day_row(3, 8)],
    });
    let stored = store
        .stored_projection(ProjectionName::OrderSummary)
        .expect("saved");
    assert_eq!(
        stored.rows,
        [day_row(0, 7), day_row(2, 9), day_row(3, 8), day_row(5, 1)]
    );
    assert_eq!(store.stored_projection(ProjectionName::RevenuePerDay), None);
    assert_eq!(
        store.checkpoint(ProjectionName::RevenuePerDay),
        GlobalPosition(0)
    );
}

fn seen_row(order_id: &str, version: u64) -> StoredRow {
    StoredRow::Seen {
        order_id: order(order_id),
        version: StreamVersion(version),
    }
}

#[test]
fn seen_rows_change_like_any_row_and_come_back_in_key_order() {
    let mut store = MemoryStore::new();
    let save = |store: &mut MemoryStore, replace, rows| {
        store.save_projection(ProjectionSave {
            projection: ProjectionName::OrdersPerCustomer,
            progress: StoredProgress::default(),
            replace,
            rows,
        })
    };
    let rows = |store: &MemoryStore| {
        store
            .stored_projection(ProjectionName::OrdersPerCustomer)
            .expect("saved")
            .rows
    };
    save(
        &mut store,
        true,
        vec![seen_row("o-2", 1), day_row(0, 5), seen_row("o-1", 2)],
    );
    save(
        &mut store,
        false,
        vec![seen_row("o-1", 5), seen_row("o-3", 1), day_row(1, 9)],
    );
    save(&mut store, false, vec![seen_row("o-3", 2)]);
    assert_eq!(
        rows(&store),
        [
            day_row(0, 5),
            day_row(1, 9),
            seen_row("o-1", 5),
            seen_row("o-2", 1),
            seen_row("o-3", 2),
        ],
        "a changed version stands in for the saved one"
    );
    // A replacing save drops every change before it.
    save(&mut store, true, vec![seen_row("o-9", 1)]);
    assert_eq!(rows(&store), [seen_row("o-9", 1)]);
}

fn day_row(day: u64, cents: i64) -> StoredRow {
    StoredRow::Day {
        day,
        revenue: Cents(cents),
    }
}

#[test]
fn a_projection_misses_events_only_when_the_outbox_will_not_bring_them_again() {
    let at = |checkpoint: u64, ahead: &[u64]| StoredProjection {
        progress: StoredProgress {
            checkpoint: GlobalPosition(checkpoint),
            ahead: ahead.iter().map(|p| GlobalPosition(*p)).collect(),
        },
        rows: vec![],
    };
    let p = GlobalPosition;
    // Caught up, or behind only on what the outbox still holds: the bus brings it.
    assert!(!at(5, &[]).misses_events(p(5), None));
    assert!(!at(3, &[]).misses_events(p(5), Some(p(4))));
    assert!(!at(3, &[5]).misses_events(p(5), Some(p(4))));
    assert!(!at(0, &[]).misses_events(p(0), None));
    // Applied past a hole the outbox no longer covers: rebuilt.
    assert!(at(3, &[]).misses_events(p(5), None));
    assert!(at(3, &[]).misses_events(p(5), Some(p(5))));
    assert!(!at(3, &[4]).misses_events(p(5), Some(p(5))));
    // An imported log: nothing applied, nothing in the outbox.
    assert!(at(0, &[]).misses_events(p(100), None));
}
