//! Reordering without any injected failure dead-letters nothing: a delivery that
//! arrives before an earlier event of its order is deferred and received again once
//! that one is applied; a dead letter says why in words.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use cqrs_lab::app::diagram::DiagramView;
use cqrs_lab::app::timeline::TimelineView;
use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::engine::config::{EngineConfig, LagDistribution};
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::script::ScriptedCommand;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::truth::StoreFold;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use support::*;

/// Ten orders of four events each, a few ms apart: plenty for events of one order to
/// overtake each other under a long-tail lag.
fn busy_script() -> Vec<ScriptedCommand> {
    (0..10u64)
        .flat_map(|n| {
            let order = format!("o-{n}");
            let at = n * 7;
            vec![
                create_order(at, &format!("c-{n}-1"), &order),
                scripted(
                    at + 1,
                    1,
                    &format!("c-{n}-2"),
                    &order,
                    add_item("a", 1250, 2),
                ),
                scripted(
                    at + 2,
                    1,
                    &format!("c-{n}-3"),
                    &order,
                    add_item("b", 100, 1),
                ),
                scripted(
                    at + 3,
                    1,
                    &format!("c-{n}-4"),
                    &order,
                    OrderCommand::SubmitOrder,
                ),
            ]
        })
        .collect()
}

fn reordering(seed: u64) -> EngineConfig {
    let mut config = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    config.bus.ordered_partitions = false;
    config.bus.lag = LagDistribution::LongTail {
        base: VirtualMillis(5),
        tail: VirtualMillis(2_000),
        tail_rate: PerMillion::percent(30),
    };
    config
}

#[test]
fn reordering_without_failures_dead_letters_nothing_and_every_projection_catches_up() {
    for seed in 0..300 {
        let mut sim = Simulation::new(Engine::new(reordering(seed), busy_script()));
        sim.run_to_idle(1_000_000);
        let dead = sim.engine.event_bus().dead_letters();
        assert!(dead.is_empty(), "seed {seed}: {} dead letters", dead.len());
        for p in sim.engine.projections() {
            assert_eq!(
                p.checkpoint(),
                sim.store.head(),
                "seed {seed}: {:?}",
                p.name
            );
        }
    }
}

#[test]
fn a_deferred_delivery_waits_for_its_order_then_applies() {
    let mut sim = Simulation::new(Engine::new(reordering(0), busy_script()));
    sim.run_to_idle(1_000_000);
    let m = sim.engine.metrics();
    assert!(m.deferred > 0, "the long tail reorders some deliveries");
    let deferred = sim
        .engine
        .trace()
        .hops()
        .filter(|h| matches!(h.kind, HopKind::Deferred { .. }))
        .count();
    assert!(deferred > 0);
    for p in sim.engine.projections() {
        assert_eq!(sim.engine.deferred(p.name), 0, "none left waiting");
    }
}

#[test]
fn a_dead_letter_says_why_and_after_how_many_deliveries() {
    let mut config = EngineConfig::default();
    config.bus.failing = vec![ProjectionName::RevenuePerDay];
    let script = vec![create_order(0, "c-1", "o-1")];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(1_000_000);
    let dead = sim.engine.event_bus().dead_letters();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].describe(),
        "the projection's handler failed on all 10 deliveries"
    );
    let view = DiagramView::of(
        &sim.engine,
        VirtualMillis(100),
        sim.store.events(),
        &StoreFold::of(sim.store.events()),
    );
    let lane = &view.lanes[2];
    assert_eq!(lane.dead[0].reason, dead[0].describe());
    assert_eq!(lane.dead[0].cause, "handler failed");
    let words = TimelineView::of(&sim.engine);
    assert!(
        words.marks.iter().any(|r| r.text
            == "event 1 dead-lettered after 10 deliveries: the projection's handler failed"),
        "{:?}",
        words.marks.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
}
