//! The engine's read side: outbox relay, event bus (duplicates, failures, dead letters),
//! projections with checkpoints, the divergence check, and crashes with and without
//! the outbox.

mod support;

use cqrs_lab::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::engine::config::{EngineConfig, LagDistribution, ProjectionMode};
use cqrs_lab::engine::projection::ReadModel;
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::script::ScriptedCommand;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::truth::{wrong_rows as wrong_rows_beside_fold, StoreFold};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use support::*;

/// Create, add 2 × $12.50, submit, pay: four events on o-1.
fn cmd(at: u64, id: &str, order: &str, command: OrderCommand) -> ScriptedCommand {
    scripted(at, 1, id, order, command)
}

fn paid_order_script() -> Vec<ScriptedCommand> {
    vec![
        cmd(
            0,
            "c1",
            "o-1",
            OrderCommand::CreateOrder {
                customer_id: customer(),
                currency: None,
                personal: None,
            },
        ),
        cmd(10, "c2", "o-1", add_item("a", 1250, 2)),
        cmd(20, "c3", "o-1", OrderCommand::SubmitOrder),
        cmd(30, "c4", "o-1", pay(2500)),
    ]
}

fn run(config: EngineConfig, script: Vec<ScriptedCommand>) -> Simulation {
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(100_000);
    sim
}

fn rows(sim: &Simulation, name: ProjectionName) -> Vec<(String, String)> {
    let projection = sim.engine.projection(name).expect("a projection");
    projection.model().rows().into_iter().collect()
}

fn wrong_rows(sim: &Simulation, name: ProjectionName) -> usize {
    let projection = sim.engine.projection(name).expect("a projection");
    projection.divergence(sim.store.events()).len()
}

fn all_naive(config: &mut EngineConfig) {
    config.bus.modes = ProjectionName::ALL.map(|n| (n, ProjectionMode::Naive));
}

#[test]
fn every_read_model_reflects_the_store_once_the_bus_drains() {
    let sim = run(EngineConfig::default(), paid_order_script());
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary),
        [pair("o-1", "Paid, 2 items, $25.00")]
    );
    assert_eq!(
        rows(&sim, ProjectionName::OrdersPerCustomer),
        [pair("cust-789", "1")]
    );
    assert_eq!(
        rows(&sim, ProjectionName::RevenuePerDay),
        [pair("day 0", "$25.00")]
    );
    for name in ProjectionName::ALL {
        assert_eq!(
            sim.engine.projection(name).map(|p| p.checkpoint()),
            Some(GlobalPosition(4))
        );
        assert_eq!(
            sim.store.checkpoint(name),
            GlobalPosition(4),
            "checkpoint saved"
        );
        assert_eq!(wrong_rows(&sim, name), 0);
    }
    assert!(
        sim.store.unpublished(10).is_empty(),
        "every outbox row was published"
    );
}

#[test]
fn a_naive_projection_double_counts_duplicates_and_the_check_flags_it() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    all_naive(&mut config);
    let sim = run(config, paid_order_script());
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary)[0].1,
        "Paid, 4 items, $50.00",
        "ItemAdded applied twice"
    );
    for name in ProjectionName::ALL {
        assert_eq!(wrong_rows(&sim, name), 1, "{name:?}");
    }
}

#[test]
fn an_idempotent_projection_ignores_duplicates() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    let sim = run(config, paid_order_script());
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary)[0].1,
        "Paid, 2 items, $25.00"
    );
    assert_eq!(
        sim.engine.metrics().ignored,
        12,
        "4 duplicates x 3 subscriptions"
    );
    for name in ProjectionName::ALL {
        assert_eq!(wrong_rows(&sim, name), 0);
    }
}

#[test]
fn a_failing_projection_dead_letters_after_max_deliveries_and_heals_on_resubmit() {
    let mut config = EngineConfig::default();
    config.bus.failing = vec![ProjectionName::RevenuePerDay];
    let mut sim = run(config, paid_order_script());
    let dead = sim.engine.event_bus().dead_letters();
    assert_eq!(dead.len(), 4);
    assert!(dead.iter().all(|d| d.message.delivery_count == 10));
    assert_eq!(sim.engine.metrics().redeliveries, 4 * 9);
    assert_eq!(
        sim.engine
            .projection(ProjectionName::RevenuePerDay)
            .map(|p| p.checkpoint()),
        Some(GlobalPosition(0))
    );
    sim.engine.set_failing(ProjectionName::RevenuePerDay, false);
    assert_eq!(
        sim.engine
            .resubmit_dead_letters(ProjectionName::RevenuePerDay),
        4
    );
    sim.run_to_idle(10_000);
    assert_eq!(rows(&sim, ProjectionName::RevenuePerDay)[0].1, "$25.00");
    assert!(sim.engine.event_bus().dead_letters().is_empty());
}

