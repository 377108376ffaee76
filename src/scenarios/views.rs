//! What a scenario's views show beyond the workbench's: the three architectures side by
//! side over the same commands, and what CQRS + Event Sourcing costs for a workload.
//! Everything is computed from the run, never written in.

use crate::domain::ids::GlobalPosition;
use crate::domain::money::Cents;
use crate::domain::order::{evolve, OrderState, OrderStatus};
use crate::domain::saga::Phase;
use crate::engine::fulfilment::Fulfilment;
use crate::engine::modes::{ArchitectureMode, Capabilities};
use crate::engine::sim::Simulation;
use crate::engine::trace::HopKind;
use crate::engine::views::Stream;
use crate::store::ProjectionName;
use std::collections::BTreeMap;

/// One architecture over the run's commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeRow {
    /// The architecture.
    pub mode: ArchitectureMode,
    /// What it stores, counted.
    pub stores: String,
    /// What it knows of the first order's past.
    pub history: String,
    /// What it can do.
    pub capabilities: Capabilities,
}

/// The three architectures, simplest first.
pub fn modes(sim: &Simulation) -> Vec<ModeRow> {
    let orders = sim.store.stream_ids().len();
    let events = sim.store.head().0;
    let read_rows: usize = read_model_rows(sim);
    let first = sim.store.stream_ids().first().map(|id| (*id).clone());
    let (status, types) = first.map_or((String::new(), Vec::new()), |id| {
        let stream = Stream::read_from(&sim.store, &id);
        let status = match &stream.state {
            OrderState::Created(order) => order.status.to_string(),
            OrderState::NotCreated => "not created".to_owned(),
        };
        let types: Vec<&str> = stream.history.iter().map(|e| e.event_type()).collect();
        (format!("{id}: {status}"), types)
    });
    let now = if status.is_empty() {
        "nothing yet".to_owned()
    } else {
        format!("only the current state ({status})")
    };
    ArchitectureMode::ALL
        .into_iter()
        .map(|mode| {
            let (stores, history) = match mode {
                ArchitectureMode::Crud => (
                    format!("{orders} row(s), overwritten by each change"),
                    now.clone(),
                ),
                ArchitectureMode::CqrsWithoutEventSourcing => (
                    format!("{orders} state row(s) + {read_rows} read-model row(s)"),
                    now.clone(),
                ),
                ArchitectureMode::CqrsWithEventSourcing => (
                    format!("{events} event(s), never changed + {read_rows} read-model row(s)"),
                    if types.is_empty() {
                        "nothing yet".to_owned()
                    } else {
                        format!("every change: {}", types.join(" → "))
                    },
                ),
            };
            ModeRow {
                mode,
                stores,
                history,
                capabilities: mode.capabilities(),
            }
        })
        .collect()
}

fn read_model_rows(sim: &Simulation) -> usize {
    ProjectionName::ALL
        .iter()
        .filter_map(|n| sim.engine.projection(*n))
        .map(|p| p.model().len())
        .sum()
}

/// What the architecture cost for the run's workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Costs {
    /// Commands handled.
    pub commands: u64,
    /// Components that carried them (CRUD: one database behind the app).
    pub components: u32,
    /// Messages moved: commands queued, events published, deliveries made.
    pub messages: u64,
    /// Records kept, by kind.
    pub records: Vec<(&'static str, u64)>,
    /// Rows CRUD would keep: one per order.
    pub crud_rows: u64,
    /// Events whose every read model showed them, and the mean and longest virtual ms
    /// from the append until the last read model showed it.
    pub stale: (u64, u64, u64),
}

/// Components of the simulated system: command bus, handler, event store, outbox
/// relay, event bus and one projection per read model.
const COMPONENTS: u32 = 5 + ProjectionName::ALL.len() as u32;

