//! The engine's command side: given a configuration and a command script, when the
//! simulation runs, then the store, the trace and the metrics say what happened.

mod support;

use cqrs_lab::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion, VirtualMillis};
use cqrs_lab::domain::order::{OrderCommand, Rejection};
use cqrs_lab::engine::config::{Backpressure, ConflictPolicy, EngineConfig};
use cqrs_lab::engine::script::ScriptedCommand;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::Engine;
use support::*;

fn run(config: EngineConfig, script: Vec<ScriptedCommand>) -> Simulation {
    let mut sim = Simulation::new(Engine::new(config, script));
    let steps = sim.run_to_idle(100_000);
    assert!(steps < 100_000, "the run ends");
    sim
}

fn hops(sim: &Simulation) -> Vec<HopKind> {
    sim.engine.trace().hops().map(|h| h.kind.clone()).collect()
}

fn order_of(sim: &Simulation, order: &str) -> Vec<&'static str> {
    let id = OrderId::parse(order).expect("valid");
    sim.store
        .read_stream(&id, StreamVersion(0))
        .iter()
        .map(|e| e.event_type())
        .collect()
}

#[test]
fn a_script_of_commands_becomes_events_in_the_store() {
    let sim = run(
        EngineConfig::default(),
        vec![
            create_order(0, "c1", "o-1"),
            scripted(10, 1, "c2", "o-1", add_item("a", 1250, 2)),
            scripted(20, 1, "c3", "o-1", OrderCommand::SubmitOrder),
        ],
    );
    assert_eq!(
        order_of(&sim, "o-1"),
        ["OrderCreated", "ItemAdded", "OrderSubmitted"]
    );
    let m = sim.engine.metrics();
    assert_eq!((m.commands_accepted, m.events_appended), (3, 3));
    let last = sim.store.event(GlobalPosition(3)).expect("third event");
    assert_eq!(last.causation_id().as_str(), "c3");
    assert_eq!(last.correlation_id.as_str(), "corr-c3");
    assert_eq!(
        last.recorded_at,
        VirtualMillis(25),
        "sent at 20, handled in 5 ms"
    );
}

#[test]
fn a_rejected_command_records_no_event_and_says_why() {
    let sim = run(
        EngineConfig::default(),
        vec![
            create_order(0, "c1", "o-1"),
            scripted(10, 1, "c2", "o-1", OrderCommand::SubmitOrder),
        ],
    );
    assert_eq!(order_of(&sim, "o-1"), ["OrderCreated"]);
    assert!(hops(&sim).contains(&HopKind::CommandRejected {
        command_id: CommandId::parse("c2").expect("valid"),
        rejection: Rejection::EmptyOrder,
    }));
}

#[test]
fn a_retried_command_id_is_acknowledged_not_applied_twice() {
    let sim = run(
        EngineConfig::default(),
        vec![
            create_order(0, "c1", "o-1"),
            scripted(10, 1, "c2", "o-1", add_item("a", 100, 1)),
            scripted(500, 1, "c2", "o-1", add_item("a", 100, 1)),
        ],
    );
    assert_eq!(order_of(&sim, "o-1"), ["OrderCreated", "ItemAdded"]);
    assert_eq!(sim.engine.metrics().commands_duplicate, 1);
    assert!(hops(&sim).contains(&HopKind::CommandDuplicate {
        command_id: CommandId::parse("c2").expect("valid")
    }));
}

fn race(on_conflict: ConflictPolicy) -> Simulation {
    let config = EngineConfig {
        handlers: 2,
        on_conflict,
        ..EngineConfig::default()
    };
    run(
        config,
        vec![
            create_order(0, "c1", "o-1"),
            scripted(100, 1, "alice", "o-1", add_item("a", 100, 1)),
            scripted(100, 2, "bob", "o-1", add_item("b", 200, 1)),
        ],
    )
}

#[test]
fn two_clients_racing_on_one_order_hit_a_real_conflict() {
    let sim = race(ConflictPolicy::Fail);
    assert_eq!(order_of(&sim, "o-1"), ["OrderCreated", "ItemAdded"]);
    assert!(hops(&sim).contains(&HopKind::ConcurrencyConflict {
        command_id: CommandId::parse("bob").expect("valid"),
        expected: StreamVersion(1),
        actual: StreamVersion(2),
        will_retry: false,
    }));
    assert_eq!(sim.engine.metrics().conflicts_failed, 1);
}

