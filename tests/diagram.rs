//! The architecture diagram's view of the engine: depths per component, and recent hops
//! as pulses whose look says what they are.

mod support;

use cqrs_lab::app::component::Component;
use cqrs_lab::app::diagram::{DiagramView, PulseKind, MAX_PULSES, ROWS_CHECKED};
use cqrs_lab::app::timeline::TIMELINE_HOPS;
use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::config::{LagDistribution, ProjectionMode};
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::truth::{RowState, StoreFold};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use support::*;

#[test]
fn recent_hops_become_pulses_on_their_edges_and_old_ones_fade() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    let script = vec![
        create_order(0, "cmd-1", "o-1"),
        create_order(0, "cmd-1", "o-1"),
    ];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(10_000);
    let window = VirtualMillis(1_000_000);
    let view = DiagramView::of(&sim.engine, window, &[], &StoreFold::new());
    let has =
        |to: Component, kind: PulseKind| view.pulses.iter().any(|p| p.to == to && p.kind == kind);
    assert!(
        has(Component::CommandBus, PulseKind::Normal),
        "{:?}",
        view.pulses
    );
    assert!(has(Component::Store, PulseKind::Normal));
    assert!(
        has(Component::Handler, PulseKind::Duplicate),
        "the client's retry"
    );
    assert!(has(Component::EventBus, PulseKind::Normal));
    for name in ProjectionName::ALL {
        // Every delivery was doubled: the copy and the original, one of them ignored.
        let deliveries = view
            .pulses
            .iter()
            .filter(|p| p.to == Component::Projection(name))
            .count();
        assert_eq!(deliveries, 2, "{name:?}");
        assert!(
            has(Component::Projection(name), PulseKind::Duplicate),
            "{name:?}"
        );
    }
    assert!(view.pulses.iter().all(|p| p.progress <= 1000));
    assert_eq!(view.appended, 1);
    assert_eq!(view.lanes.len(), 3);
    for lane in &view.lanes {
        assert_eq!(
            (lane.queued, lane.dead_letters, lane.checkpoint.0),
            (0, 0, 1)
        );
    }

    // Long after, nothing moves any more.
    let later = VirtualMillis(sim.engine.now().0 + 10_000);
    assert_eq!(sim.engine.advance_to(later), Ok(()), "nothing is due");
    assert!(
        DiagramView::of(&sim.engine, VirtualMillis(500), &[], &StoreFold::new())
            .pulses
            .is_empty()
    );
}

#[test]
fn the_diagram_draws_a_bounded_number_of_pulses() {
    let script = (0..200)
        .map(|i| create_order(0, &format!("cmd-{i}"), &format!("o-{i}")))
        .collect::<Vec<_>>();
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), script));
    sim.run_to_idle(1_000_000);
    let view = DiagramView::of(
        &sim.engine,
        VirtualMillis(u64::MAX / 2),
        &[],
        &StoreFold::new(),
    );
    assert_eq!(view.pulses.len(), MAX_PULSES);
}

/// The row checks of one projection after running `sim` until `t`.
fn checks_at(sim: &mut Simulation, t: u64, name: ProjectionName) -> Vec<(String, RowState)> {
    sim.run_until(VirtualMillis(t));
    let view = DiagramView::of(
        &sim.engine,
        VirtualMillis(100),
        sim.store.events(),
        &StoreFold::of(sim.store.events()),
    );
    let lane = view.lanes.iter().find(|l| l.name == name).expect("a lane");
    lane.checks
        .iter()
        .map(|c| (c.key.clone(), c.state))
        .collect()
}

#[test]
fn rows_are_stale_while_events_are_on_their_way_then_current() {
    let mut config = EngineConfig::default();
    config.bus.lag = LagDistribution::Fixed(VirtualMillis(500));
    let script = vec![
        create_order(0, "cmd-1", "o-1"),
        create_order(0, "cmd-2", "o-2"),
    ];
    let mut sim = Simulation::new(Engine::new(config, script));
    // Appended, not yet delivered (500 ms lag): both rows are stale, one event behind,
    // and the truth is the row the event will make.
    let stale = checks_at(&mut sim, 100, ProjectionName::OrderSummary);
    assert_eq!(stale.len(), 2, "{stale:?}");
    assert!(stale.iter().all(|(_, s)| *s
        == RowState::Stale {
            behind: 1,
            at_least: false
        }));
    let view = DiagramView::of(
        &sim.engine,
        VirtualMillis(100),
        sim.store.events(),
        &StoreFold::of(sim.store.events()),
    );
    let check = &view.lanes[0].checks[0];
    assert_eq!(check.shows, None, "the read model has no row yet");
    assert!(
        check.truth.as_deref().is_some_and(|t| t.contains("Draft")),
        "{check:?}"
    );
    // Delivered: every row shows the truth.
    let current = checks_at(&mut sim, 5_000, ProjectionName::OrderSummary);
    assert_eq!(current.len(), 2);
    assert!(current.iter().all(|(_, s)| *s == RowState::Current));
}

