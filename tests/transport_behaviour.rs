//! What each transport does in one concrete run: Event Grid's retry schedule and its
//! drops, ReceiveAndDelete's loss, a Service Bus message's expiry, order kept or not,
//! the change feed processor's retries of a failed batch.

use cqrs_lab::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, VirtualMillis};
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::engine::config::{EngineConfig, LagDistribution};
use cqrs_lab::engine::message::{DeliveryFailure, DropCause};
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::{Hop, HopKind};
use cqrs_lab::engine::transport::{
    event_grid_backoff, ChangeFeed, EventGrid, ReceiveMode, ServiceBus, Transport,
};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;

const SUMMARY: ProjectionName = ProjectionName::OrderSummary;

/// `count` orders created 1 ms apart.
fn creates(count: u64) -> Vec<ScriptedCommand> {
    (0..count)
        .map(|i| ScriptedCommand {
            at: VirtualMillis(i),
            client: ClientId(0),
            command_id: CommandId::numbered("cmd", i),
            correlation_id: CorrelationId::numbered("corr", i),
            order_id: OrderId::parse(&format!("o-{i}")).expect("valid"),
            command: OrderCommand::CreateOrder {
                customer_id: CustomerId::parse("c-1").expect("valid"),
                currency: None,
                personal: None,
            },
        })
        .collect()
}

fn run(transport: Transport, failing: bool, script: Vec<ScriptedCommand>) -> Simulation {
    let mut config = EngineConfig::default();
    config.bus.transport = transport;
    if failing {
        config.bus.failing = vec![SUMMARY];
    }
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(1_000_000);
    sim
}

fn hops(sim: &Simulation) -> Vec<Hop> {
    sim.engine.trace().hops().cloned().collect()
}

#[test]
fn the_schedule_is_learns_10_s_30_s_1_min_5_min_10_min_30_min_1_h_3_h_6_h_then_12_h() {
    let minutes: Vec<u64> = (1..=11).map(|n| event_grid_backoff(n).0 / 1000).collect();
    assert_eq!(
        minutes,
        [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 43_200]
    );
}

#[test]
fn event_grid_retries_on_its_schedule_and_drops_the_event_after_24_hours() {
    let sim = run(Transport::EventGrid(EventGrid::default()), true, creates(1));
    let retries: Vec<VirtualMillis> = hops(&sim)
        .iter()
        .filter(|h| matches!(h.kind, HopKind::Redelivering { subscription, .. } if subscription == SUMMARY))
        .map(|h| h.at)
        .collect();
    // Each retry waits longer: 10 s, 30 s, 1 min, ... (the hop is recorded at the failure).
    let gaps: Vec<u64> = retries
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) / 1000)
        .collect();
    assert_eq!(&gaps[..6], &[10, 30, 60, 300, 600, 1800], "{gaps:?}");
    let dropped = hops(&sim)
        .into_iter()
        .find(|h| matches!(h.kind, HopKind::Dropped { .. }))
        .expect("dropped: no dead-letter container");
    assert!(
        matches!(dropped.kind, HopKind::Dropped { cause: DropCause::RetriesExhausted, deliveries, .. } if deliveries < 30),
        "the 24 h time-to-live ends it before 30 attempts: {dropped:?}"
    );
    assert!(dropped.at.0 <= 24 * 3_600_000 + 100, "{:?}", dropped.at);
    assert!(sim.engine.event_bus().dead_letters().is_empty());
    assert_eq!(sim.engine.event_bus().dropped().len(), 1);
}

#[test]
fn event_grid_with_a_container_dead_letters_after_max_attempts() {
    let grid = EventGrid {
        max_attempts: 3,
        dead_letter: true,
        ..EventGrid::default()
    };
    let sim = run(Transport::EventGrid(grid), true, creates(1));
    let dead = sim.engine.event_bus().dead_letters();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].message.delivery_count, 3);
    // Tried at 0, +10 s and +30 s more: given up about 40 s in.
    assert!((40_000..41_000).contains(&dead[0].at.0), "{:?}", dead[0].at);
}

#[test]
fn receive_and_delete_loses_a_message_its_handler_failed() {
    let sb = ServiceBus {
        receive_mode: ReceiveMode::ReceiveAndDelete,
        ..ServiceBus::default()
    };
    let sim = run(Transport::ServiceBus(sb), true, creates(2));
    let lost: Vec<_> = sim.engine.event_bus().dropped().to_vec();
    assert_eq!(lost.len(), 2, "one per order, none redelivered");
    assert!(lost
        .iter()
        .all(|d| d.cause == DropCause::ReceivedAndDeleted));
    assert_eq!(sim.engine.metrics().redeliveries, 0);
}

