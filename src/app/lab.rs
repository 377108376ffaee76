//! The in-memory lab: handles commands against the Order aggregate and records events.
//!
//! This is the first slice's write side. Handling is synchronous and in memory; the
//! simulation engine (scheduler, buses, projections) and the IndexedDB store replace it.

use crate::domain::envelope::EventEnvelope;
use crate::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, StreamVersion, VirtualMillis,
};
use crate::domain::order::{decide, evolve, OrderCommand, OrderState, Rejection};
use std::collections::{BTreeMap, VecDeque};

/// Virtual time that passes while one command is handled.
pub const COMMAND_TICK: VirtualMillis = VirtualMillis(100);
/// How many outcomes the journal keeps (oldest dropped first).
pub const JOURNAL_LIMIT: usize = 200;

/// The in-memory event log, the current state of each stream, and what happened to each command.
#[derive(Debug, Default)]
pub struct Lab {
    log: Vec<EventEnvelope>,
    streams: BTreeMap<OrderId, Stream>,
    clock: VirtualMillis,
    commands_handled: u64,
    journal: VecDeque<Outcome>,
}

/// A stream's folded state and how many events it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// The aggregate's state after every event in the stream.
    pub state: OrderState,
    /// Version of the newest event (0 for an empty stream).
    pub version: StreamVersion,
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
    /// Accepted with the positions of its events, or rejected with the reason.
    pub result: Result<Vec<GlobalPosition>, Rejection>,
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
            Err(rejection) => format!(
                "{} on {} was rejected: {rejection}. No event was recorded.",
                self.command_name, self.order_id
            ),
        }
    }
}

impl Lab {
    /// An empty lab.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one command: decide against the stream's state, then append the events
    /// (or record the rejection). Returns the outcome, which is also journaled.
    pub fn handle(&mut self, order_id: OrderId, command: OrderCommand) -> &Outcome {
        self.commands_handled += 1;
        self.clock = VirtualMillis(self.clock.0.saturating_add(COMMAND_TICK.0));
        let n = self.commands_handled;
        let command_id = CommandId::numbered("cmd", n);
        let correlation_id = CorrelationId::numbered("corr", n);
        let stream = self.streams.get(&order_id).cloned().unwrap_or_default();
        let result = decide(&stream.state, &command).map(|events| {
            let mut stream = stream;
            let mut positions = Vec::with_capacity(events.len());
            for event in events {
                let global_position = GlobalPosition(self.log.len() as u64).next();
                let stream_version = stream.version.next();
                debug_assert!(self
                    .log
                    .last()
                    .is_none_or(|e| e.global_position < global_position));
                stream.state = evolve(stream.state, &event);
                stream.version = stream_version;
                self.log.push(EventEnvelope {
                    event_id: EventId::numbered("evt", global_position.0),
                    stream_id: order_id.clone(),
                    stream_version,
                    global_position,
                    schema_version: event.schema_version(),
                    recorded_at: self.clock,
                    correlation_id: correlation_id.clone(),
                    causation_id: command_id.clone(),
                    event,
                });
                positions.push(global_position);
            }
            self.streams.insert(order_id.clone(), stream);
            positions
        });
        if self.journal.len() == JOURNAL_LIMIT {
            self.journal.pop_front();
        }
        self.journal.push_back(Outcome {
            command_id,
            order_id,
            command_name: command.name(),
            result,
        });
        self.journal
            .back()
            .unwrap_or_else(|| unreachable!("pushed just above"))
    }

    /// Every recorded event in global order.
    pub fn events(&self) -> &[EventEnvelope] {
        &self.log
    }

    /// One stream's state, if it has any event.
    pub fn stream(&self, order_id: &OrderId) -> Option<&Stream> {
        self.streams.get(order_id)
    }

    /// Every stream, by id.
    pub fn streams(&self) -> impl Iterator<Item = (&OrderId, &Stream)> {
        self.streams.iter()
    }

    /// Outcomes of the most recent commands, oldest first.
    pub fn journal(&self) -> impl DoubleEndedIterator<Item = &Outcome> {
        self.journal.iter()
    }

    /// The virtual time now.
    pub fn now(&self) -> VirtualMillis {
        self.clock
    }
}
