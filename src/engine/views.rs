//! Derived views for the UI: projection lag, and time travel (state as of a position).

use super::projection::ReadModel;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion, VirtualMillis};
use crate::domain::order::{evolve, OrderState};
use crate::store::{LoadedStream, MemoryStore, ProjectionName};
use std::collections::{BTreeMap, VecDeque};

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
        let state = aggregates.entry(e.stream_id.clone()).or_default();
        *state = evolve(std::mem::take(state), &e.event);
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

/// Events of a stream's history kept for display (the newest).
pub const HISTORY: usize = 50;

/// A stream's folded state, how many events it holds, its newest events and the
/// snapshot a handler starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// The aggregate's state after every event in the stream.
    pub state: OrderState,
    /// Version of the newest event (0 for an empty stream).
    pub version: StreamVersion,
    /// The newest events (at most `HISTORY`), in version order.
    pub history: VecDeque<SharedEvent>,
    /// The version of the newest snapshot the store keeps, if any.
    pub snapshot: Option<StreamVersion>,
}

impl Stream {
    /// The fold of a loaded stream (snapshot, then the events after it).
    pub fn fold(loaded: LoadedStream) -> Self {
        let version = loaded.version();
        let snapshot = loaded.snapshot.as_ref().map(|s| s.version);
        let start = loaded.snapshot.map(|s| s.state).unwrap_or_default();
        let state = loaded
            .events
            .iter()
            .fold(start, |state, e| evolve(state, &e.event));
        let skip = loaded.events.len().saturating_sub(HISTORY);
        Stream {
            state,
            version,
            history: loaded.events.into_iter().skip(skip).collect(),
            snapshot,
        }
    }

    /// How many older events the history can still show: when the snapshot leaves
    /// it short, the events before the snapshot to read for display (not for the fold).
    pub fn history_wanted(&self) -> Option<(StreamVersion, StreamVersion)> {
        let snapshot = self.snapshot?;
        let short = HISTORY.saturating_sub(self.history.len()) as u64;
        (short > 0 && snapshot.0 > 0)
            .then(|| (StreamVersion(snapshot.0.saturating_sub(short)), snapshot))
    }

    /// Puts events from before the history in front of it (in version order).
    pub fn prepend_history(&mut self, earlier: impl IntoIterator<Item = SharedEvent>) {
        let first = self.history.front().map(|e| e.stream_version);
        let mut earlier: Vec<SharedEvent> = earlier
            .into_iter()
            .filter(|e| first.is_none_or(|f| e.stream_version < f))
            .collect();
        crate::collections::sort::sort_by_key(&mut earlier, |e| e.stream_version); // unique
        for e in earlier.into_iter().rev() {
            if self.history.len() == HISTORY {
                break;
            }
            self.history.push_front(e);
        }
    }

    /// A stream as an in-memory store holds it, with its history filled as
    /// `history_wanted` asks (the browser's store does the same in two reads).
    pub fn read_from(store: &MemoryStore, order_id: &OrderId) -> Self {
        let mut stream = Stream::fold(store.load_stream(order_id));
        if let Some((after, upto)) = stream.history_wanted() {
            let earlier = store.read_stream(order_id, after);
            stream.prepend_history(earlier.into_iter().filter(|e| e.stream_version <= upto));
        }
        stream
    }

    /// Events a handler replays to load the aggregate: those after the snapshot.
    pub fn replay_cost(&self) -> u64 {
        self.version.0 - self.snapshot.map_or(0, |s| s.0.min(self.version.0))
    }
}
