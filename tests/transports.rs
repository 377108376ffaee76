//! Each transport keeps the promise Microsoft Learn gives for its service, over many
//! seeds and scripts (proptest, 1,000 cases each), with each subscription's own settings
//! where the service sets them per subscription: Service Bus with sessions keeps each
//! order's messages in order and never exceeds the max delivery count; Event Grid
//! applies, dead-letters or drops (and says so) every event; an Event Hubs consumer
//! that crashed reads again exactly the events after its checkpoints; the change feed
//! with the Functions trigger and no retry policy skips a failed batch and reports it
//! lost; and idempotent projections equal a fold of the store on every transport once
//! healed. The truths are computed from the stored events and the trace, not from the
//! projections under test.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, CustomerId, GlobalPosition, OrderId, ProductId, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::engine::config::{EngineConfig, LagDistribution, ProjectionMode, RebuildStrategy};
use cqrs_lab::engine::message::DropCause;
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::transport::{
    ChangeFeed, ChangeFeedHost, EventGrid, EventHubs, ServiceBus, Transport,
};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Commands over four orders: each created, given items, some submitted.
fn script() -> impl Strategy<Value = Vec<ScriptedCommand>> {
    prop::collection::vec((0u64..300, 0u8..4, 0u8..4), 4..40).prop_map(|rows| {
        let mut script: Vec<ScriptedCommand> = (0..4u8)
            .map(|order| command(u64::from(order), order, create(), u64::from(order)))
            .collect();
        for (i, (at, order, what)) in rows.into_iter().enumerate() {
            let body = match what {
                0 => OrderCommand::SubmitOrder,
                _ => OrderCommand::AddItem {
                    product_id: ProductId::parse(&format!("p{what}")).expect("valid"),
                    product_name: "Thing".into(),
                    unit_price: Cents(250),
                    quantity: 1,
                },
            };
            script.push(command(at + 5, order, body, 10 + i as u64));
        }
        script
    })
}

fn create() -> OrderCommand {
    OrderCommand::CreateOrder {
        customer_id: CustomerId::parse("c-1").expect("valid"),
        currency: None,
        personal: None,
    }
}

fn command(at: u64, order: u8, body: OrderCommand, n: u64) -> ScriptedCommand {
    ScriptedCommand {
        at: VirtualMillis(at),
        client: ClientId(u32::from(order)),
        command_id: CommandId::numbered("cmd", n),
        correlation_id: CorrelationId::numbered("corr", n),
        order_id: OrderId::parse(&format!("o-{order}")).expect("valid"),
        command: body,
    }
}

fn config(seed: u64, transport: Transport, fail_percent: u32) -> EngineConfig {
    let mut config = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    config.bus.transport = transport;
    config.bus.lag = LagDistribution::Uniform(VirtualMillis(1), VirtualMillis(60));
    config.bus.failure_rate = PerMillion::percent(fail_percent);
    config
}

/// Where each event is, by position: its order.
fn orders_by_position(sim: &Simulation) -> BTreeMap<GlobalPosition, (OrderId, u64)> {
    sim.store
        .events()
        .iter()
        .map(|e| (e.global_position, (e.stream_id.clone(), e.stream_version.0)))
        .collect()
}

/// A delivery to a subscription, as the trace records it.
fn delivered(kind: &HopKind) -> Option<(ProjectionName, GlobalPosition)> {
    match kind {
        HopKind::Applied {
            subscription,
            position,
            ..
        }
        | HopKind::Ignored {
            subscription,
            position,
        }
        | HopKind::Deferred {
            subscription,
            position,
            ..
        }
        | HopKind::Redelivering {
            subscription,
            position,
            ..
        }
        | HopKind::DeadLettered {
            subscription,
            position,
            ..
        }
        | HopKind::Dropped {
            subscription,
            position,
            ..
        } => Some((*subscription, *position)),
        _ => None,
    }
}

/// For each subscription, the events it applied or ignored, dead-lettered, and lost.
#[derive(Default)]
struct Fates {
    handled: BTreeSet<(ProjectionName, GlobalPosition)>,
    dead: BTreeSet<(ProjectionName, GlobalPosition)>,
    dropped: BTreeMap<(ProjectionName, GlobalPosition), DropCause>,
}

