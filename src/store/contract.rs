//! What any event store must do, as plain data: an append with its expected version,
//! reads, snapshots, outbox rows, processed command ids and checkpoints.

use crate::domain::envelope::{EnvelopeParts, EventEnvelope, SharedEvent};
use crate::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use crate::domain::order::{OrderEvent, OrderState};
use serde::{Deserialize, Serialize};

/// An event the handler decided on, before the store gives it a version and a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEvent {
    /// Its unique id.
    pub event_id: EventId,
    /// Shape version of its data.
    pub schema_version: SchemaVersion,
    /// Virtual time of the decision.
    pub recorded_at: VirtualMillis,
    /// The user action it traces back to.
    pub correlation_id: CorrelationId,
    /// The command that caused it.
    pub causation_id: CommandId,
    /// The event.
    pub event: OrderEvent,
}

impl NewEvent {
    /// The event as the store records it, at a version of a stream and a position.
    pub fn stored_as(
        self,
        stream_id: &OrderId,
        stream_version: StreamVersion,
        global_position: GlobalPosition,
    ) -> EventEnvelope {
        EventEnvelope::from(EnvelopeParts {
            event_id: self.event_id,
            stream_id: stream_id.clone(),
            stream_version,
            global_position,
            schema_version: self.schema_version,
            recorded_at: self.recorded_at,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            event: self.event,
        })
    }
}

/// One atomic write: events, their outbox rows and the processed command id, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppendRequest {
    /// The stream to append to.
    pub stream_id: OrderId,
    /// The version the writer read; the append fails unless the stream is still at it.
    pub expected_version: StreamVersion,
    /// The events, in order; at least one.
    pub events: Vec<NewEvent>,
    /// Recorded as processed in the same transaction (the idempotency key).
    pub command_id: CommandId,
    /// Write one outbox row per event in the same transaction (the transactional outbox).
    pub with_outbox: bool,
}

/// What a successful append stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The stored events with their versions and positions.
    pub events: Vec<SharedEvent>,
}

/// Why an append stored nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// Another writer appended first: the stream is not at the expected version.
    #[error("concurrency conflict on {stream_id}: expected version {expected}, but the stream is at {actual}")]
    Conflict {
        /// The stream.
        stream_id: OrderId,
        /// The version the writer read.
        expected: StreamVersion,
        /// The version the stream is at.
        actual: StreamVersion,
    },
    /// This command id was already processed: its events are stored already.
    #[error("command {command_id} was already processed")]
    AlreadyProcessed {
        /// The command id.
        command_id: CommandId,
    },
    /// An append with no events.
    #[error("an append needs at least one event")]
    Empty,
}

/// An aggregate's state saved at a stream version, so a load replays only later events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The stream.
    pub stream_id: OrderId,
    /// The version the state includes.
    pub version: StreamVersion,
    /// The state after that version.
    pub state: OrderState,
}

/// What loading an aggregate needs: the newest snapshot and the events after it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadedStream {
    /// The newest snapshot, if any (boxed: a result travels by value, mostly without).
    pub snapshot: Option<Box<Snapshot>>,
    /// Events after the snapshot (or all of them), in version order.
    pub events: Vec<SharedEvent>,
}

impl LoadedStream {
    /// The stream's version: the last event's, else the snapshot's, else 0.
    pub fn version(&self) -> StreamVersion {
        self.events
            .last()
            .map(|e| e.stream_version)
            .or(self.snapshot.as_ref().map(|s| s.version))
            .unwrap_or_default()
    }
}

/// The name of a projection, the key of its checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProjectionName {
    /// Status, item count and total per order.
    OrderSummary,
    /// Orders per customer.
    OrdersPerCustomer,
    /// Revenue per virtual day.
    RevenuePerDay,
}

impl ProjectionName {
    /// The name people read.
    pub fn title(self) -> &'static str {
        match self {
            ProjectionName::OrderSummary => "Order summary",
            ProjectionName::OrdersPerCustomer => "Orders per customer",
            ProjectionName::RevenuePerDay => "Revenue per day",
        }
    }

    /// A short stable name, used in stored keys.
    pub fn key(self) -> &'static str {
        match self {
            ProjectionName::OrderSummary => "order-summary",
            ProjectionName::OrdersPerCustomer => "orders-per-customer",
            ProjectionName::RevenuePerDay => "revenue-per-day",
        }
    }

    /// Every projection, in display order.
    pub const ALL: [ProjectionName; 3] = [
        ProjectionName::OrderSummary,
        ProjectionName::OrdersPerCustomer,
        ProjectionName::RevenuePerDay,
    ];

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        match self {
            ProjectionName::OrderSummary => 0,
            ProjectionName::OrdersPerCustomer => 1,
            ProjectionName::RevenuePerDay => 2,
        }
    }
}