#[test]
fn with_the_outbox_a_crash_loses_messages_but_recovery_republishes_them() {
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), paid_order_script()));
    // Appends at 5, 15, 25, 35; each published 1 ms later, delivered 20 ms after that.
    // At 40, events 3 and 4 are on the bus (due at 46 and 56) for three subscriptions.
    sim.run_until(VirtualMillis(40));
    for name in ProjectionName::ALL {
        assert_eq!(
            sim.engine.event_bus().depth(name),
            2,
            "{name:?} queue depth"
        );
    }
    let report = sim.engine.crash();
    assert_eq!(report.lost_messages, 6);
    assert_eq!(
        sim.engine.event_bus().depth(ProjectionName::OrderSummary),
        0
    );
    assert_eq!(
        sim.store.unpublished(10),
        [GlobalPosition(3), GlobalPosition(4)]
    );
    sim.engine.recover();
    sim.run_to_idle(10_000);
    for name in ProjectionName::ALL {
        assert_eq!(
            sim.engine.projection(name).map(|p| p.checkpoint()),
            Some(GlobalPosition(4))
        );
    }
    assert_eq!(rows(&sim, ProjectionName::RevenuePerDay)[0].1, "$25.00");
}

#[test]
fn without_the_outbox_a_crash_between_append_and_publish_loses_the_event_for_good() {
    let config = EngineConfig {
        outbox: false,
        ..EngineConfig::default()
    };
    let mut sim = Simulation::new(Engine::new(config, paid_order_script()));
    // The payment is appended at 35 and its publish is due at 36; events 2 and 3 are
    // still on the (in-memory) bus.
    sim.run_until(VirtualMillis(35));
    let report = sim.engine.crash();
    assert_eq!((report.lost_publications, report.lost_messages), (1, 6));
    sim.engine.recover();
    sim.run_to_idle(10_000);
    assert_eq!(sim.store.head(), GlobalPosition(4), "every event is stored");
    let revenue = sim
        .engine
        .projection(ProjectionName::RevenuePerDay)
        .expect("exists");
    assert_eq!(
        revenue.checkpoint(),
        GlobalPosition(1),
        "but never delivered: lag forever"
    );
    assert!(matches!(revenue.model(), ReadModel::RevenuePerDay(r) if r.is_empty()));
}

#[test]
fn lag_counts_unapplied_events_and_their_age() {
    use cqrs_lab::engine::views::lag;
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), paid_order_script()));
    sim.run_until(VirtualMillis(40)); // 4 events stored; events 3 (at 25) and 4 (at 35) on the bus
    let checkpoint = sim
        .engine
        .projection(ProjectionName::OrderSummary)
        .map(|p| p.checkpoint())
        .expect("exists");
    let behind = lag(sim.store.events(), checkpoint, sim.engine.now());
    assert_eq!(behind.events_behind, 2);
    assert_eq!(
        behind.ms_behind,
        VirtualMillis(15),
        "event 3 was recorded at 25"
    );
    sim.run_to_idle(1000);
    let caught_up = lag(sim.store.events(), GlobalPosition(4), sim.engine.now());
    assert_eq!(
        (caught_up.events_behind, caught_up.ms_behind),
        (0, VirtualMillis(0))
    );
}

