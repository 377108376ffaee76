//! The architecture diagram's view of the engine: depths per component, and recent hops
//! as pulses whose look says what they are.

mod support;

use cqrs_lab::app::diagram::{DiagramView, Edge, PulseKind, MAX_PULSES};
use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::sim::Simulation;
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
    let view = DiagramView::of(&sim.engine, window);
    let has =
        |edge: Edge, kind: PulseKind| view.pulses.iter().any(|p| p.edge == edge && p.kind == kind);
    assert!(
        has(Edge::ClientToBus, PulseKind::Normal),
        "{:?}",
        view.pulses
    );
    assert!(has(Edge::HandlerToStore, PulseKind::Normal));
    assert!(
        has(Edge::BusToHandler, PulseKind::Duplicate),
        "the client's retry"
    );
    assert!(has(Edge::OutboxToBus, PulseKind::Normal));
    for name in ProjectionName::ALL {
        // Every delivery was doubled: the copy and the original, one of them ignored.
        let deliveries = view
            .pulses
            .iter()
            .filter(|p| p.edge == Edge::BusToProjection(name))
            .count();
        assert_eq!(deliveries, 2, "{name:?}");
        assert!(
            has(Edge::BusToProjection(name), PulseKind::Duplicate),
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
    sim.engine
        .advance_to(VirtualMillis(sim.engine.now().0 + 10_000));
    assert!(DiagramView::of(&sim.engine, VirtualMillis(500))
        .pulses
        .is_empty());
}

#[test]
fn the_diagram_draws_a_bounded_number_of_pulses() {
    let script = (0..200)
        .map(|i| create_order(0, &format!("cmd-{i}"), &format!("o-{i}")))
        .collect::<Vec<_>>();
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), script));
    sim.run_to_idle(1_000_000);
    let view = DiagramView::of(&sim.engine, VirtualMillis(u64::MAX / 2));
    assert_eq!(view.pulses.len(), MAX_PULSES);
}