#[test]
fn with_no_handling_time_a_handler_appends_as_it_decides_and_no_race_is_possible() {
    let config = EngineConfig {
        handlers: 2,
        handling_time: VirtualMillis(0),
        on_conflict: ConflictPolicy::Fail,
        ..EngineConfig::default()
    };
    let script = vec![
        create_order(0, "c1", "o-1"),
        scripted(100, 1, "alice", "o-1", add_item("a", 100, 1)),
        scripted(100, 2, "bob", "o-1", add_item("b", 200, 1)),
    ];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_until(VirtualMillis(99));
    assert_eq!(sim.store.head(), GlobalPosition(1));
    // At 100: both sends, then one handler wakes and takes both commands in turn, each
    // loaded after the one before it was appended (the other handler finds none).
    for _ in 0..3 {
        sim.step();
    }
    assert_eq!(
        order_of(&sim, "o-1"),
        ["OrderCreated", "ItemAdded", "ItemAdded"]
    );
    assert_eq!(sim.engine.metrics().conflicts, 0);
    let kinds: Vec<_> = hops(&sim)
        .into_iter()
        .filter(|h| {
            matches!(
                h,
                HopKind::AggregateLoaded { .. } | HopKind::EventsAppended { .. }
            )
        })
        .map(|h| match h {
            HopKind::AggregateLoaded { replayed, .. } => format!("loaded {replayed}"),
            _ => "appended".to_owned(),
        })
        .collect();
    assert_eq!(
        kinds,
        ["loaded 0", "appended", "loaded 1", "appended", "loaded 2", "appended"]
    );
}

#[test]
fn a_conflict_retried_reloads_and_both_commands_land() {
    let sim = race(ConflictPolicy::Retry {
        max_retries: 2,
        backoff: VirtualMillis(10),
    });
    assert_eq!(
        order_of(&sim, "o-1"),
        ["OrderCreated", "ItemAdded", "ItemAdded"]
    );
    let m = sim.engine.metrics();
    assert_eq!(
        (m.conflicts, m.conflicts_failed, m.commands_accepted),
        (1, 0, 3)
    );
}

#[test]
fn snapshots_are_saved_every_n_events_and_shorten_replay() {
    let config = EngineConfig {
        snapshot_every: 3,
        ..EngineConfig::default()
    };
    let mut script = vec![create_order(0, "c0", "o-1")];
    script.extend(
        (1..=7).map(|i| scripted(i * 10, 1, &format!("c{i}"), "o-1", add_item("a", 100, 1))),
    );
    let sim = run(config, script);
    let snapshots: Vec<u64> = hops(&sim)
        .iter()
        .filter_map(|h| match h {
            HopKind::SnapshotSaved { version, .. } => Some(version.0),
            _ => None,
        })
        .collect();
    assert_eq!(snapshots, [3, 6]);
    let last_load = hops(&sim)
        .into_iter()
        .rev()
        .filter_map(|h| match h {
            HopKind::AggregateLoaded {
                snapshot, replayed, ..
            } => Some((snapshot, replayed)),
            _ => None,
        })
        .next();
    assert_eq!(last_load, Some((Some(StreamVersion(6)), 1)));
    assert_eq!(sim.engine.metrics().snapshots_saved, 2);
}

fn burst(backpressure: Backpressure) -> Simulation {
    let config = EngineConfig {
        queue_capacity: 2,
        backpressure,
        ..EngineConfig::default()
    };
    run(
        config,
        (0..6)
            .map(|i| create_order(0, &format!("c{i}"), &format!("o-{i}")))
            .collect(),
    )
}

#[test]
fn a_full_bus_under_reject_refuses_the_excess() {
    let sim = burst(Backpressure::Reject);
    let m = sim.engine.metrics();
    assert_eq!((m.commands_queued, m.commands_refused), (2, 4));
    assert_eq!(sim.store.head(), GlobalPosition(2));
}

#[test]
fn a_full_bus_under_wait_lets_clients_offer_again() {
    let sim = burst(Backpressure::Wait {
        retry_after: VirtualMillis(20),
        max_retries: 5,
    });
    let m = sim.engine.metrics();
    assert_eq!((m.commands_queued, m.commands_refused), (6, 0));
    assert_eq!(sim.store.head(), GlobalPosition(6));
}