#[test]
fn time_travel_shows_aggregates_and_read_models_as_of_a_position() {
    use cqrs_lab::domain::order::{OrderState, OrderStatus};
    use cqrs_lab::engine::views::time_travel;
    let sim = run(EngineConfig::default(), paid_order_script());
    let then = time_travel(sim.store.events(), GlobalPosition(2));
    let order = OrderId::parse("o-1").expect("valid");
    match then.aggregates.get(&order) {
        Some(OrderState::Created(o)) => assert_eq!(o.status, OrderStatus::Draft),
        other => panic!("expected a draft, got {other:?}"),
    }
    let summary = &then.read_models[0].1;
    assert_eq!(
        summary.rows().into_values().collect::<Vec<_>>(),
        ["Draft, 2 items, $25.00"]
    );
    assert_eq!(
        time_travel(sim.store.events(), GlobalPosition(99)).position,
        GlobalPosition(4)
    );
    let start = time_travel(sim.store.events(), GlobalPosition(0));
    assert!(start.aggregates.is_empty());
}

#[test]
fn rebuilding_in_place_replays_the_store_and_heals_a_corrupted_read_model() {
    use cqrs_lab::engine::rebuild::RebuildStrategy;
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    all_naive(&mut config);
    let mut sim = run(config, paid_order_script());
    assert_eq!(wrong_rows(&sim, ProjectionName::OrderSummary), 1);
    assert!(sim
        .engine
        .start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::InPlace));
    assert!(!sim
        .engine
        .start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::InPlace));
    sim.run_to_idle(1000);
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary)[0].1,
        "Paid, 2 items, $25.00"
    );
    assert_eq!(wrong_rows(&sim, ProjectionName::OrderSummary), 0);
    assert!(
        sim.engine.rebuild(ProjectionName::OrderSummary).is_none(),
        "finished"
    );
}

#[test]
fn a_blue_green_rebuild_serves_the_old_model_until_the_swap() {
    use cqrs_lab::engine::rebuild::{RebuildStrategy, REBUILD_CHUNK};
    use cqrs_lab::engine::trace::HopKind;
    let mut script = vec![cmd(
        0,
        "c0",
        "o-0",
        OrderCommand::CreateOrder {
            customer_id: customer(),
            currency: None,
            personal: None,
        },
    )];
    script.extend((1..=1200).map(|i| cmd(i, &format!("c{i}"), "o-0", add_item("a", 100, 1))));
    let mut sim = run(EngineConfig::default(), script);
    let before = rows(&sim, ProjectionName::OrderSummary);
    assert!(sim
        .engine
        .start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::BlueGreen));
    sim.step();
    sim.step(); // two chunks of the three replayed
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary),
        before,
        "the old model serves"
    );
    let progress = sim
        .engine
        .rebuild(ProjectionName::OrderSummary)
        .map(|r| r.replayed);
    assert_eq!(progress, Some(2 * REBUILD_CHUNK));
    sim.run_to_idle(1000);
    assert_eq!(
        rows(&sim, ProjectionName::OrderSummary),
        before,
        "same data after the swap"
    );
    let finished = sim.engine.trace().hops().any(|h| {
        matches!(
            h.kind,
            HopKind::RebuildFinished {
                strategy: RebuildStrategy::BlueGreen,
                ..
            }
        )
    });
    assert!(finished);
}

#[test]
fn a_rebuild_recovers_what_a_lost_publication_never_delivered() {
    use cqrs_lab::engine::rebuild::RebuildStrategy;
    let config = EngineConfig {
        outbox: false,
        ..EngineConfig::default()
    };
    let mut sim = Simulation::new(Engine::new(config, paid_order_script()));
    sim.run_until(VirtualMillis(35));
    sim.engine.crash();
    sim.engine.recover();
    sim.run_to_idle(10_000);
    sim.engine
        .start_rebuild(ProjectionName::RevenuePerDay, RebuildStrategy::InPlace);
    sim.run_to_idle(10_000);
    assert_eq!(rows(&sim, ProjectionName::RevenuePerDay)[0].1, "$25.00");
    assert_eq!(
        sim.store.checkpoint(ProjectionName::RevenuePerDay),
        GlobalPosition(4)
    );
}

#[test]
fn duplicate_detection_drops_a_publisher_retry_and_without_it_copies_arrive() {
    let mut config = EngineConfig::default();
    config.bus.publisher_retry_rate = PerMillion::ALWAYS;
    let detected = run(config.clone(), paid_order_script());
    let m = detected.engine.metrics();
    assert_eq!((m.duplicates_detected, m.ignored), (4, 0));
    config.bus.duplicate_detection = None;
    let copied = run(config, paid_order_script());
    let m = copied.engine.metrics();
    assert_eq!(
        (m.duplicates_detected, m.ignored),
        (0, 12),
        "4 copies x 3, ignored"
    );
}

