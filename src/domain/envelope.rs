//! The stored form of an event: the domain event plus where, when and why it was recorded.

use super::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use super::order::{EventData, OrderEvent};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::rc::Rc;

/// A stored event shared by the store, the bus and the views without being copied.
pub type SharedEvent = Rc<EventEnvelope>;

/// One recorded event, as the event store keeps it and the event bus carries it.
/// (Read by a hand-written `Deserialize`, below: the derived one for a flattened field
/// buffers every field first, and reading the log is the store's hottest path.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
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

/// The envelope's JSON fields, in the order they are written.
pub const FIELDS: [&str; 10] = [
    "eventId",
    "streamId",
    "streamVersion",
    "globalPosition",
    "schemaVersion",
    "recordedAt",
    "correlationId",
    "causationId",
    "eventType",
    "data",
];

impl<'de> Deserialize<'de> for EventEnvelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("EventEnvelope", &FIELDS, EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = EventEnvelope;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventEnvelope, A::Error> {
        let mut event_id = None;
        let mut stream_id = None;
        let mut stream_version = None;
        let mut global_position = None;
        let mut schema_version = None;
        let mut recorded_at = None;
        let mut correlation_id = None;
        let mut causation_id = None;
        let mut event_type: Option<String> = None;
        let mut data: Option<EventData> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::EventId => set(&mut event_id, "eventId", map.next_value()?)?,
                Field::StreamId => set(&mut stream_id, "streamId", map.next_value()?)?,
                Field::StreamVersion => {
                    set(&mut stream_version, "streamVersion", map.next_value()?)?;
                }
                Field::GlobalPosition => {
                    set(&mut global_position, "globalPosition", map.next_value()?)?;
                }
                Field::SchemaVersion => {
                    set(&mut schema_version, "schemaVersion", map.next_value()?)?;
                }
                Field::RecordedAt => set(&mut recorded_at, "recordedAt", map.next_value()?)?,
                Field::CorrelationId => {
                    set(&mut correlation_id, "correlationId", map.next_value()?)?;
                }
                Field::CausationId => set(&mut causation_id, "causationId", map.next_value()?)?,
                Field::EventType => set(&mut event_type, "eventType", map.next_value()?)?,
                Field::Data => set(&mut data, "data", map.next_value()?)?,
            }
        }
        let missing = de::Error::missing_field;
        let event_type = event_type.ok_or_else(|| missing("eventType"))?;
        let event = OrderEvent::from_data(&event_type, data.ok_or_else(|| missing("data"))?)?;
        Ok(EventEnvelope {
            event_id: event_id.ok_or_else(|| missing("eventId"))?,
            stream_id: stream_id.ok_or_else(|| missing("streamId"))?,
            stream_version: stream_version.ok_or_else(|| missing("streamVersion"))?,
            global_position: global_position.ok_or_else(|| missing("globalPosition"))?,
            schema_version: schema_version.ok_or_else(|| missing("schemaVersion"))?,
            recorded_at: recorded_at.ok_or_else(|| missing("recordedAt"))?,
            correlation_id: correlation_id.ok_or_else(|| missing("correlationId"))?,
            causation_id: causation_id.ok_or_else(|| missing("causationId"))?,
            event,
        })
    }
}

/// An envelope field, read from its name without allocating.
enum Field {
    EventId,
    StreamId,
    StreamVersion,
    GlobalPosition,
    SchemaVersion,
    RecordedAt,
    CorrelationId,
    CausationId,
    EventType,
    Data,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event envelope field")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
        Ok(match name {
            "eventId" => Field::EventId,
            "streamId" => Field::StreamId,
            "streamVersion" => Field::StreamVersion,
            "globalPosition" => Field::GlobalPosition,
            "schemaVersion" => Field::SchemaVersion,
            "recordedAt" => Field::RecordedAt,
            "correlationId" => Field::CorrelationId,
            "causationId" => Field::CausationId,
            "eventType" => Field::EventType,
            "data" => Field::Data,
            other => return Err(E::unknown_field(other, &FIELDS)),
        })
    }
}

/// Reads an event's `data`, given as JSON text, as the event `event_type` names, with
/// the very code that reads stored envelopes. The error leaves out the position, which
/// would point into this fragment rather than the file it came from.
pub fn event_from_json(event_type: &str, data: &str) -> Result<OrderEvent, String> {
    serde_json::from_str::<EventData>(data)
        .and_then(|data| OrderEvent::from_data(event_type, data))
        .map_err(|e| {
            let text = e.to_string();
            match text.rfind(" at line ") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        })
}

/// Fills a field once; a second occurrence is an error, as in derived impls.
fn set<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}