/// The run's costs so far.
pub fn costs(sim: &Simulation) -> Costs {
    let m = sim.engine.metrics();
    let events = sim.store.head().0;
    let outbox = if sim.engine.config().outbox {
        events
    } else {
        0
    };
    let mut appended: BTreeMap<GlobalPosition, u64> = BTreeMap::new();
    let mut shown: BTreeMap<GlobalPosition, (u64, u32)> = BTreeMap::new();
    for hop in sim.engine.trace().hops() {
        match &hop.kind {
            HopKind::EventsAppended { first, count, .. } => {
                for p in first.0..first.0 + count {
                    appended.insert(GlobalPosition(p), hop.at.0);
                }
            }
            HopKind::Applied {
                position,
                duplicate: false,
                ..
            } => {
                let entry = shown.entry(*position).or_insert((0, 0));
                *entry = (entry.0.max(hop.at.0), entry.1 + 1);
            }
            _ => {}
        }
    }
    let waits: Vec<u64> = shown
        .iter()
        .filter(|(_, (_, n))| *n as usize >= ProjectionName::ALL.len())
        .filter_map(|(p, (at, _))| appended.get(p).map(|from| at.saturating_sub(*from)))
        .collect();
    let mean = if waits.is_empty() {
        0
    } else {
        waits.iter().sum::<u64>() / waits.len() as u64
    };
    Costs {
        commands: m.commands_accepted + m.commands_rejected + m.commands_duplicate,
        components: COMPONENTS,
        messages: m.commands_queued + m.events_published + m.deliveries,
        records: vec![
            ("events", events),
            ("outbox rows", outbox),
            ("processed command ids", m.commands_accepted),
            ("snapshots", m.snapshots_saved),
            ("read-model rows", read_model_rows(sim) as u64),
            ("checkpoints", ProjectionName::ALL.len() as u64),
        ],
        crud_rows: sim.store.stream_ids().len() as u64,
        stale: (
            waits.len() as u64,
            mean,
            waits.iter().copied().max().unwrap_or(0),
        ),
    }
}

/// One figure of two runs side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What is compared.
    pub what: String,
    /// In the first run.
    pub a: String,
    /// In the second.
    pub b: String,
}

impl Difference {
    /// True when the runs differ here.
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// A figure read from a run's metrics.
type Figure = fn(&crate::engine::trace::Metrics) -> u64;

/// Two runs compared figure by figure: the store, the command side, each projection
/// (checkpoint, wrong rows, dead letters) and every read-model row either holds.
pub fn differences(a: &Simulation, b: &Simulation) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut put = |what: String, x: String, y: String| out.push(Difference { what, a: x, b: y });
    let (ma, mb) = (a.engine.metrics(), b.engine.metrics());
    let figures: [(&str, Figure); 8] = [
        ("Commands refused (queue full)", |m| m.commands_refused),
        ("Commands rejected", |m| m.commands_rejected),
        ("Concurrency conflicts", |m| m.conflicts),
        ("Events replayed to load orders", |m| m.events_replayed),
        ("Events published", |m| m.events_published),
        ("Deliveries ignored as duplicates", |m| m.ignored),
        ("Publications lost for good", |m| m.publications_lost),
        ("Messages dead-lettered", |m| m.dead_lettered),
    ];
    put(
        "Events stored".into(),
        a.store.head().0.to_string(),
        b.store.head().0.to_string(),
    );
    for (what, figure) in figures {
        put(what.into(), figure(ma).to_string(), figure(mb).to_string());
    }
    for name in ProjectionName::ALL {
        let (Some(pa), Some(pb)) = (a.engine.projection(name), b.engine.projection(name)) else {
            continue;
        };
        put(
            format!("{}: checkpoint", name.title()),
            pa.checkpoint().0.to_string(),
            pb.checkpoint().0.to_string(),
        );
        put(
            format!("{}: wrong rows", name.title()),
            pa.divergence(a.store.events()).len().to_string(),
            pb.divergence(b.store.events()).len().to_string(),
        );
        let (ra, rb) = (pa.model().rows(), pb.model().rows());
        let keys: std::collections::BTreeSet<&String> = ra.keys().chain(rb.keys()).collect();
        let none = || "(no row)".to_owned();
        for key in keys {
            put(
                format!("{} row {key}", name.title()),
                ra.get(key).cloned().unwrap_or_else(none),
                rb.get(key).cloned().unwrap_or_else(none),
            );
        }
    }
    out
}

