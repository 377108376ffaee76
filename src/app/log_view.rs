//! The page's view of the event store: the events it has read, each stream's folded
//! state, and what became of recent commands. It decides nothing: events arrive from
//! the store (this tab's appends, another tab's, or the log read at startup).

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use crate::domain::order::{evolve, OrderState, Rejection};
use std::collections::{BTreeMap, VecDeque};

/// How many outcomes the journal keeps (oldest dropped first).
pub const JOURNAL_LIMIT: usize = 200;
/// Most orders listed as buttons; the order id field reaches any other.
pub const STREAMS_LISTED: usize = 30;

/// A stream's folded state and how many events it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// The aggregate's state after every event in the stream.
    pub state: OrderState,
    /// Version of the newest event (0 for an empty stream).
    pub version: StreamVersion,
}

/// Why a command recorded nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The order's rules refused it.
    #[error("{0}")]
    Rejected(Rejection),
    /// Another writer (another tab) appended to the stream after this one read it.
    #[error("concurrency conflict: the order changed while the command was handled (read at version {expected}, now at {actual}); nothing was recorded, look at the order and send again")]
    Conflict {
        /// The version the handler read.
        expected: StreamVersion,
        /// The version the stream was at.
        actual: StreamVersion,
    },
    /// The command id was processed before (a retry): its events are already stored.
    #[error("this command id was already processed, so it was not applied twice")]
    AlreadyProcessed,
    /// The command bus was full.
    #[error("the command queue is full (backpressure)")]
    QueueFull,
    /// The store failed; nothing was recorded.
    #[error("the event store failed: {0}")]
    StoreFailed(String),
}

/// What became of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The command's id.
    pub command_id: CommandId,
    /// The order it targeted.
    pub order_id: OrderId,
    /// Its type name, e.g. `SubmitOrder`.
    pub command_name: &'static str,
    /// Accepted with the positions of its events, or why nothing was recorded.
    pub result: Result<Vec<GlobalPosition>, Refusal>,
}

impl Outcome {
    /// One sentence for the user.
    pub fn describe(&self) -> String {
        match &self.result {
            Ok(positions) => format!(
                "{} on {} was accepted: {} event{} recorded.",
                self.command_name,
                self.order_id,
                positions.len(),
                if positions.len() == 1 { "" } else { "s" }
            ),
            Err(Refusal::Rejected(rejection)) => format!(
                "{} on {} was rejected: {rejection}. No event was recorded.",
                self.command_name, self.order_id
            ),
            Err(refusal) => format!(
                "{} on {} was not applied: {refusal}.",
                self.command_name, self.order_id
            ),
        }
    }
}

/// Events read so far, streams folded from them, and recent outcomes.
#[derive(Debug, Default)]
pub struct LogView {
    events: Vec<SharedEvent>,
    streams: BTreeMap<OrderId, Stream>,
    /// The most recently changed streams, newest first, at most `STREAMS_LISTED`.
    recent: VecDeque<OrderId>,
    journal: VecDeque<Outcome>,
}

impl LogView {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in events read from the store, in position order. Those already held are
    /// skipped, so reading the same tail twice (two tabs, a retry) changes nothing.
    pub fn absorb(&mut self, events: impl IntoIterator<Item = SharedEvent>) {
        for e in events {
            if e.global_position <= self.head() {
                continue;
            }
            let stream = self.streams.entry(e.stream_id.clone()).or_default();
            stream.state = evolve(std::mem::take(&mut stream.state), &e.event);
            stream.version = e.stream_version;
            self.recent.retain(|id| *id != e.stream_id);
            self.recent.push_front(e.stream_id.clone());
            self.recent.truncate(STREAMS_LISTED);
            self.events.push(e);
        }
    }

    /// Journals an outcome.
    pub fn record(&mut self, outcome: Outcome) {
        if self.journal.len() == JOURNAL_LIMIT {
            self.journal.pop_front();
        }
        self.journal.push_back(outcome);
    }

    /// The position of the newest event held (0 when none).
    pub fn head(&self) -> GlobalPosition {
        self.events
            .last()
            .map_or(GlobalPosition(0), |e| e.global_position)
    }

    /// Every event held, in global order.
    pub fn events(&self) -> &[SharedEvent] {
        &self.events
    }

    /// One event by position.
    pub fn event(&self, position: GlobalPosition) -> Option<&SharedEvent> {
        // Held events are in position order; a quarantined one leaves a gap.
        let index = self
            .events
            .binary_search_by_key(&position, |e| e.global_position)
            .ok()?;
        self.events.get(index)
    }

    /// One stream's state, if it has any event.
    pub fn stream(&self, order_id: &OrderId) -> Option<&Stream> {
        self.streams.get(order_id)
    }

    /// Every stream, by id.
    pub fn streams(&self) -> impl Iterator<Item = (&OrderId, &Stream)> {
        self.streams.iter()
    }

    /// The most recently changed streams, newest first (at most `STREAMS_LISTED`).
    pub fn recent_streams(&self) -> impl Iterator<Item = &OrderId> {
        self.recent.iter()
    }

    /// How many streams hold events.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Outcomes of the most recent commands, oldest first.
    pub fn journal(&self) -> impl DoubleEndedIterator<Item = &Outcome> {
        self.journal.iter()
    }
}
