//! The page's view of the event store: the newest events, the streams it has read,
//! and what became of recent commands. It holds a bounded part of the log, never all
//! of it, so a page with a long log starts as fast as one with a short log. It decides
//! nothing: events arrive from the store (this tab's appends, another tab's, or the
//! tail read at startup); older pages and streams are read when asked for.

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use crate::domain::order::{evolve, Rejection};
use crate::engine::config::DEFAULT_SNAPSHOT_EVERY;
use crate::engine::views::{Stream, HISTORY};
use std::collections::VecDeque;

/// How many outcomes the journal keeps (oldest dropped first).
pub const JOURNAL_LIMIT: usize = 200;
/// Most orders listed as buttons; the order id field reaches any other.
pub const STREAMS_LISTED: usize = 30;
/// Events per page of the event table; the newest page is kept as events arrive.
pub const EVENTS_PER_PAGE: usize = 100;
/// Events read at startup: the newest page, and enough more to find the most recently
/// changed orders.
pub const TAIL_READ: u64 = 500;
/// Most streams whose state is kept after reading them.
const STREAMS_KEPT: usize = 64;
/// The newest part of the log, as read at startup or after the log was replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogTail {
    /// The newest events (at most `TAIL_READ`), oldest first.
    pub events: Vec<SharedEvent>,
    /// How many events the store holds.
    pub count: u64,
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
    /// The log was replaced (an import or a reset, in this tab or another) while the
    /// command waited: it was never handled.
    #[error("the log was replaced (an import or a reset, here or in another tab) before it was handled, so nothing was recorded; send it again")]
    Replaced,
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

/// The newest events, the streams read so far, and recent outcomes.
#[derive(Debug)]
pub struct LogView {
    /// The newest events, oldest first, at most `EVENTS_PER_PAGE`.
    tail: VecDeque<SharedEvent>,
    /// The newest position read (0 when none).
    head: GlobalPosition,
    /// How many events the store holds.
    count: u64,
    /// Streams read from the store, kept up to date as their events arrive.
    streams: Vec<(OrderId, Stream)>,
    /// The most recently changed streams with their versions, newest first, at most
    /// `STREAMS_LISTED`.
    recent: VecDeque<(OrderId, StreamVersion)>,
    journal: VecDeque<Outcome>,
    /// The handlers save a snapshot each time a stream crosses a multiple of this.
    snapshot_every: u64,
}

impl Default for LogView {
    fn default() -> Self {
        LogView {
            tail: VecDeque::new(),
            head: GlobalPosition(0),
            count: 0,
            streams: Vec::new(),
            recent: VecDeque::new(),
            journal: VecDeque::new(),
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
        }
    }
}

impl LogView {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tells the view how often the handlers save snapshots (a stream that crosses a
    /// multiple of this is read again, to learn its new snapshot).
    pub fn set_snapshot_every(&mut self, every: u64) {
        self.snapshot_every = every.max(1);
    }

    /// How often the handlers save snapshots.
    pub fn snapshot_every(&self) -> u64 {
        self.snapshot_every
    }

    /// A view of a log starting from its newest events.
    pub fn from_tail(tail: LogTail, snapshot_every: u64) -> Self {
        let mut view = LogView::new();
        view.set_snapshot_every(snapshot_every);
        let read = tail.events.len() as u64;
        view.absorb(tail.events);
        view.count = tail.count.max(read);
        view
    }

    /// Takes in events read from the store, in position order. Those already held are
    /// skipped, so reading the same tail twice (two tabs, a retry) changes nothing.
    pub fn absorb(&mut self, events: impl IntoIterator<Item = SharedEvent>) {
        for e in events {
            if e.global_position <= self.head {
                continue;
            }
            self.head = e.global_position;
            self.count += 1;
            let (id, version) = (&e.stream_id, e.stream_version);
            let every = self.snapshot_every;
            let held = self.streams.iter().position(|(known, _)| known == id);
            match held.and_then(|at| self.streams.get_mut(at)).map(|(_, s)| s) {
                // A snapshot was saved past this version: read the stream again to
                // learn where the handler now starts.
                Some(stream)
                    if version == stream.version.next()
                        && version.0 / every != stream.version.0 / every =>
                {
                    self.forget_stream(id);
                }
                Some(stream) if version == stream.version.next() => {
                    stream.state = evolve(std::mem::take(&mut stream.state), &e.event);
                    stream.version = version;
                    if stream.history.len() == HISTORY {
                        stream.history.pop_front();
                    }
                    stream.history.push_back(e.clone());
                }
                // Folded already, or an event in between was never read: read it again.
                Some(stream) if version > stream.version => {
                    self.forget_stream(id);
                }
                _ => {}
            }
            self.recent.retain(|(known, _)| known != id);
            self.recent.push_front((id.clone(), version));
            self.recent.truncate(STREAMS_LISTED);
            if self.tail.len() == EVENTS_PER_PAGE {
                self.tail.pop_front();
            }
            self.tail.push_back(e);
        }
    }

    /// Forgets a stream's state (read again when next asked for).
    fn forget_stream(&mut self, order_id: &OrderId) {
        self.streams.retain(|(known, _)| known != order_id);
    }

    /// Keeps a stream's state as read from the store, unless a newer one is held.
    pub fn put_stream(&mut self, order_id: OrderId, stream: Stream) {
        if self
            .stream(&order_id)
            .is_some_and(|held| held.version > stream.version)
        {
            return;
        }
        self.forget_stream(&order_id);
        if self.streams.len() >= STREAMS_KEPT {
            self.streams.clear();
        }
        self.streams.push((order_id, stream));
    }

    /// Journals an outcome.
    pub fn record(&mut self, outcome: Outcome) {
        if self.journal.len() == JOURNAL_LIMIT {
            self.journal.pop_front();
        }
        self.journal.push_back(outcome);
    }

    /// The position of the newest event read (0 when none).
    pub fn head(&self) -> GlobalPosition {
        self.head
    }

    /// How many events the store holds.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The newest events (at most `EVENTS_PER_PAGE`), oldest first.
    pub fn tail(&self) -> &VecDeque<SharedEvent> {
        &self.tail
    }

    /// A stream's state, if it was read (version 0: it has no events).
    pub fn stream(&self, order_id: &OrderId) -> Option<&Stream> {
        self.streams
            .iter()
            .find(|(known, _)| known == order_id)
            .map(|(_, stream)| stream)
    }

    /// The most recently changed streams with their versions, newest first (at most
    /// `STREAMS_LISTED`).
    pub fn recent_streams(&self) -> impl Iterator<Item = &(OrderId, StreamVersion)> {
        self.recent.iter()
    }

    /// Outcomes of the most recent commands, oldest first.
    pub fn journal(&self) -> impl DoubleEndedIterator<Item = &Outcome> {
        self.journal.iter()
    }
}
