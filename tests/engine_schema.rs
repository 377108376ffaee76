//! Schema versioning: `OrderCreated` v2 adds a currency mid-run; a projection whose code
//! only knows v1 fails those messages (retries, then the dead-letter queue) until a fix
//! is deployed; resubmission or a rebuild heals it; the upcaster reads v1 as v2.

mod support;

use cqrs_lab::domain::envelope::EventEnvelope;
use cqrs_lab::domain::ids::{GlobalPosition, SchemaVersion};
use cqrs_lab::domain::money::Currency;
use cqrs_lab::domain::order::{OrderCommand, OrderEvent};
use cqrs_lab::domain::upcast::upcast;
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::rebuild::RebuildStrategy;
use cqrs_lab::engine::script::ScriptedCommand;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::trace::HopKind;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::ProjectionName;
use std::rc::Rc;
use support::*;

fn cmd(at: u64, id: &str, order: &str, command: OrderCommand) -> ScriptedCommand {
    scripted(at, 1, id, order, command)
}

/// o-1 is created in v1; then v2 is deployed on the write side and o-2 is created in v2.
fn mid_run_v2(config: EngineConfig) -> Simulation {
    let script = vec![
        create_order(0, "c1", "o-1"),
        cmd(10, "c2", "o-1", add_item("a", 100, 1)),
    ];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(10_000);
    sim.engine.deploy_write_schema(SchemaVersion(2));
    sim.engine.send_at(create_order(0, "c3", "o-2"));
    sim.engine
        .send_at(cmd(0, "c4", "o-2", add_item("a", 100, 1)));
    sim.run_to_idle(10_000);
    sim
}

fn summary(sim: &Simulation) -> Vec<String> {
    let p = sim
        .engine
        .projection(ProjectionName::OrderSummary)
        .expect("exists");
    p.model()
        .rows()
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect()
}

#[test]
fn a_v2_event_carries_its_currency_and_schema_version() {
    let sim = mid_run_v2(EngineConfig::default());
    let v2 = sim.store.event(GlobalPosition(3)).expect("o-2 created");
    assert_eq!(v2.schema_version, SchemaVersion(2));
    let json = serde_json::to_string(v2).expect("serializable");
    assert!(
        json.contains(r#""data":{"customerId":"cust-789","currency":"USD"}"#),
        "{json}"
    );
    let back: EventEnvelope = serde_json::from_str(&json).expect("readable");
    assert_eq!(&back, v2);
}

#[test]
fn the_upcaster_reads_v1_as_v2_in_dollars_and_leaves_the_rest_alone() {
    let sim = mid_run_v2(EngineConfig::default());
    let v1 = Rc::clone(&sim.store.events()[0]);
    let read = upcast(&v1);
    assert_eq!(read.schema_version, SchemaVersion(2));
    assert!(
        matches!(&read.event, OrderEvent::OrderCreated { currency: Some(c), .. } if *c == Currency::usd())
    );
    assert_eq!(
        v1.schema_version,
        SchemaVersion(1),
        "the stored event is unchanged"
    );
    let item = Rc::clone(&sim.store.events()[1]);
    assert!(Rc::ptr_eq(&upcast(&item), &item));
}

#[test]
fn a_projection_that_only_knows_v1_dead_letters_v2_until_a_fix_is_deployed() {
    let mut sim = mid_run_v2(EngineConfig::default());
    let dead = sim.engine.event_bus().dead_letters();
    // o-2's OrderCreated (v2) fails on every subscription; its ItemAdded is deferred
    // until that event is applied (waiting is not a failure).
    assert_eq!(dead.len(), 3);
    assert!(dead.iter().all(|d| d.describe()
        == "the event is schema v2, the projection understands up to v1 on all 10 deliveries"));
    for name in ProjectionName::ALL {
        assert_eq!(sim.engine.deferred(name), 1, "{name:?}");
    }
    assert_eq!(summary(&sim), ["o-1: Draft, 1 item, $1.00"]);
    for name in ProjectionName::ALL {
        sim.engine.deploy_projection(name, SchemaVersion(2));
        sim.engine.resubmit_dead_letters(name);
    }
    sim.run_to_idle(10_000);
    assert_eq!(
        summary(&sim),
        ["o-1: Draft, 1 item, $1.00", "o-2: Draft, 1 item, $1.00 USD"]
    );
    for p in sim.engine.projections() {
        assert_eq!(p.checkpoint(), sim.store.head());
        assert!(p.divergence(sim.store.events()).is_empty());
    }
}

#[test]
fn a_rebuild_stops_at_an_unreadable_event_and_succeeds_after_the_fix() {
    let mut sim = mid_run_v2(EngineConfig::default());
    sim.engine
        .start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::BlueGreen);
    sim.run_to_idle(1000);
    let failed = sim.engine.trace().hops().any(|h| {
        h.kind
            == HopKind::RebuildFailed {
                projection: ProjectionName::OrderSummary,
                position: GlobalPosition(3),
            }
    });
    assert!(failed);
    sim.engine
        .deploy_projection(ProjectionName::OrderSummary, SchemaVersion(2));
    sim.engine
        .start_rebuild(ProjectionName::OrderSummary, RebuildStrategy::BlueGreen);
    sim.run_to_idle(1000);
    assert_eq!(summary(&sim).len(), 2);
}

#[test]
fn with_the_upcaster_old_orders_read_as_dollars_too() {
    let config = EngineConfig {
        projection_schema: SchemaVersion(2),
        ..EngineConfig::default()
    };
    let without = mid_run_v2(config.clone());
    assert_eq!(
        summary(&without),
        ["o-1: Draft, 1 item, $1.00", "o-2: Draft, 1 item, $1.00 USD"]
    );
    let with = mid_run_v2(EngineConfig {
        upcaster: true,
        ..config
    });
    assert_eq!(
        summary(&with),
        [
            "o-1: Draft, 1 item, $1.00 USD",
            "o-2: Draft, 1 item, $1.00 USD"
        ]
    );
    let p = with
        .engine
        .projection(ProjectionName::OrderSummary)
        .expect("exists");
    assert!(
        p.divergence(with.store.events()).is_empty(),
        "the check reads the same way"
    );
}
