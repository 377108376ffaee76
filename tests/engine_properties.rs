//! Properties of the engine's command side over many seeds, configurations and scripts
//! (proptest): the store stays well numbered, nothing is appended that the aggregate
//! would not decide, every queued command is accounted for, and runs are deterministic.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, CustomerId, OrderId, ProductId, StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{decide, fold, OrderCommand, OrderEvent};
use cqrs_lab::engine::config::{Backpressure, ConflictPolicy, EngineConfig, ProjectionMode};
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::truth::{wrong_rows, StoreFold};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use proptest::prelude::*;

#[path = "support/faults.rs"]
mod knobs;
use knobs::{bus_faults, heal};
use std::collections::BTreeMap;

fn order_command() -> impl Strategy<Value = OrderCommand> {
    prop_oneof![
        2 => Just(OrderCommand::CreateOrder { customer_id: CustomerId::parse("c-1").expect("valid"), currency: None, personal: None }),
        5 => (0u8..3, 1i64..4).prop_map(|(p, quantity)| OrderCommand::AddItem {
            product_id: ProductId::parse(&format!("p{p}")).expect("valid"),
            product_name: "Thing".into(),
            unit_price: Cents(100),
            quantity,
        }),
        1 => (0u8..3).prop_map(|p| OrderCommand::RemoveItem {
            product_id: ProductId::parse(&format!("p{p}")).expect("valid"),
        }),
        2 => Just(OrderCommand::SubmitOrder),
        1 => Just(OrderCommand::CancelOrder { reason: "r".into(), cancelled_by: "t".into() }),
    ]
}

/// Commands over three orders from three clients; about one in six reuses an earlier
/// command id with the same command (a client retry).
fn script() -> impl Strategy<Value = Vec<ScriptedCommand>> {
    prop::collection::vec((0u64..200, 0u32..3, 0u8..3, order_command(), 0u8..6), 1..30).prop_map(
        |rows| {
            let mut script: Vec<ScriptedCommand> = Vec::new();
            for (i, (at, client, order, command, retry)) in rows.into_iter().enumerate() {
                let original = (retry == 0).then(|| script.last().cloned()).flatten();
                script.push(match original {
                    Some(earlier) => ScriptedCommand {
                        at: VirtualMillis(at),
                        ..earlier
                    },
                    None => ScriptedCommand {
                        at: VirtualMillis(at),
                        client: ClientId(client),
                        command_id: CommandId::numbered("cmd", i as u64),
                        correlation_id: CorrelationId::numbered("corr", i as u64),
                        order_id: OrderId::parse(&format!("o-{order}")).expect("valid"),
                        command,
                    },
                });
            }
            script
        },
    )
}

fn config() -> impl Strategy<Value = EngineConfig> {
    let backpressure = prop_oneof![
        Just(Backpressure::Reject),
        (1u64..30, 0u32..4).prop_map(|(ms, max_retries)| Backpressure::Wait {
            retry_after: VirtualMillis(ms),
            max_retries
        }),
        (0u32..5).prop_map(|capacity| Backpressure::Overflow { capacity }),
    ];
    let on_conflict = prop_oneof![
        Just(ConflictPolicy::Fail),
        (0u32..4, 0u64..20).prop_map(|(max_retries, ms)| ConflictPolicy::Retry {
            max_retries,
            backoff: VirtualMillis(ms)
        }),
    ];
    (
        any::<u64>(),
        1u32..4,
        0u64..10,
        1u32..20,
        backpressure,
        any::<bool>(),
        on_conflict,
        1u64..5,
    )
        .prop_map(
            |(seed, handlers, jitter, capacity, backpressure, durable, on_conflict, every)| {
                EngineConfig {
                    seed,
                    handlers,
                    handling_jitter: VirtualMillis(jitter),
                    queue_capacity: capacity,
                    backpressure,
                    durable_queue: durable,
                    on_conflict,
                    snapshot_every: every,
                    ..EngineConfig::default()
                }
            },
        )
}

fn simulate(
    config: &EngineConfig,
    script: &[ScriptedCommand],
    crash_at: Option<u64>,
) -> Simulation {
    let mut sim = Simulation::new(Engine::new(config.clone(), script.to_vec()));
    if let Some(t) = crash_at {
        sim.run_until(VirtualMillis(t));
        sim.engine.crash();
        sim.engine.recover();
    }
    sim.run_to_idle(1_000_000);
    sim
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_command_side_keeps_its_invariants(
        config in config(),
        script in script(),
        crash_at in prop::option::of(0u64..250),
    ) {
        let sim = simulate(&config, &script, crash_at);
        let events = sim.store.events();

        // Global positions are 1..=n; each stream's versions are 1..=k.
        let mut versions: BTreeMap<&OrderId, u64> = BTreeMap::new();
        for (i, e) in events.iter().enumerate() {
            prop_assert_eq!(e.global_position.0, i as u64 + 1);
            let v = versions.entry(&e.stream_id).or_default();
            *v += 1;
            prop_assert_eq!(e.stream_version.0, *v);
        }

        // Each command's events are what `decide` says for the state before them,
        // and no command id appended twice.
        let commands: BTreeMap<&CommandId, &ScriptedCommand> =
            script.iter().map(|c| (&c.command_id, c)).collect();
        let mut seen = std::collections::BTreeSet::new();
        for stream in versions.keys() {
            let stored = sim.store.read_stream(stream, StreamVersion(0));
            let mut i = 0;
            while i < stored.len() {
                let cause = stored[i].causation_id();
                prop_assert!(seen.insert(cause.clone()), "{} appended twice", cause);
                let batch: Vec<OrderEvent> = stored[i..].iter()
                    .take_while(|e| e.causation_id() == cause)
                    .map(|e| e.event.clone())
                    .collect();
                let before = fold(stored[..i].iter().map(|e| &e.event));
                let command = &commands[cause].command;
                prop_assert_eq!(decide(&before, command), Ok(batch.clone()));
                i += batch.len();
            }
        }

        // Every queued command ends accepted, rejected, duplicate, failed or lost.
        let m = sim.engine.metrics();
        prop_assert_eq!(
            m.commands_queued,
            m.commands_accepted + m.commands_rejected + m.commands_duplicate
                + m.conflicts_failed + m.commands_lost
        );
        prop_assert_eq!(sim.engine.queue_depths(), (0, 0));

        // Determinism: the same inputs give the same trace.
        let again = simulate(&config, &script, crash_at);
        prop_assert_eq!(again.engine.trace().hash(), sim.engine.trace().hash());
    }
}