#[test]
fn a_full_bus_under_overflow_uses_the_secondary_queue() {
    let sim = burst(Backpressure::Overflow { capacity: 3 });
    let m = sim.engine.metrics();
    assert_eq!((m.commands_queued, m.commands_refused), (5, 1));
    assert_eq!(sim.store.head(), GlobalPosition(5));
}

fn crash_mid_burst(durable_queue: bool) -> (Simulation, cqrs_lab::engine::CrashReport) {
    let config = EngineConfig {
        durable_queue,
        ..EngineConfig::default()
    };
    let script: Vec<_> = (0..4)
        .map(|i| create_order(0, &format!("c{i}"), &format!("o-{i}")))
        .collect();
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_until(VirtualMillis(7)); // one command appended, one in a handler, two queued
    let report = sim.engine.crash();
    sim.engine.recover();
    sim.run_to_idle(10_000);
    (sim, report)
}

#[test]
fn a_crash_loses_an_in_memory_queue_and_says_what_was_lost() {
    let (sim, report) = crash_mid_burst(false);
    let lost: Vec<&str> = report.lost.iter().map(|c| c.command_id.as_str()).collect();
    assert_eq!(lost, ["c1", "c2", "c3"]);
    assert_eq!(sim.store.head(), GlobalPosition(1), "only c0 was stored");
    assert_eq!(sim.engine.metrics().commands_lost, 3);
}

#[test]
fn a_crash_keeps_a_durable_queue_and_recovery_finishes_the_work() {
    let (sim, report) = crash_mid_burst(true);
    assert!(report.lost.is_empty());
    let kept: Vec<&str> = report.kept.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        kept,
        ["c1", "c2", "c3"],
        "the handler's command first, then the queue"
    );
    assert_eq!(
        sim.store.head(),
        GlobalPosition(4),
        "every command was stored once"
    );
}

#[test]
fn the_same_seed_gives_the_same_trace_and_jitter_makes_seeds_differ() {
    let script = || {
        (0..20)
            .map(|i| {
                scripted(
                    i,
                    i as u32 % 3,
                    &format!("c{i}"),
                    "o-1",
                    add_item("a", 100, 1),
                )
            })
            .chain([create_order(0, "c-create", "o-1")])
            .collect::<Vec<_>>()
    };
    let config = |seed| EngineConfig {
        seed,
        handlers: 3,
        handling_jitter: VirtualMillis(7),
        ..EngineConfig::default()
    };
    let hash = |seed| run(config(seed), script()).engine.trace().hash();
    assert_eq!(hash(42), hash(42));
    let distinct: std::collections::BTreeSet<u64> = (0..8).map(hash).collect();
    assert!(distinct.len() > 1, "jitter changes the interleaving");
}

#[test]
fn a_scheduler_at_its_limit_refuses_work_visibly() {
    let config = EngineConfig {
        task_limit: 3,
        ..EngineConfig::default()
    };
    let script = (0..5).map(|i| create_order(i, &format!("c{i}"), &format!("o-{i}")));
    let sim = run(config, script.collect());
    assert_eq!(
        sim.engine.metrics().tasks_refused,
        2,
        "only 3 of 5 sends fit"
    );
    assert!(hops(&sim).contains(&HopKind::SchedulerFull { limit: 3 }));
}