#[test]
fn a_handler_slower_than_its_lock_gets_the_message_again_despite_duplicate_detection() {
    use cqrs_lab::engine::config::LagDistribution;
    let mut config = EngineConfig::default();
    config.bus.processing_time = LagDistribution::Fixed(VirtualMillis(90_000));
    all_naive(&mut config);
    let sim = run(config.clone(), paid_order_script());
    assert!(sim.engine.config().bus.detection_window().is_some());
    // Each of 4 events x 3 subscriptions is delivered 10 times, then dead-lettered.
    assert_eq!(sim.engine.metrics().locks_expired, 4 * 3 * 10);
    assert_eq!(sim.engine.event_bus().dead_letters().len(), 4 * 3);
    assert_eq!(
        wrong_rows(&sim, ProjectionName::OrderSummary),
        1,
        "the naive one double counts"
    );
    config.bus.modes = ProjectionName::ALL.map(|n| (n, ProjectionMode::Idempotent));
    let sim = run(config, paid_order_script());
    assert_eq!(
        wrong_rows(&sim, ProjectionName::OrderSummary),
        0,
        "the idempotent one does not"
    );
}

#[test]
fn duplicate_detection_forgets_message_ids_older_than_its_window() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_detection = Some(VirtualMillis(20_000));
    let mut script = paid_order_script();
    script.push(cmd(
        60_000,
        "c5",
        "o-2",
        OrderCommand::CreateOrder {
            customer_id: customer(),
            currency: None,
            personal: None,
        },
    ));
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_until(VirtualMillis(10_000));
    assert_eq!(sim.engine.event_bus().remembered_ids(), 4);
    sim.run_to_idle(100_000);
    assert_eq!(
        sim.engine.event_bus().remembered_ids(),
        1,
        "only the id sent 40 s after the others is within the 20 s window"
    );
}

#[test]
fn the_detection_window_is_kept_within_service_bus_limits() {
    use cqrs_lab::engine::config::BusConfig;
    let window = |ms| {
        BusConfig {
            duplicate_detection: Some(VirtualMillis(ms)),
            ..BusConfig::default()
        }
        .detection_window()
    };
    assert_eq!(window(1), Some(VirtualMillis(20_000)));
    assert_eq!(window(600_000), Some(VirtualMillis(600_000)));
    assert_eq!(window(u64::MAX), Some(VirtualMillis(604_800_000)));
}

#[test]
fn a_new_engine_resumes_projections_from_stored_rows_and_rebuilds_one_that_missed_events() {
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), paid_order_script()));
    sim.run_to_idle(10_000);
    let expected: Vec<_> = ProjectionName::ALL.map(|n| rows(&sim, n)).into();

    // A reload: every projection resumes from its rows, with nothing to replay.
    let mut reloaded = Simulation::new(Engine::new(EngineConfig::default(), Vec::new()));
    reloaded.store = sim.store.clone();
    let head = reloaded.store.head();
    for name in ProjectionName::ALL {
        let stored = reloaded.store.stored_projection(name);
        assert!(stored.is_some(), "{name:?} saved its rows");
        reloaded.engine.restore_projection(name, stored, head, None);
    }
    assert_eq!(
        ProjectionName::ALL.map(|n| rows(&reloaded, n)).to_vec(),
        expected
    );
    assert!(
        reloaded
            .engine
            .rebuild(ProjectionName::OrderSummary)
            .is_none(),
        "nothing to rebuild"
    );

    // The same log without saved projections (an imported file): each one misses
    // events no outbox row will bring again, so it is rebuilt from the log.
    let mut imported = Simulation::new(Engine::new(EngineConfig::default(), Vec::new()));
    imported.store = cqrs_lab::store::MemoryStore::from_events(
        sim.store.events().iter().map(|e| (**e).clone()).collect(),
    );
    for name in ProjectionName::ALL {
        imported.engine.restore_projection(name, None, head, None);
        assert!(imported.engine.rebuild(name).is_some(), "{name:?} rebuilds");
    }
    imported.run_to_idle(10_000);
    assert_eq!(
        ProjectionName::ALL.map(|n| rows(&imported, n)).to_vec(),
        expected
    );
    for name in ProjectionName::ALL {
        assert_eq!(imported.store.checkpoint(name), head, "{name:?} saved");
    }
}