#[test]
fn a_service_bus_message_past_its_time_to_live_is_dropped_or_dead_lettered() {
    for dead_letter_on_expiration in [false, true] {
        let sb = ServiceBus {
            time_to_live: Some(VirtualMillis(1_000)),
            dead_letter_on_expiration,
            ..ServiceBus::default()
        };
        let mut config = EngineConfig::default();
        config.bus.transport = Transport::ServiceBus(sb);
        config.bus.lag = LagDistribution::Fixed(VirtualMillis(2_000));
        let mut sim = Simulation::new(Engine::new(config, creates(1)));
        sim.run_to_idle(1_000_000);
        let bus = sim.engine.event_bus();
        if dead_letter_on_expiration {
            assert_eq!(bus.dead_letters().len(), 3, "one per subscription");
            assert!(bus
                .dead_letters()
                .iter()
                .all(|d| d.reason == DeliveryFailure::Expired));
        } else {
            assert_eq!(bus.dropped().len(), 3);
            assert!(bus.dropped().iter().all(|d| d.cause == DropCause::Expired));
        }
    }
}

/// The positions Order summary applied, in the order it applied them.
fn applied(sim: &Simulation) -> Vec<u64> {
    applied_by(sim, SUMMARY)
}

/// The positions one subscription applied, in the order it applied them.
fn applied_by(sim: &Simulation, name: ProjectionName) -> Vec<u64> {
    hops(sim)
        .iter()
        .filter_map(|h| match h.kind {
            HopKind::Applied {
                subscription,
                position,
                ..
            } if subscription == name => Some(position.0),
            _ => None,
        })
        .collect()
}

/// One order: created, then ten items added 3 ms apart.
fn one_busy_order() -> Vec<ScriptedCommand> {
    let create = creates(1).remove(0);
    (0..11u64)
        .map(|i| ScriptedCommand {
            at: VirtualMillis(i * 3),
            command_id: CommandId::numbered("cmd", i),
            command: if i == 0 {
                create.command.clone()
            } else {
                OrderCommand::AddItem {
                    product_id: cqrs_lab::domain::ids::ProductId::parse(&format!("p{i}"))
                        .expect("valid"),
                    product_name: "Thing".into(),
                    unit_price: cqrs_lab::domain::money::Cents(100),
                    quantity: 1,
                }
            },
            ..create.clone()
        })
        .collect()
}

#[test]
fn service_bus_without_sessions_finishes_an_orders_messages_out_of_order_with_sessions_never() {
    let overtaken = |sessions: bool| {
        (0..40u64).any(|seed| {
            let mut config = EngineConfig {
                seed,
                ..EngineConfig::default()
            };
            config.bus.transport = Transport::ServiceBus(ServiceBus {
                sessions,
                ..ServiceBus::default()
            });
            config.bus.modes =
                ProjectionName::ALL.map(|n| (n, cqrs_lab::engine::config::ProjectionMode::Naive));
            let mut sim = Simulation::new(Engine::new(config, one_busy_order()));
            sim.run_to_idle(1_000_000);
            applied(&sim).windows(2).any(|w| w[1] < w[0])
        })
    };
    assert!(
        overtaken(false),
        "16 concurrent handlers finish in any order"
    );
    assert!(!overtaken(true), "a session is handled first in, first out");
}

#[test]
fn sessions_on_one_subscription_keep_its_order_while_the_others_finish_in_any_order() {
    let sessions = Transport::ServiceBus(ServiceBus {
        sessions: true,
        ..ServiceBus::default()
    });
    let runs: Vec<Simulation> = (0..40u64)
        .map(|seed| {
            let mut config = EngineConfig {
                seed,
                ..EngineConfig::default()
            };
            config.bus.transport = Transport::ServiceBus(ServiceBus::default());
            config.bus.subscriptions = [Some(sessions), None, None];
            config.bus.modes =
                ProjectionName::ALL.map(|n| (n, cqrs_lab::engine::config::ProjectionMode::Naive));
            let mut sim = Simulation::new(Engine::new(config, one_busy_order()));
            sim.run_to_idle(1_000_000);
            sim
        })
        .collect();
    let overtaken = |name| {
        runs.iter()
            .any(|sim| applied_by(sim, name).windows(2).any(|w| w[1] < w[0]))
    };
    assert_eq!(ProjectionName::ALL[0], SUMMARY);
    assert!(!overtaken(SUMMARY), "its subscription requires sessions");
    assert!(
        overtaken(ProjectionName::OrdersPerCustomer),
        "no sessions there"
    );
}

