//! Derived views for the UI: projection lag, and time travel (state as of a position).

use super::projection::ReadModel;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::domain::order::{evolve, OrderState};
use crate::store::ProjectionName;
use std::collections::BTreeMap;

/// How far a projection is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// Events stored but not yet applied (past the checkpoint).
    pub events_behind: u64,
    /// Virtual ms since the oldest unapplied event was recorded (0 when caught up).
    pub ms_behind: VirtualMillis,
}

/// The lag of a projection at `checkpoint`, given the store's events and the time now.
pub fn lag(events: &[SharedEvent], checkpoint: GlobalPosition, now: VirtualMillis) -> Lag {
    let head = events.len() as u64;
    let events_behind = head.saturating_sub(checkpoint.0);
    let oldest_unapplied = usize::try_from(checkpoint.0)
        .ok()
        .and_then(|i| events.get(i))
        .map(|e| e.recorded_at);
    Lag {
        events_behind,
        ms_behind: VirtualMillis(oldest_unapplied.map_or(0, |t| now.0.saturating_sub(t.0))),
    }
}

/// The system as of a global position: every aggregate and every read model as a
/// correct projection would show them after applying events 1..=position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTravel {
    /// The position travelled to (clamped to the store's head).
    pub position: GlobalPosition,
    /// Each aggregate's state then.
    pub aggregates: BTreeMap<OrderId, OrderState>,
    /// Each read model then, in `ProjectionName::ALL` order.
    pub read_models: Vec<(ProjectionName, ReadModel)>,
}

/// Folds the store's events up to `position` into aggregates and read models.
pub fn time_travel(events: &[SharedEvent], position: GlobalPosition) -> TimeTravel {
    let end = usize::try_from(position.0)
        .unwrap_or(usize::MAX)
        .min(events.len());
    let mut aggregates: BTreeMap<OrderId, OrderState> = BTreeMap::new();
    let mut read_models: Vec<(ProjectionName, ReadModel)> = ProjectionName::ALL
        .iter()
        .map(|name| (*name, ReadModel::empty(*name)))
        .collect();
    for e in &events[..end] {
        let state = aggregates.remove(&e.stream_id).unwrap_or_default();
        aggregates.insert(e.stream_id.clone(), evolve(state, &e.event));
        for (_, model) in &mut read_models {
            model.apply(e);
        }
    }
    TimeTravel {
        position: GlobalPosition(end as u64),
        aggregates,
        read_models,
    }
}
