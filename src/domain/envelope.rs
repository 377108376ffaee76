//! The stored form of an event: the domain event plus where, when and why it was recorded.

use super::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use super::order::{EventData, OrderEvent};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::rc::Rc;

/// A stored event shared by the store, the bus and the views without being copied.
pub type SharedEvent = Rc<EventEnvelope>;

/// One recorded event, as the event store keeps it and the event bus carries it.
///
/// Its id is kept with its cause: the engine names each event after the command that
/// recorded it (`{causation id}.{n}`, [`EventId::of_command`]), so the envelope holds
/// only `n` (16 bytes less per stored event); any other id is held whole, apart. Made
/// from [`EnvelopeParts`]; read with [`event_id`](Self::event_id) and
/// [`causation_id`](Self::causation_id). (Read from JSON by a hand-written
/// `Deserialize`, below: the derived one for a flattened field buffers every field
/// first, and reading the log is the store's hottest path.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEnvelope {
    /// The id when it is not `{causation_id}.{event_number}`.
    other_id: Option<Rc<EventId>>,
    /// The `n` of `{causation_id}.{n}` (0 when `other_id` holds the id).
    event_number: u32,
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
    /// The command that caused it (private: the event id may be made from it).
    causation_id: CommandId,
    /// The event itself: `eventType` and `data` at the top level of the JSON.
    pub event: OrderEvent,
}

/// Every field of an envelope, each held whole: what an envelope is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeParts {
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
    /// The event itself.
    pub event: OrderEvent,
}

impl From<EnvelopeParts> for EventEnvelope {
    fn from(parts: EnvelopeParts) -> Self {
        let (other_id, event_number) = match parts.event_id.number_of(&parts.causation_id) {
            Some(n) => (None, n),
            None => (Some(Rc::new(parts.event_id)), 0),
        };
        EventEnvelope {
            other_id,
            event_number,
            stream_id: parts.stream_id,
            stream_version: parts.stream_version,
            global_position: parts.global_position,
            schema_version: parts.schema_version,
            recorded_at: parts.recorded_at,
            correlation_id: parts.correlation_id,
            causation_id: parts.causation_id,
            event: parts.event,
        }
    }
}

/// The envelope as JSON has it: the event id whole, then the fields in their order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeJson<'a> {
    event_id: EventId,
    stream_id: &'a OrderId,
    stream_version: StreamVersion,
    global_position: GlobalPosition,
    schema_version: SchemaVersion,
    recorded_at: VirtualMillis,
    correlation_id: &'a CorrelationId,
    causation_id: &'a CommandId,
    #[serde(flatten)]
    event: &'a OrderEvent,
}

impl Serialize for EventEnvelope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EnvelopeJson {
            event_id: self.event_id(),
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            global_position: self.global_position,
            schema_version: self.schema_version,
            recorded_at: self.recorded_at,
            correlation_id: &self.correlation_id,
            causation_id: &self.causation_id,
            event: &self.event,
        }
        .serialize(serializer)
    }
}

impl EventEnvelope {
    /// Unique id of this event.
    pub fn event_id(&self) -> EventId {
        match &self.other_id {
            Some(id) => EventId::clone(id),
            None => EventId::numbered_of(&self.causation_id, self.event_number),
        }
    }

    /// The command that caused it.
    pub fn causation_id(&self) -> &CommandId {
        &self.causation_id
    }

    /// The event's type name.
    pub fn event_type(&self) -> &'static str {
        self.event.event_type()
    }

    /// Indented JSON for people to read, fields in their declared order.
    pub fn to_pretty_json(&self) -> String {
        // Through a JSON value (which keeps the order: serde_json's `preserve_order`), so
        // the page has one indenting writer, a JSON value's, not another copy of the
        // event's whole serializer. Plain structs, strings and integers cannot fail.
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
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
        Ok(EventEnvelope::from(EnvelopeParts {
            event_id: event_id.ok_or_else(|| missing("eventId"))?,
            stream_id: stream_id.ok_or_else(|| missing("streamId"))?,
            stream_version: stream_version.ok_or_else(|| missing("streamVersion"))?,
            global_position: global_position.ok_or_else(|| missing("globalPosition"))?,
            schema_version: schema_version.ok_or_else(|| missing("schemaVersion"))?,
            recorded_at: recorded_at.ok_or_else(|| missing("recordedAt"))?,
            correlation_id: correlation_id.ok_or_else(|| missing("correlationId"))?,
            causation_id: causation_id.ok_or_else(|| missing("causationId"))?,
            event,
        }))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(event_id: &str, causation_id: &str) -> EnvelopeParts {
        let id = |text: &str| CommandId::parse(text).expect("valid");
        EnvelopeParts {
            event_id: EventId::parse(event_id).expect("valid"),
            stream_id: OrderId::parse("o-1").expect("valid"),
            stream_version: StreamVersion(1),
            global_position: GlobalPosition(1),
            schema_version: SchemaVersion(1),
            recorded_at: VirtualMillis(5),
            correlation_id: CorrelationId::parse("corr-1").expect("valid"),
            causation_id: id(causation_id),
            event: OrderEvent::OrderSubmitted {
                total: crate::domain::money::Cents(100),
            },
        }
    }

    #[test]
    fn an_event_named_after_its_command_keeps_only_the_number() {
        for (event_id, causation_id, apart) in [
            ("cmd-7.2", "cmd-7", false),
            ("cmd-7.0", "cmd-7", false),
            ("cmd-7.4294967295", "cmd-7", false),
            // Named after another command, or not after a command at all.
            ("cmd-8.2", "cmd-7", true),
            ("evt-12", "cmd-7", true),
            ("cmd-7", "cmd-7", true),
            ("cmd-7.02", "cmd-7", true),
        ] {
            let envelope = EventEnvelope::from(parts(event_id, causation_id));
            assert_eq!(envelope.event_id().to_string(), event_id);
            assert_eq!(envelope.causation_id().as_str(), causation_id);
            assert_eq!(envelope.other_id.is_some(), apart, "{event_id}");
            let json = serde_json::to_value(&envelope).expect("json");
            assert_eq!(json["eventId"], event_id);
            let back: EventEnvelope = serde_json::from_value(json).expect("reads back");
            assert_eq!(back, envelope);
        }
        // Equal ids held either way are equal envelopes; different ones are not.
        let a = EventEnvelope::from(parts("cmd-7.2", "cmd-7"));
        assert_ne!(a, EventEnvelope::from(parts("cmd-7.3", "cmd-7")));
        assert_ne!(a, EventEnvelope::from(parts("evt-2", "cmd-7")));
    }

    #[test]
    fn the_json_fields_keep_their_order() {
        let envelope = EventEnvelope::from(parts("cmd-7.2", "cmd-7"));
        let text = serde_json::to_string(&envelope).expect("json");
        let at = |field: &str| text.find(&format!("\"{field}\"")).expect(field);
        let places: Vec<usize> = FIELDS.iter().map(|field| at(field)).collect();
        assert!(places.windows(2).all(|w| w[0] < w[1]), "{text}");
    }
}