#[test]
fn a_naive_projection_under_duplicates_shows_wrong_rows_until_rebuilt_idempotent() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    let mut sim = Simulation::new(Engine::new(config, paid_order_script()));
    sim.engine
        .set_mode(ProjectionName::OrdersPerCustomer, ProjectionMode::Naive);
    sim.run_to_idle(10_000);
    let wrong = |sim: &Simulation| {
        sim.engine
            .projection(ProjectionName::OrdersPerCustomer)
            .map(|p| wrong_rows_beside_fold(p, &StoreFold::of(sim.store.events()), 10))
            .expect("a projection")
    };
    let (listed, count) = wrong(&sim);
    assert_eq!(count, 1, "the customer's order counted twice");
    assert_eq!(listed[0].expected.as_deref(), Some("1"));
    assert_eq!(listed[0].actual.as_deref(), Some("2"));
    // Idempotent from now on does not repair what is wrong...
    sim.engine.set_mode(
        ProjectionName::OrdersPerCustomer,
        ProjectionMode::Idempotent,
    );
    assert_eq!(wrong(&sim).1, 1);
    // ...a rebuild does.
    sim.engine.start_rebuild(
        ProjectionName::OrdersPerCustomer,
        cqrs_lab::engine::rebuild::RebuildStrategy::InPlace,
    );
    sim.run_to_idle(10_000);
    assert_eq!(wrong(&sim).1, 0);
    assert_eq!(rows(&sim, ProjectionName::OrdersPerCustomer)[0].1, "1");
}

/// What one run asked of the read side's store, in order: outbox reads, projection
/// saves and outbox updates (with their positions).
fn effects_of(config: EngineConfig, script: Vec<ScriptedCommand>) -> Vec<String> {
    use cqrs_lab::engine::effects::Effect;
    let mut sim = Simulation::new(Engine::new(config, script));
    let mut seen = Vec::new();
    while sim.engine.next_due().is_some() {
        sim.engine.step();
        while let Some((ticket, effect)) = sim.engine.next_effect() {
            seen.extend(match &effect {
                Effect::SaveProjection(save) => Some(format!("save {:?}", save.projection)),
                Effect::MarkPublished(positions) => Some(format!(
                    "published {:?}",
                    positions.iter().map(|p| p.0).collect::<Vec<_>>()
                )),
                Effect::ReadOutbox { .. } => Some("read outbox".to_owned()),
                _ => None,
            });
            let result = cqrs_lab::engine::sim::execute(&mut sim.store, effect);
            sim.engine.complete(ticket, result);
        }
    }
    seen
}

#[test]
fn messages_due_together_arrive_as_one_batch_saved_once_then_completed() {
    // Three orders created at 0 and handled at once: the relay publishes the three
    // events together at 1 and each subscription receives them together at 21.
    let config = EngineConfig {
        handling_time: VirtualMillis(0),
        ..EngineConfig::default()
    };
    let create = |id: &str, order: &str| create_order(0, id, order);
    let script = vec![
        create("c1", "o-1"),
        create("c2", "o-2"),
        create("c3", "o-3"),
    ];
    assert_eq!(
        effects_of(config.clone(), script.clone()),
        [
            "read outbox",
            "save OrderSummary",
            "save OrdersPerCustomer",
            "save RevenuePerDay",
            "published [1, 2, 3]",
        ]
    );
    // Spread out, each event travels alone: a save per subscription and an update each.
    let apart: Vec<_> = script
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.at = VirtualMillis(100 * i as u64);
            c
        })
        .collect();
    let effects = effects_of(config, apart);
    assert_eq!(effects.iter().filter(|e| e.starts_with("save")).count(), 9);
    assert_eq!(
        effects
            .iter()
            .filter(|e| e.starts_with("published"))
            .collect::<Vec<_>>(),
        ["published [1]", "published [2]", "published [3]"]
    );
    let sim = run(
        EngineConfig {
            handling_time: VirtualMillis(0),
            ..EngineConfig::default()
        },
        vec![
            create("c1", "o-1"),
            create("c2", "o-2"),
            create("c3", "o-3"),
        ],
    );
    assert_eq!(rows(&sim, ProjectionName::OrdersPerCustomer)[0].1, "3");
    assert_eq!(sim.store.unpublished(10), []);
}