/// Fault phase (with an optional crash), then heal, resubmit dead letters, and drain.
fn fault_then_heal(
    config: &EngineConfig,
    script: &[ScriptedCommand],
    crash_at: Option<u64>,
) -> Simulation {
    let mut sim = simulate(config, script, crash_at);
    heal(&mut sim);
    sim
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn with_the_outbox_every_event_reaches_every_projection_and_idempotent_ones_are_exact(
        config in config(),
        bus in bus_faults(),
        script in script(),
        crash_at in prop::option::of(0u64..250),
    ) {
        let config = EngineConfig { bus, outbox: true, ..config };
        let sim = fault_then_heal(&config, &script, crash_at);
        prop_assert!(sim.engine.event_bus().dead_letters().is_empty());
        prop_assert!(sim.store.unpublished(1).is_empty(), "an outbox row was never published");
        for projection in sim.engine.projections() {
            prop_assert_eq!(projection.checkpoint(), sim.store.head(), "{:?} behind", projection.name);
            if projection.mode == ProjectionMode::Idempotent {
                let wrong = projection.divergence(sim.store.events());
                prop_assert!(wrong.is_empty(), "{:?}: {:?}", projection.name, wrong);
            }
        }
        let again = fault_then_heal(&config, &script, crash_at);
        prop_assert_eq!(again.engine.trace().hash(), sim.engine.trace().hash());
    }

    #[test]
    fn a_naive_projection_under_duplicates_is_flagged(config in config(), script in script()) {
        let mut config = config;
        config.bus.duplicate_rate = PerMillion::ALWAYS;
        config.bus.modes = ProjectionName::ALL.map(|n| (n, ProjectionMode::Naive));
        let sim = simulate(&config, &script, None);
        let created = sim.store.events().iter().any(|e| e.event_type() == "OrderCreated");
        let per_customer = sim.engine.projection(ProjectionName::OrdersPerCustomer).expect("exists");
        prop_assert_eq!(!per_customer.divergence(sim.store.events()).is_empty(), created);
    }
}

/// A page reload at `reload_at`: the engine is dropped (volatile state with it) and a
/// new one resumes every projection from what the store kept, then the relay publishes
/// the outbox. Returns the simulation before the reload and after the new engine ran.
fn reload(
    config: &EngineConfig,
    script: &[ScriptedCommand],
    reload_at: u64,
) -> (Simulation, Simulation) {
    let mut before = Simulation::new(Engine::new(config.clone(), script.to_vec()));
    before.run_until(VirtualMillis(reload_at));
    let mut after = Simulation::new(Engine::new(config.clone(), Vec::new()));
    after.store = before.store.clone();
    let (head, oldest) = (after.store.head(), after.store.oldest_unpublished());
    for name in ProjectionName::ALL {
        let stored = after.store.stored_projection(name);
        after.engine.restore_projection(name, stored, head, oldest);
    }
    after.engine.relay_outbox();
    after.run_to_idle(1_000_000);
    heal(&mut after);
    (before, after)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_reload_resumes_each_projection_from_its_stored_rows_and_loses_no_event(
        config in config(),
        bus in bus_faults(),
        script in script(),
        reload_at in 0u64..250,
    ) {
        let config = EngineConfig { bus, outbox: true, ..config };
        let (before, after) = reload(&config, &script, reload_at);
        // What was saved is exactly what each projection held when the page closed.
        for live in before.engine.projections() {
            let stored = before.store.stored_projection(live.name).unwrap_or_default();
            let restored = live.emptied().restored(stored);
            prop_assert_eq!(restored.checkpoint(), live.checkpoint(), "{:?}", live.name);
            prop_assert_eq!(restored.model().rows(), live.model().rows(), "{:?}", live.name);
        }
        // And the new engine brings every projection to the head of the log.
        for projection in after.engine.projections() {
            prop_assert_eq!(projection.checkpoint(), after.store.head(), "{:?} behind", projection.name);
            if projection.mode == ProjectionMode::Idempotent {
                let wrong = projection.divergence(after.store.events());
                prop_assert!(wrong.is_empty(), "{:?}: {:?}", projection.name, wrong);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The live check of wrong rows (an exact replay kept beside each naive projection)
    /// agrees with a full fold of the store, whatever the faults.
    #[test]
    fn wrong_rows_found_live_are_exactly_the_divergence_from_the_store(
        config in config(),
        bus in bus_faults(),
        script in script(),
        crash_at in prop::option::of(0u64..250),
    ) {
        let config = EngineConfig { bus, outbox: true, ..config };
        let sim = fault_then_heal(&config, &script, crash_at);
        for projection in sim.engine.projections() {
            let fold = StoreFold::of(sim.store.events());
            let (shown, count) = wrong_rows(projection, &fold, usize::MAX);
            let expected = projection.divergence(sim.store.events());
            prop_assert_eq!(count, expected.len(), "{:?}", projection.name);
            prop_assert_eq!(shown, expected, "{:?}", projection.name);
        }
    }
}