#[test]
fn a_naive_projection_under_duplicates_has_wrong_rows_an_idempotent_one_none() {
    let run = |mode: ProjectionMode| {
        let mut config = EngineConfig::default();
        config.bus.duplicate_rate = PerMillion::ALWAYS;
        config.bus.modes = ProjectionName::ALL.map(|name| (name, mode));
        let script = (0..5)
            .map(|i| create_order(i * 10, &format!("cmd-{i}"), &format!("o-{i}")))
            .collect::<Vec<_>>();
        let mut sim = Simulation::new(Engine::new(config, script));
        checks_at(&mut sim, 10_000, ProjectionName::OrdersPerCustomer)
    };
    let naive = run(ProjectionMode::Naive);
    assert_eq!(naive.len(), 1, "one customer row: {naive:?}");
    assert_eq!(naive[0].1, RowState::Wrong, "every order counted twice");
    let idempotent = run(ProjectionMode::Idempotent);
    assert_eq!(idempotent[0].1, RowState::Current);
}

#[test]
fn the_rows_checked_are_the_newest_touched_and_bounded() {
    let script = (0..40)
        .map(|i| create_order(i * 10, &format!("cmd-{i}"), &format!("o-{i}")))
        .collect::<Vec<_>>();
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), script));
    let checks = checks_at(&mut sim, 10_000, ProjectionName::OrderSummary);
    assert_eq!(checks.len(), ROWS_CHECKED);
    assert_eq!(checks[0].0, "o-39", "newest first");
}

#[test]
fn the_timeline_puts_each_hop_on_its_components_lane_and_keeps_the_newest() {
    let mut config = EngineConfig::default();
    config.bus.duplicate_rate = PerMillion::ALWAYS;
    let script = vec![
        create_order(0, "cmd-1", "o-1"),
        create_order(5, "cmd-1", "o-1"),
    ];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(10_000);
    let timeline =
        DiagramView::of(&sim.engine, VirtualMillis(100), &[], &StoreFold::new()).timeline;
    let on = |c: Component| timeline.marks.iter().filter(|m| m.component == c).count();
    assert_eq!(on(Component::CommandBus), 2, "sent twice");
    assert!(timeline
        .marks
        .iter()
        .any(|m| m.component == Component::Handler
            && m.kind == PulseKind::Duplicate
            && m.text.contains("processed before")));
    assert_eq!(on(Component::Store), 1, "appended once");
    assert!(
        on(Component::Projection(ProjectionName::OrderSummary)) >= 2,
        "a copy too"
    );
    assert!(
        timeline.marks.windows(2).all(|w| w[0].at <= w[1].at),
        "oldest first"
    );

    let script = (0..200)
        .map(|i| create_order(i, &format!("cmd-{i}"), &format!("o-{i}")))
        .collect::<Vec<_>>();
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), script));
    sim.run_to_idle(1_000_000);
    let timeline =
        DiagramView::of(&sim.engine, VirtualMillis(100), &[], &StoreFold::new()).timeline;
    assert_eq!(timeline.marks.len(), TIMELINE_HOPS);
    assert_eq!(
        timeline.marks.last().map(|m| m.at),
        Some(
            sim.engine
                .trace()
                .hops()
                .last()
                .map(|h| h.at)
                .unwrap_or_default()
        )
    );
}

#[test]
fn the_transport_box_counts_the_subscriptions_with_settings_of_their_own() {
    use cqrs_lab::engine::transport::{ChangeFeed, ChangeFeedHost, ServiceBus, Transport};
    let box_of = |transport, subscriptions| {
        let mut config = EngineConfig::default();
        config.bus.transport = transport;
        config.bus.subscriptions = subscriptions;
        let engine = Engine::new(config, Vec::new());
        DiagramView::of(&engine, VirtualMillis(100), &[], &StoreFold::new()).transport
    };
    let bus = Transport::ServiceBus(ServiceBus::default());
    let sessions = Transport::ServiceBus(ServiceBus {
        sessions: true,
        ..ServiceBus::default()
    });
    assert_eq!(
        box_of(bus, [None; 3]),
        ("Service Bus", "topic, 3 subscriptions".to_owned())
    );
    assert_eq!(
        box_of(bus, [None, Some(sessions), None]),
        ("Service Bus", "topic, 1 has its own".to_owned())
    );
    // The same settings as the bus's, or another service's, are not its own.
    assert_eq!(
        box_of(bus, [Some(bus), Some(Transport::Lab), None]),
        ("Service Bus", "topic, 3 subscriptions".to_owned())
    );
    let feed = |host| Transport::ChangeFeed(ChangeFeed { host });
    assert_eq!(
        box_of(
            feed(ChangeFeedHost::Functions),
            [Some(feed(ChangeFeedHost::Processor)); 3]
        ),
        (
            "Change feed",
            "no bus: 3 leases, 3 have their own".to_owned()
        )
    );
}