fn fates(sim: &Simulation) -> Fates {
    let mut fates = Fates::default();
    for hop in sim.engine.trace().hops() {
        match &hop.kind {
            HopKind::Applied {
                subscription,
                position,
                ..
            }
            | HopKind::Ignored {
                subscription,
                position,
            } => {
                fates.handled.insert((*subscription, *position));
            }
            HopKind::DeadLettered {
                subscription,
                position,
                ..
            } => {
                fates.dead.insert((*subscription, *position));
            }
            HopKind::Dropped {
                subscription,
                position,
                cause,
                ..
            } => {
                fates.dropped.insert((*subscription, *position), *cause);
            }
            _ => {}
        }
    }
    fates
}

/// Every stored event reached each subscription, was dead-lettered or was dropped, or
/// waits behind an earlier event of its order that was (the idempotent projection
/// defers it): nothing vanishes silently.
fn nothing_vanishes(sim: &Simulation, fates: &Fates) -> Result<(), TestCaseError> {
    let orders = orders_by_position(sim);
    for subscription in ProjectionName::ALL {
        let mut blocked: BTreeSet<OrderId> = BTreeSet::new();
        for (position, (order, _)) in &orders {
            let key = (subscription, *position);
            if fates.dead.contains(&key) || fates.dropped.contains_key(&key) {
                blocked.insert(order.clone());
                continue;
            }
            prop_assert!(
                fates.handled.contains(&key) || blocked.contains(order),
                "{subscription:?} never got event {position:?} and nothing said so"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Service Bus with sessions (session id = order id), set per subscription: each
    /// subscription with sessions receives an order's events in their order, every
    /// delivery and redelivery included, and no message is delivered more than its own
    /// subscription's max delivery count.
    #[test]
    fn service_bus_sessions_keep_each_orders_messages_in_order(
        seed in any::<u64>(),
        script in script(),
        fail in 0u32..60,
        topic in (any::<bool>(), 1u32..6),
        own in prop::array::uniform3(prop::option::of((any::<bool>(), 1u32..6))),
        duplicates in 0u32..30,
    ) {
        let bus = |(sessions, max_delivery_count)| Transport::ServiceBus(ServiceBus {
            sessions,
            max_delivery_count,
            ..ServiceBus::default()
        });
        let mut config = config(seed, bus(topic), fail);
        config.bus.subscriptions = own.map(|o| o.map(bus));
        config.bus.duplicate_rate = PerMillion::percent(duplicates);
        let mut sim = Simulation::new(Engine::new(config, script));
        sim.run_to_idle(1_000_000);
        let orders = orders_by_position(&sim);
        let settings = |s: ProjectionName| own[s.index()].unwrap_or(topic);
        let mut last: BTreeMap<(ProjectionName, OrderId), u64> = BTreeMap::new();
        for hop in sim.engine.trace().hops() {
            let Some((subscription, position)) = delivered(&hop.kind) else { continue };
            let (sessions, max) = settings(subscription);
            if let HopKind::Redelivering { delivery_count, .. } = hop.kind {
                prop_assert!(delivery_count < max, "redelivered after {delivery_count} of {max}");
            }
            if let HopKind::DeadLettered { deliveries, .. } = hop.kind {
                prop_assert_eq!(deliveries, max);
            }
            if !sessions {
                continue;
            }
            let (order, version) = orders[&position].clone();
            let seen = last.entry((subscription, order)).or_insert(0);
            prop_assert!(version >= *seen, "{subscription:?}: version {version} after {seen}");
            *seen = version;
        }
        nothing_vanishes(&sim, &fates(&sim))?;
    }

    /// Event Grid, each subscription with its own retry policy and dead-letter
    /// container: every event is applied, dead-lettered (with a container) or dropped
    /// and reported (without one), within that subscription's attempts.
    #[test]
    fn event_grid_applies_dead_letters_or_drops_every_event_never_silently(
        seed in any::<u64>(),
        script in script(),
        fail in 0u32..70,
        bus in (1u32..6, any::<bool>()),
        own in prop::array::uniform3(prop::option::of((1u32..6, any::<bool>()))),
    ) {
        let grid = |(max_attempts, dead_letter)| Transport::EventGrid(EventGrid {
            max_attempts,
            dead_letter,
            ..EventGrid::default()
        });
        let mut config = config(seed, grid(bus), fail);
        config.bus.subscriptions = own.map(|o| o.map(grid));
        let mut sim = Simulation::new(Engine::new(config, script));
        sim.run_to_idle(1_000_000);
        let fates = fates(&sim);
        let settings = |s: ProjectionName| own[s.index()].unwrap_or(bus);
        for ((subscription, _), cause) in &fates.dropped {
            prop_assert!(!settings(*subscription).1, "{subscription:?} has a container: nothing dropped");
            prop_assert_eq!(*cause, DropCause::RetriesExhausted);
        }
        for (subscription, _) in &fates.dead {
            prop_assert!(settings(*subscription).1, "{subscription:?}: no container, nothing dead-lettered");
        }
        prop_assert_eq!(sim.engine.metrics().dropped, fates.dropped.len() as u64);
        for hop in sim.engine.trace().hops() {
            if let HopKind::Redelivering { delivery_count, subscription, .. } = hop.kind {
                prop_assert!(delivery_count < settings(subscription).0);
            }
        }
        nothing_vanishes(&sim, &fates)?;
    }

    /// Event Hubs, each consumer group checkpointing at its own interval: before a crash
    /// no group has handled as many events past a partition's checkpoint as its
    /// interval; after it, each group reads again exactly the events after its
    /// checkpoint in their partition, each once.
    #[test]
    fn event_hubs_resume_from_the_checkpoints_and_redeliver_exactly_what_follows(
        seed in any::<u64>(),
        script in script(),
        partitions in 1u32..5,
        every in 1u32..8,
        own in prop::array::uniform3(prop::option::of(1u32..8)),
        crash_at in 20u64..300,
    ) {
        let hub = EventHubs { partitions, checkpoint_every: every, ..EventHubs::default() };
        let mut config = config(seed, Transport::EventHubs(hub), 0);
        config.bus.subscriptions = own.map(|o| o.map(|checkpoint_every| Transport::EventHubs(EventHubs {
            checkpoint_every,
            ..hub
        })));
        let mut sim = Simulation::new(Engine::new(config, script));
        sim.run_until(VirtualMillis(crash_at));
        let checkpoints: Vec<Vec<GlobalPosition>> = ProjectionName::ALL
            .iter()
            .map(|g| sim.engine.event_bus().hub().progress(*g).map(|p| p.checkpoints.clone()).unwrap_or_default())
            .collect();
        let partition_of = |position: &GlobalPosition| {
            sim.store.events().iter().find(|e| e.global_position == *position)
                .map_or(0, |e| hub.partition(e.stream_id.as_str()))
        };
        for (group, checkpoints) in ProjectionName::ALL.iter().zip(&checkpoints) {
            let interval = own[group.index()].unwrap_or(every) as usize;
            for partition in 0..partitions as usize {
                let checkpoint = checkpoints.get(partition).copied().unwrap_or_default();
                let past: BTreeSet<GlobalPosition> = sim.engine.trace().hops()
                    .filter_map(|h| delivered(&h.kind))
                    .filter(|(s, p)| s == group && *p > checkpoint && partition_of(p) == partition)
                    .map(|(_, p)| p)
                    .collect();
                prop_assert!(past.len() < interval, "{group:?} p{partition}: {} past the checkpoint, interval {interval}", past.len());
            }
        }
        sim.engine.crash();
        let recovered_at = sim.engine.trace().hops().count();
        sim.engine.recover();
        sim.run_to_idle(1_000_000);
        for (group, checkpoints) in ProjectionName::ALL.iter().zip(&checkpoints) {
            let expected: Vec<GlobalPosition> = sim
                .store
                .events()
                .iter()
                .filter(|e| {
                    let partition = hub.partition(e.stream_id.as_str());
                    e.global_position > checkpoints.get(partition).copied().unwrap_or_default()
                })
                .map(|e| e.global_position)
                .collect();
            let mut got: Vec<GlobalPosition> = sim
                .engine
                .trace()
                .hops()
                .skip(recovered_at)
                .filter_map(|h| delivered(&h.kind))
                .filter(|(s, _)| s == group)
                .map(|(_, p)| p)
                .collect();
            got.sort();
            prop_assert_eq!(got, expected, "{:?}", group);
        }
    }

    /// The change feed, each projection read by its own host: one read by the
    /// Functions trigger without a retry policy never retries a failed batch, and every
    /// event of it from the failure on is reported lost; one read by the processor
    /// loses nothing (naive projections, which apply whatever comes, so a missing event
    /// is only ever a lost one).
    #[test]
    fn the_functions_trigger_skips_a_failed_batch_and_the_lab_reports_it_lost(
        seed in any::<u64>(),
        script in script(),
        fail in 1u32..40,
        processors in prop::array::uniform3(any::<bool>()),
    ) {
        let feed = |host| Transport::ChangeFeed(ChangeFeed { host });
        let mut config = config(seed, feed(ChangeFeedHost::Functions), fail);
        config.bus.subscriptions = processors.map(|p| p.then(|| feed(ChangeFeedHost::Processor)));
        // The relay reads every 50 ms and one lag holds for all: what it read travels
        // as one batch.
        config.bus.lag = LagDistribution::Fixed(VirtualMillis(20));
        config.bus.publish_delay = VirtualMillis(50);
        config.bus.modes = ProjectionName::ALL.map(|n| (n, ProjectionMode::Naive));
        let mut sim = Simulation::new(Engine::new(config, script));
        sim.run_to_idle(1_000_000);
        let fates = fates(&sim);
        prop_assert!(fates.dead.is_empty(), "the change feed has no dead-letter queue");
        prop_assert!(fates.dropped.values().all(|c| *c == DropCause::BatchSkipped));
        for hop in sim.engine.trace().hops() {
            if let HopKind::Redelivering { subscription, .. } = hop.kind {
                prop_assert!(processors[subscription.index()], "{subscription:?}: the trigger never retries");
            }
        }
        for subscription in ProjectionName::ALL {
            for event in sim.store.events() {
                let key = (subscription, event.global_position);
                if processors[subscription.index()] {
                    prop_assert!(fates.handled.contains(&key) && !fates.dropped.contains_key(&key),
                        "{:?}: the processor loses nothing, event {:?}", subscription, key.1);
                }
                prop_assert!(
                    fates.handled.contains(&key) != fates.dropped.contains_key(&key),
                    "{:?}: event {:?} must be applied or reported lost, once", subscription, key.1
                );
            }
        }
    }
}

/// Each transport, at its defaults and with a setting that loses messages.
fn transports() -> impl Strategy<Value = Transport> {
    prop_oneof![
        Just(Transport::Lab),
        any::<bool>().prop_map(|sessions| Transport::ServiceBus(ServiceBus {
            sessions,
            max_delivery_count: 3,
            ..ServiceBus::default()
        })),
        any::<bool>().prop_map(|dead_letter| Transport::EventGrid(EventGrid {
            max_attempts: 3,
            dead_letter,
            ..EventGrid::default()
        })),
        (1u32..5, 1u32..20).prop_map(|(partitions, every)| Transport::EventHubs(EventHubs {
            partitions,
            checkpoint_every: every,
            ..EventHubs::default()
        })),
        prop_oneof![
            Just(ChangeFeedHost::Processor),
            Just(ChangeFeedHost::Functions),
            Just(ChangeFeedHost::FunctionsWithRetry)
        ]
        .prop_map(|host| Transport::ChangeFeed(ChangeFeed { host })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Idempotent projections equal a fold of the store on every transport once
    /// healed: faults end, dead letters are resubmitted, and a projection that lost
    /// events is rebuilt from the store (what the lab offers for each).
    #[test]
    fn idempotent_projections_equal_the_fold_of_the_store_once_healed(
        seed in any::<u64>(),
        script in script(),
        transport in transports(),
        own in prop::array::uniform3(prop::option::of(transports())),
        fail in 0u32..30,
        duplicates in 0u32..30,
        crash_at in prop::option::of(10u64..300),
    ) {
        let mut config = config(seed, transport, fail);
        // Settings of another service than the bus's are ignored.
        config.bus.subscriptions = own;
        config.bus.duplicate_rate = PerMillion::percent(duplicates);
        config.bus.modes = ProjectionName::ALL.map(|n| (n, ProjectionMode::Idempotent));
        let mut sim = Simulation::new(Engine::new(config, script));
        if let Some(t) = crash_at {
            sim.run_until(VirtualMillis(t));
            sim.engine.crash();
            sim.engine.recover();
        }
        sim.run_to_idle(1_000_000);
        sim.engine.heal();
        for name in ProjectionName::ALL {
            sim.engine.resubmit_dead_letters(name);
        }
        sim.run_to_idle(1_000_000);
        let lost: BTreeSet<ProjectionName> = sim
            .engine
            .event_bus()
            .dropped()
            .iter()
            .map(|d| d.message.subscription)
            .collect();
        for name in lost {
            sim.engine.start_rebuild(name, RebuildStrategy::BlueGreen);
        }
        sim.run_to_idle(1_000_000);
        for projection in sim.engine.projections() {
            let wrong = projection.divergence(sim.store.events());
            prop_assert!(wrong.is_empty(), "{:?} on {:?}: {:?}", projection.name, transport, wrong);
        }
    }
}
