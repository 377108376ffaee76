//! The three architecture modes that are easy to mix up (CRUD, CQRS without event
//! sourcing, CQRS with event sourcing): what each can and cannot do, as data the UI
//! shows beside the simulation.

use serde::{Deserialize, Serialize};

/// How the system stores and serves its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ArchitectureMode {
    /// One model for reads and writes; updates overwrite state.
    Crud,
    /// Separate write model (a state table) and read models, fed by published events.
    CqrsWithoutEventSourcing,
    /// Events are the source of truth; read models are projections of them.
    CqrsWithEventSourcing,
}

/// What a mode can do. Each answer comes with the reason shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// Whether the mode has it.
    pub available: bool,
    /// Why (or why not), in one sentence.
    pub why: &'static str,
}

/// The capabilities the UI compares across modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A complete, immutable history of every change.
    pub audit_trail: Capability,
    /// Wipe a read model and rebuild it from the source of truth.
    pub rebuild_read_models: Capability,
    /// State as of any past point.
    pub time_travel: Capability,
    /// Reads and writes scale and are optimised independently.
    pub independent_read_scaling: Capability,
    /// A read right after a write always sees it.
    pub read_your_writes: Capability,
}

const fn yes(why: &'static str) -> Capability {
    Capability {
        available: true,
        why,
    }
}

const fn no(why: &'static str) -> Capability {
    Capability {
        available: false,
        why,
    }
}

impl ArchitectureMode {
    /// Every mode, simplest first.
    pub const ALL: [ArchitectureMode; 3] = [
        ArchitectureMode::Crud,
        ArchitectureMode::CqrsWithoutEventSourcing,
        ArchitectureMode::CqrsWithEventSourcing,
    ];

    /// The mode's name as the UI shows it.
    pub fn label(self) -> &'static str {
        match self {
            ArchitectureMode::Crud => "CRUD",
            ArchitectureMode::CqrsWithoutEventSourcing => "CQRS without Event Sourcing",
            ArchitectureMode::CqrsWithEventSourcing => "CQRS + Event Sourcing",
        }
    }

    /// When to choose it.
    pub fn when_to_use(self) -> &'static str {
        match self {
            ArchitectureMode::Crud => {
                "Simple, low-volume systems: CQRS or Event Sourcing here would be over-engineering."
            }
            ArchitectureMode::CqrsWithoutEventSourcing => {
                "Read and write workloads that need different models or independent scaling, without an audit requirement."
            }
            ArchitectureMode::CqrsWithEventSourcing => {
                "High contention, complex queries and a complete audit trail (e.g. financial compliance); it costs complexity, eventual consistency and a store that grows."
            }
        }
    }

    /// What the mode can and cannot do.
    pub fn capabilities(self) -> Capabilities {
        match self {
            ArchitectureMode::Crud => Capabilities {
                audit_trail: no("Updates overwrite the row: the previous state is gone."),
                rebuild_read_models: no("There is no separate read model, and no history to rebuild one from."),
                time_travel: no("Only the current state is stored."),
                independent_read_scaling: no("Reads and writes share one model and one store."),
                read_your_writes: yes("Reads query the same model the write just changed."),
            },
            ArchitectureMode::CqrsWithoutEventSourcing => Capabilities {
                audit_trail: no("The state table is overwritten; published events are not kept as the source of truth."),
                rebuild_read_models: no("Only from the current state table: history and lost events cannot be replayed."),
                time_travel: no("Past states are not stored."),
                independent_read_scaling: yes("Read models live in their own stores, shaped for queries."),
                read_your_writes: no("Read models are updated asynchronously: a read may be stale for a moment."),
            },
            ArchitectureMode::CqrsWithEventSourcing => Capabilities {
                audit_trail: yes("Every change is an immutable event in an append-only store."),
                rebuild_read_models: yes("Any read model can be wiped and rebuilt by replaying the events."),
                time_travel: yes("Folding the events up to a position gives the state as it was then."),
                independent_read_scaling: yes("Read models are projections in their own stores."),
                read_your_writes: no("Projections lag the event store: eventual consistency."),
            },
        }
    }
}
