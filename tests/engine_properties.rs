//! Properties of the engine's command side over many seeds, configurations and scripts
//! (proptest): the store stays well numbered, nothing is appended that the aggregate
//! would not decide, every queued command is accounted for, and runs are deterministic.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, CustomerId, OrderId, ProductId, StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{decide, fold, OrderCommand, OrderEvent};
use cqrs_lab::engine::config::{Backpressure, ConflictPolicy, EngineConfig};
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::Engine;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn order_command() -> impl Strategy<Value = OrderCommand> {
    prop_oneof![
        2 => Just(OrderCommand::CreateOrder { customer_id: CustomerId::parse("c-1").expect("valid") }),
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
                let cause = &stored[i].causation_id;
                prop_assert!(seen.insert(cause.clone()), "{} appended twice", cause);
                let batch: Vec<OrderEvent> = stored[i..].iter()
                    .take_while(|e| &e.causation_id == cause)
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