#[test]
fn a_subscription_keeps_the_topics_duplicate_detection_and_the_hubs_partitions() {
    let topic = ServiceBus {
        duplicate_detection: Some(VirtualMillis(60_000)),
        ..ServiceBus::default()
    };
    let own = ServiceBus {
        max_delivery_count: 3,
        ..ServiceBus::default()
    };
    let merged = Transport::ServiceBus(topic).for_subscription(Some(Transport::ServiceBus(own)));
    assert_eq!(
        merged,
        Transport::ServiceBus(ServiceBus {
            duplicate_detection: Some(VirtualMillis(60_000)),
            max_delivery_count: 3,
            ..ServiceBus::default()
        })
    );
    let hub = cqrs_lab::engine::transport::EventHubs::default();
    let group = cqrs_lab::engine::transport::EventHubs {
        partitions: 32,
        checkpoint_every: 1,
        ..hub
    };
    let merged = Transport::EventHubs(hub).for_subscription(Some(Transport::EventHubs(group)));
    assert_eq!(
        merged,
        Transport::EventHubs(cqrs_lab::engine::transport::EventHubs {
            checkpoint_every: 1,
            ..hub
        })
    );
    // Settings of another service than the bus's are ignored.
    let grid = Transport::EventGrid(EventGrid::default());
    assert_eq!(Transport::Lab.for_subscription(Some(grid)), Transport::Lab);
}

#[test]
fn the_change_feed_processor_sends_a_failed_batch_again_until_it_succeeds() {
    let mut config = EngineConfig::default();
    config.bus.transport = Transport::ChangeFeed(ChangeFeed::default());
    config.bus.failing = vec![SUMMARY];
    let mut sim = Simulation::new(Engine::new(config, creates(1)));
    sim.run_until(VirtualMillis(10_000));
    assert!(
        sim.engine.metrics().redeliveries >= 9,
        "retried every second: {}",
        sim.engine.metrics().redeliveries
    );
    assert!(sim.engine.event_bus().dropped().is_empty());
    assert!(sim.engine.event_bus().dead_letters().is_empty());
    sim.engine.heal();
    sim.run_to_idle(1_000_000);
    let summary = sim.engine.projection(SUMMARY).expect("a projection");
    assert!(summary.divergence(sim.store.events()).is_empty());
}

#[test]
fn every_transport_the_menu_can_set_reads_back_from_its_text() {
    use cqrs_lab::app::transports::{controls, settings, with, Control, TransportKind};
    let mut seen = 0;
    for (kind, subscription) in TransportKind::ALL
        .into_iter()
        .flat_map(|k| [(k, false), (k, true)])
    {
        let base = kind.transport();
        let mut variants = vec![base];
        for control in controls(&base, subscription) {
            let more: Vec<Transport> = variants
                .iter()
                .flat_map(|t| match control {
                    Control::Check(_, _, _, option) => {
                        vec![with(*t, option(true)), with(*t, option(false))]
                    }
                    Control::Pick(_, _, choices, _, option) => {
                        choices.iter().map(|n| with(*t, option(*n))).collect()
                    }
                })
                .collect();
            variants = more;
        }
        for transport in variants {
            let text = transport.spec();
            assert_eq!(Transport::from_spec(&text), Ok(transport), "{text}");
            if !subscription {
                assert_eq!(
                    TransportKind::of(&transport),
                    kind,
                    "the menu sets the kind"
                );
            }
            seen += 1;
        }
        let rows = settings(&base).len();
        let expected = match kind {
            TransportKind::Lab => 0,
            TransportKind::ServiceBus | TransportKind::ServiceBusSessions => 9,
            TransportKind::EventGrid => 6,
            TransportKind::EventHubs
            | TransportKind::ChangeFeedProcessor
            | TransportKind::ChangeFeedFunctions => 5,
        };
        assert_eq!(rows, expected, "{kind:?}: every setting has its value");
    }
    assert!(seen > 400, "{seen} variants");
}