#[test]
fn an_answer_that_arrives_after_a_crash_is_ignored() {
    use cqrs_lab::engine::sim::execute;
    use cqrs_lab::store::MemoryStore;
    let config = EngineConfig {
        durable_queue: true,
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(config, vec![create_order(0, "c1", "o-1")]);
    let mut store = MemoryStore::new();
    let (ticket, effect) = loop {
        engine.step();
        if let Some(out) = engine.next_effect() {
            break out;
        }
    };
    let late = execute(&mut store, effect); // the store answers after the crash
    engine.crash();
    engine.recover();
    engine.complete(ticket, late);
    let mut sim = Simulation { engine, store };
    sim.run_to_idle(1000);
    assert_eq!(
        sim.store.head(),
        GlobalPosition(1),
        "handled once, after recovery"
    );
    assert_eq!(sim.engine.metrics().commands_accepted, 1);
}

/// Five submitted orders, then at 1,000 ms a burst of 300 new orders (bulk) with the
/// five payments (critical) sent 10 ms into it.
fn payments_in_a_burst(priority_lane: Option<u32>) -> Simulation {
    let mut script = Vec::new();
    for i in 0..5 {
        let order = format!("paid-{i}");
        script.push(create_order(i * 10, &format!("p{i}-1"), &order));
        script.push(scripted(
            200 + i * 10,
            1,
            &format!("p{i}-2"),
            &order,
            add_item("a", 1250, 2),
        ));
        script.push(scripted(
            400 + i * 10,
            1,
            &format!("p{i}-3"),
            &order,
            OrderCommand::SubmitOrder,
        ));
    }
    for i in 0..300 {
        script.push(create_order(1_000, &format!("b{i}"), &format!("bulk-{i}")));
    }
    for i in 0..5 {
        script.push(scripted(
            1_010,
            2,
            &format!("p{i}-4"),
            &format!("paid-{i}"),
            pay(2500),
        ));
    }
    let config = EngineConfig {
        priority_lane,
        handling_time: VirtualMillis(5),
        ..EngineConfig::default()
    };
    run(config, script)
}

#[test]
fn a_priority_lane_keeps_payments_fast_under_a_bulk_burst() {
    let single = payments_in_a_burst(None);
    let laned = payments_in_a_burst(Some(50));
    for sim in [&single, &laned] {
        let m = sim.engine.metrics();
        assert_eq!(
            m.commands_accepted,
            5 * 4 + 300,
            "every command lands either way"
        );
        assert_eq!(m.critical_latency.count, 5);
    }
    let (one, two) = (single.engine.metrics(), laned.engine.metrics());
    // One lane: the payments wait behind the 300 orders queued before them (5 ms each).
    assert!(
        one.critical_latency.max_ms >= 1_400,
        "{:?}",
        one.critical_latency
    );
    // Their own lane: each waits at most for the command in hand and the payments ahead.
    assert!(
        two.critical_latency.max_ms <= 40,
        "{:?}",
        two.critical_latency
    );
    assert!(two.critical_latency.mean_ms() * 20 < one.critical_latency.mean_ms());
    // The bulk commands pay only the few ms the payments took.
    assert!(two.bulk_latency.max_ms <= one.bulk_latency.max_ms + 30);
    let queued_critical = laned.engine.trace().hops().any(|h| {
        matches!(
            h.kind,
            HopKind::CommandQueued {
                queue: cqrs_lab::engine::command_bus::Queue::Critical,
                ..
            }
        )
    });
    assert!(queued_critical);
}

/// The duplicates the bus drew, as (position, subscription) of each extra copy applied
/// or ignored.
fn copies(sim: &Simulation) -> Vec<String> {
    sim.engine
        .trace()
        .hops()
        .filter_map(|h| match &h.kind {
            HopKind::Applied {
                position,
                subscription,
                duplicate: true,
            } => Some(format!("{position} {subscription:?}")),
            HopKind::Ignored {
                position,
                subscription,
            } => Some(format!("{position} {subscription:?}")),
            _ => None,
        })
        .collect()
}

#[test]
fn without_jitter_a_command_that_changes_nothing_leaves_every_fault_draw_as_it_was() {
    for seed in 0..50 {
        let mut config = EngineConfig {
            seed,
            ..EngineConfig::default()
        };
        config.bus.duplicate_rate = cqrs_lab::engine::rng::PerMillion::percent(30);
        let script = vec![
            create_order(0, "c-1", "o-1"),
            scripted(20, 1, "c-2", "o-1", add_item("a", 100, 1)),
            scripted(40, 1, "c-3", "o-1", add_item("b", 100, 1)),
            scripted(60, 1, "c-4", "o-1", OrderCommand::SubmitOrder),
        ];
        let mut with_extra = script.clone();
        // Rejected (no such order): no event, so nothing for the bus to draw for.
        with_extra.insert(1, scripted(10, 1, "c-x", "o-9", OrderCommand::SubmitOrder));
        let plain = run(config.clone(), script);
        let extra = run(config, with_extra);
        assert_eq!(copies(&plain), copies(&extra), "seed {seed}");
    }
}