#[test]
fn an_order_summary_row_keeps_its_lines_by_product_and_restores_from_what_it_saved() {
    use cqrs_lab::store::{MemoryStore, StoredRow};
    let mut store = MemoryStore::new();
    store
        .append(support::append_request(
            "o-1",
            0,
            1,
            vec![
                created(),
                item_added("b", 200, 1),
                item_added("a", 100, 2),
                item_added("b", 999, 3),
                item_added("c", 300, 1),
            ],
        ))
        .expect("appended");
    store
        .append(support::append_request(
            "o-1",
            5,
            2,
            vec![item_removed("a")],
        ))
        .expect("appended");
    let mut model = ReadModel::empty(ProjectionName::OrderSummary);
    for e in store.events() {
        model.apply(e);
    }
    // b keeps the price it was first added at; a is gone.
    assert_eq!(
        model.rows().into_values().collect::<Vec<_>>(),
        ["Draft, 5 items, $11.00"]
    );
    let saved = model.stored_rows();
    let [StoredRow::Order { lines, .. }] = saved.as_slice() else {
        panic!("one order row: {saved:?}");
    };
    let ids: Vec<&str> = lines.iter().map(|l| l.product_id.as_str()).collect();
    assert_eq!(ids, ["b", "c"], "saved in product order");
    let mut restored = ReadModel::empty(ProjectionName::OrderSummary);
    for row in saved {
        restored.restore_row(row);
    }
    assert_eq!(restored, model);
}

fn item_removed(id: &str) -> cqrs_lab::domain::order::OrderEvent {
    cqrs_lab::domain::order::OrderEvent::ItemRemoved {
        product_id: product(id),
    }
}

/// For one subscription, the streams whose events it applied out of version order.
fn streams_applied_out_of_order(sim: &Simulation, subscription: ProjectionName) -> usize {
    let mut last: std::collections::HashMap<OrderId, u64> = Default::default();
    let mut out_of_order = std::collections::HashSet::new();
    for hop in sim.engine.trace().hops() {
        let HopKind::Applied {
            subscription: s,
            position,
            ..
        } = hop.kind
        else {
            continue;
        };
        let e = sim
            .store
            .event(position)
            .expect("applied events are stored");
        if s != subscription {
            continue;
        }
        let seen = last.entry(e.stream_id.clone()).or_default();
        if e.stream_version.0 < *seen {
            out_of_order.insert(e.stream_id.clone());
        }
        *seen = (*seen).max(e.stream_version.0);
    }
    out_of_order.len()
}

#[test]
fn per_partition_ordering_holds_across_thousands_of_partitions() {
    // More partitions than the bus keeps due times for at once (it forgets those whose
    // messages are all delivered), with a lag long and varied enough to reorder.
    let mut script = Vec::new();
    for n in 0..3_000u64 {
        let order = format!("o-{n}");
        script.push(create_order(n, &format!("c-{n}"), &order));
        for (i, product) in ["a", "b", "c"].iter().enumerate() {
            let at = n + 1 + i as u64;
            script.push(cmd(
                at,
                &format!("c-{n}-{i}"),
                &order,
                add_item(product, 100, 1),
            ));
        }
    }
    let mut config = EngineConfig {
        queue_capacity: 100_000,
        trace_limit: 1_000_000,
        ..EngineConfig::default()
    };
    config.bus.lag = LagDistribution::Uniform(VirtualMillis(0), VirtualMillis(400));
    config.bus.ordered_partitions = true;
    // Naive projections apply what arrives in the order it arrives (idempotent ones
    // would hold back a version that comes before its predecessor).
    all_naive(&mut config);
    let ordered = run(config.clone(), script.clone());
    assert_eq!(ordered.store.head(), GlobalPosition(12_000));
    for name in ProjectionName::ALL {
        assert_eq!(streams_applied_out_of_order(&ordered, name), 0, "{name:?}");
        assert_eq!(wrong_rows(&ordered, name), 0, "{name:?}");
    }
    // The same run without ordering does reorder (so the check above can fail).
    config.bus.ordered_partitions = false;
    let unordered = run(config, script);
    let reordered = streams_applied_out_of_order(&unordered, ProjectionName::OrderSummary);
    assert!(reordered > 100, "{reordered}");
}
