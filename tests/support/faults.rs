//! Fault strategies and healing shared by the engine's property tests (native only:
//! they use proptest).
#![allow(dead_code)]

use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::engine::config::{BusConfig, LagDistribution, ProjectionMode};
use cqrs_lab::engine::rng::PerMillion;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::store::ProjectionName;
use proptest::prelude::*;

/// Random bus faults: duplicates 0-100 %, a lag distribution, partition ordering on or
/// off, failures, each projection naive or idempotent, sometimes one failing outright.
pub fn bus_faults() -> impl Strategy<Value = BusConfig> {
    let lag = prop_oneof![
        (0u64..50).prop_map(|ms| LagDistribution::Fixed(VirtualMillis(ms))),
        (0u64..20, 20u64..200)
            .prop_map(|(a, b)| LagDistribution::Uniform(VirtualMillis(a), VirtualMillis(b))),
        (0u64..20, 1u64..2000, 0u32..30).prop_map(|(base, tail, pct)| LagDistribution::LongTail {
            base: VirtualMillis(base),
            tail: VirtualMillis(tail),
            tail_rate: PerMillion::percent(pct),
        }),
    ];
    let mode = prop_oneof![
        Just(ProjectionMode::Naive),
        Just(ProjectionMode::Idempotent)
    ];
    (
        0u32..=100,
        lag,
        any::<bool>(),
        0u32..40,
        prop::array::uniform3(mode),
        any::<bool>(),
    )
        .prop_map(
            |(dup, lag, ordered, fail, modes, outbox_failing)| BusConfig {
                duplicate_rate: PerMillion::percent(dup),
                lag,
                ordered_partitions: ordered,
                failure_rate: PerMillion::percent(fail),
                modes: [
                    (ProjectionName::OrderSummary, modes[0]),
                    (ProjectionName::OrdersPerCustomer, modes[1]),
                    (ProjectionName::RevenuePerDay, modes[2]),
                ],
                failing: if outbox_failing {
                    vec![ProjectionName::RevenuePerDay]
                } else {
                    vec![]
                },
                ..BusConfig::default()
            },
        )
}

/// Ends the faults, then resubmits dead letters and drains until none is left.
pub fn heal(sim: &mut Simulation) {
    sim.engine.heal();
    for _ in 0..20 {
        let resubmitted: u64 = ProjectionName::ALL
            .iter()
            .map(|n| sim.engine.resubmit_dead_letters(*n))
            .sum();
        if resubmitted == 0 {
            break;
        }
        sim.run_to_idle(1_000_000);
    }
}