/// Two saga runs compared: how the sagas ended, what customers paid, what the faults
/// did, and each order's phase.
pub fn saga_differences(a: &Fulfilment, b: &Fulfilment) -> Vec<Difference> {
    let ended = |run: &Fulfilment, phase: Phase| {
        run.sagas()
            .values()
            .filter(|s| s.phase == phase)
            .count()
            .to_string()
    };
    let paid = |run: &Fulfilment| {
        let total: i64 = run.sagas().keys().map(|id| run.net_charged(id).0).sum();
        Cents(total).to_string()
    };
    let refunds = |run: &Fulfilment| {
        run.log()
            .iter()
            .filter(|r| r.fact.event_type() == "PaymentRefunded")
            .count()
            .to_string()
    };
    let (ca, cb) = (a.counts(), b.counts());
    let mut out = vec![
        Difference {
            what: "Sagas completed".into(),
            a: ended(a, Phase::Completed),
            b: ended(b, Phase::Completed),
        },
        Difference {
            what: "Sagas compensated".into(),
            a: ended(a, Phase::Compensated),
            b: ended(b, Phase::Compensated),
        },
        Difference {
            what: "Customers paid in all".into(),
            a: paid(a),
            b: paid(b),
        },
        Difference {
            what: "Refunds".into(),
            a: refunds(a),
            b: refunds(b),
        },
        Difference {
            what: "Deadlines missed".into(),
            a: ca.timeouts.to_string(),
            b: cb.timeouts.to_string(),
        },
        Difference {
            what: "Commands seen again (deduplicated)".into(),
            a: ca.deduplicated.to_string(),
            b: cb.deduplicated.to_string(),
        },
    ];
    let ids: std::collections::BTreeSet<_> = a.sagas().keys().chain(b.sagas().keys()).collect();
    let phase = |run: &Fulfilment, id| {
        run.sagas()
            .get(id)
            .map_or_else(|| "(not started)".to_owned(), |s| s.phase.label())
    };
    for id in ids {
        out.push(Difference {
            what: format!("Saga {id}"),
            a: phase(a, id),
            b: phase(b, id),
        });
    }
    out
}

/// What a run shows at its present moment, in a sentence a step card can carry when
/// the lab was changed and the step's own text describes the scenario as written:
/// the events stored, the orders by status (a fold of those events), and each read
/// model's progress and wrong rows.
pub fn run_facts(sim: &Simulation) -> String {
    let mut orders: BTreeMap<&str, OrderState> = BTreeMap::new();
    for e in sim.store.events() {
        let state = orders.entry(e.stream_id.as_str()).or_default();
        *state = evolve(std::mem::take(state), &e.event);
    }
    let mut statuses: BTreeMap<u8, (usize, &str)> = BTreeMap::new();
    for state in orders.values() {
        if let OrderState::Created(order) = state {
            let (rank, name) = match order.status {
                OrderStatus::Draft => (0, "draft"),
                OrderStatus::Submitted => (1, "submitted"),
                OrderStatus::Paid => (2, "paid"),
                OrderStatus::Shipped => (3, "shipped"),
                OrderStatus::Cancelled => (4, "cancelled"),
            };
            statuses.entry(rank).or_insert((0, name)).0 += 1;
        }
    }
    let orders: Vec<String> = statuses
        .values()
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
    let head = sim.store.head();
    let models: Vec<String> = ProjectionName::ALL
        .into_iter()
        .filter_map(|name| {
            let p = sim.engine.projection(name)?;
            Some(format!(
                "{}: {} of {} events applied, {} wrong row(s)",
                name.title(),
                p.checkpoint().0,
                head.0,
                p.divergence(sim.store.events()).len()
            ))
        })
        .collect();
    format!(
        "At {} ms: {} event(s) stored; orders: {}. {}.",
        sim.engine.now().0,
        head.0,
        if orders.is_empty() {
            "none".to_owned()
        } else {
            orders.join(", ")
        },
        models.join("; ")
    )
}
