//! The stored form of an event: the domain event plus where, when and why it was recorded.

use super::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use super::order::OrderEvent;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// A stored event shared by the store, the bus and the views without being copied.
pub type SharedEvent = Rc<EventEnvelope>;

/// One recorded event, as the event store keeps it and the event bus carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventEnvelope {
    /// Unique id of this event.
    pub event_id: EventId,
    /// The stream (aggregate) it belongs to: the order id, also its partition key.
    pub stream_id: OrderId,
    /// Its version within the stream: 1, 2, 3… with no gaps.
    pub stream_version: StreamVersion,
    /// Its position in the whole store (change feed order).
    pub global_position: GlobalPosition,
    /// Version of the shape of `data`.
    pub schema_version: SchemaVersion,
    /// Virtual time at which it was recorded.
    pub recorded_at: VirtualMillis,
    /// The user action it traces back to.
    pub correlation_id: CorrelationId,
    /// The command that caused it.
    pub causation_id: CommandId,
    /// The event itself: `eventType` and `data` at the top level of the JSON.
    #[serde(flatten)]
    pub event: OrderEvent,
}

impl EventEnvelope {
    /// The event's type name.
    pub fn event_type(&self) -> &'static str {
        self.event.event_type()
    }

    /// Indented JSON for people to read.
    pub fn to_pretty_json(&self) -> String {
        // Serializing plain structs, strings and integers to a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