#[test]
fn a_transport_text_with_a_mistake_is_refused_and_says_why() {
    use cqrs_lab::engine::knobs::Knobs;
    for (text, says) in [
        ("bus", "\"bus\" is not a transport"),
        (
            "event-grid partitions=4",
            "\"partitions=4\" is not a setting of Event Grid",
        ),
        (
            "event-grid max-attempts=99",
            "\"max-attempts=99\" is not a setting",
        ),
        (
            "service-bus ttl=soon",
            "\"ttl=soon\" is not a setting of Service Bus",
        ),
        (
            "change-feed-processor retry-policy",
            "not a setting of Change feed processor",
        ),
    ] {
        let error = Transport::from_spec(text).expect_err(text).to_string();
        assert!(error.contains(says), "{text}: {error}");
    }
    let knobs: Knobs =
        serde_json::from_str(r#"{"transport":"event-grid max-attempts=3 dead-letter"}"#)
            .expect("a scenario's knobs");
    assert_eq!(
        knobs.transport,
        Transport::EventGrid(EventGrid {
            max_attempts: 3,
            dead_letter: true,
            ..EventGrid::default()
        })
    );
    assert!(serde_json::from_str::<Knobs>(r#"{"transport":"pigeon"}"#).is_err());
    // Each subscription's own settings, in the projections' order.
    let text = r#"{"transport":"service-bus duplicate-detection=60","subscriptions":[null,"service-bus-sessions max-delivery-count=3",null]}"#;
    let knobs: Knobs = serde_json::from_str(text).expect("own settings");
    let own = ServiceBus {
        sessions: true,
        max_delivery_count: 3,
        ..ServiceBus::default()
    };
    assert_eq!(
        knobs.subscriptions,
        [None, Some(Transport::ServiceBus(own)), None]
    );
    assert_eq!(
        knobs.transport_of(ProjectionName::OrdersPerCustomer),
        Transport::ServiceBus(ServiceBus {
            duplicate_detection: Some(VirtualMillis(3_600_000)),
            ..own
        })
    );
    let again: Knobs =
        serde_json::from_str(&serde_json::to_string(&knobs).expect("written")).expect("read back");
    assert_eq!(again, knobs);
    let wrong = r#"{"subscriptions":[null,"service-bus max-delivery-count=0",null]}"#;
    let error = serde_json::from_str::<Knobs>(wrong).expect_err("a count of 0");
    assert!(
        error
            .to_string()
            .contains("\"max-delivery-count=0\" is not a setting"),
        "{error}"
    );
}

#[test]
fn a_replay_from_the_hub_lacks_what_retention_dropped_and_a_rebuild_from_the_store_does_not() {
    use cqrs_lab::engine::config::RebuildStrategy;
    use cqrs_lab::engine::transport::EventHubs;
    const HOUR: u64 = 3_600_000;
    // o-0 created at once; o-1 created two hours later, past the hub's 1 h retention.
    let mut script = creates(2);
    script[1].at = VirtualMillis(2 * HOUR);
    let mut config = EngineConfig::default();
    config.bus.transport = Transport::EventHubs(EventHubs::default());
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(1_000_000);
    let fresh = |sim: &Simulation| {
        let p = sim.engine.projection(SUMMARY).expect("a projection");
        (p.model().len(), p.divergence(sim.store.events()).is_empty())
    };
    assert_eq!(fresh(&sim), (2, true), "both orders, as the store says");
    assert_eq!(
        sim.engine.event_bus().hub().retained(),
        1,
        "o-0's event is past retention"
    );

    assert!(sim.engine.start_replay_from_hub(SUMMARY));
    sim.run_to_idle(1_000_000);
    let rows = sim
        .engine
        .projection(SUMMARY)
        .map(|p| p.model().rows())
        .unwrap_or_default();
    assert_eq!(rows.len(), 1, "only what the hub still holds: {rows:?}");
    assert!(rows.contains_key("o-1"), "{rows:?}");

    assert!(sim.engine.start_rebuild(SUMMARY, RebuildStrategy::InPlace));
    sim.run_to_idle(1_000_000);
    assert_eq!(fresh(&sim), (2, true), "the store holds every event");

    let mut lab = Simulation::new(Engine::new(EngineConfig::default(), creates(1)));
    lab.run_to_idle(1_000);
    assert!(
        !lab.engine.start_replay_from_hub(SUMMARY),
        "only Event Hubs has a hub"
    );
}
