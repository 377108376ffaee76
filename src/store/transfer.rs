//! Export and import of the event log. Export writes the envelopes as JSON, or as
//! Cosmos DB event documents (partition key `/aggregateId`). Import checks every record
//! before anything is stored: a bad file is refused whole, with the record and the field
//! named.

use super::iso_time::iso_time;
pub use super::iso_time::{parse_iso_time, LATEST_TIME};
use crate::collections::LookupMap;
use crate::domain::envelope::{event_from_json, EnvelopeParts, EventEnvelope, SharedEvent, FIELDS};
use crate::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use crate::domain::upcast::LATEST_SCHEMA;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The `format` field of an export.
pub const FORMAT: &str = "cqrs-lab.events";
/// The export format's version.
pub const FORMAT_VERSION: u64 = 1;

/// The log as one JSON document: `{"format", "formatVersion", "events": [envelopes]}`.
pub fn export_json(events: &[SharedEvent]) -> String {
    let document = json!({
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "events": events.iter().map(|e| e.as_ref()).collect::<Vec<&EventEnvelope>>(),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// One event as a Cosmos DB event document (`id`, `aggregateId`, `aggregateType`,
/// `eventType`, `version`, `occurredAt`, `data`), plus the lab's own fields. `occurredAt` is virtual time, counted from the Unix epoch.
pub fn cosmos_document(e: &EventEnvelope) -> Value {
    let data = serde_json::to_value(&e.event)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .unwrap_or(Value::Null);
    json!({
        "id": e.event_id(),
        "aggregateId": e.stream_id,
        "aggregateType": "Order",
        "eventType": e.event_type(),
        "version": e.stream_version,
        "occurredAt": iso_time(e.recorded_at),
        "data": data,
        "schemaVersion": e.schema_version,
        "globalPosition": e.global_position,
        "correlationId": e.correlation_id,
        "causationId": e.causation_id(),
    })
}

/// The log as a JSON array of Cosmos DB documents.
pub fn export_cosmos(events: &[SharedEvent]) -> String {
    let documents: Vec<Value> = events.iter().map(|e| cosmos_document(e)).collect();
    serde_json::to_string_pretty(&documents).unwrap_or_default()
}

/// Why an import was refused. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is not JSON.
    #[error("the file is not JSON: {0}")]
    NotJson(String),
    /// The document around the events is wrong.
    #[error("the file is not a CQRS Lab export: field `{field}` {problem}")]
    Document {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// One Cosmos DB document is wrong.
    #[error("Cosmos DB document {index} (counting from 0): field `{field}` {problem}")]
    Cosmos {
        /// Its index in the array.
        index: usize,
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// One event record is wrong.
    #[error("event record {index} (counting from 0): field `{field}` {problem}")]
    Record {
        /// Its index in `events`.
        index: usize,
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
}

/// Reads an export, checking every record: the lab's own export (`{"format",
/// "formatVersion", "events": [envelopes]}`), or a JSON array of Cosmos DB event
/// documents (as "Export Cosmos DB documents" writes them). Each
/// field must parse, positions run 1, 2, 3…, each stream's versions run 1, 2, 3…, event
/// ids are unique, schema versions are known and equal the event's shape, times lie in
/// 1970–9999, and a command's events are adjacent (one append).
pub fn import_json(text: &str) -> Result<Vec<EventEnvelope>, ImportError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    if let Value::Array(documents) = &document {
        return import_cosmos(documents);
    }
    let document = document.as_object().ok_or(ImportError::Document {
        field: "(top level)",
        problem: "must be an object (a CQRS Lab export) or an array (Cosmos DB documents)".into(),
    })?;
    if document.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::Document {
            field: "format",
            problem: format!("must be \"{FORMAT}\""),
        });
    }
    if document.get("formatVersion").and_then(Value::as_u64) != Some(FORMAT_VERSION) {
        return Err(ImportError::Document {
            field: "formatVersion",
            problem: format!("must be {FORMAT_VERSION}"),
        });
    }
    let records =
        document
            .get("events")
            .and_then(Value::as_array)
            .ok_or(ImportError::Document {
                field: "events",
                problem: "must be an array of events".into(),
            })?;
    let events = records
        .iter()
        .enumerate()
        .map(|(index, record)| read_record(index, record))
        .collect::<Result<Vec<_>, _>>()?;
    check_log(&events).map_err(|(index, field, problem)| ImportError::Record {
        index,
        field: field.to_owned(),
        problem,
    })?;
    Ok(events)
}

/// Which events have which shape, for the schema check's message.
const SHAPES: &str =
    "OrderCreated is v2 with a currency and v1 without; every other event has only v1";

/// The checks every imported log passes, in position order: `(index, field, problem)`
/// of the first record that fails.
fn check_log(events: &[EventEnvelope]) -> Result<(), (usize, &'static str, String)> {
    let mut versions: BTreeMap<OrderId, StreamVersion> = BTreeMap::new();
    let mut ids = LookupMap::default();
    let mut commands = LookupMap::default();
    for (index, e) in events.iter().enumerate() {
        let expected_position = GlobalPosition(index as u64 + 1);
        if e.global_position != expected_position {
            return Err((
                index,
                "globalPosition",
                format!("is {}, expected {expected_position}", e.global_position),
            ));
        }
        let version = versions.entry(e.stream_id.clone()).or_default();
        if e.stream_version != version.next() {
            return Err((
                index,
                "streamVersion",
                format!(
                    "is {}, expected {} for stream {}",
                    e.stream_version,
                    version.next(),
                    e.stream_id
                ),
            ));
        }
        *version = e.stream_version;
        if e.schema_version.0 == 0 || e.schema_version > LATEST_SCHEMA {
            return Err((
                index,
                "schemaVersion",
                format!("is {}, expected 1 to {LATEST_SCHEMA}", e.schema_version),
            ));
        }
        if e.schema_version != e.event.schema_version() {
            return Err((
                index,
                "schemaVersion",
                format!(
                    "is {}, but the data has the v{} shape ({})",
                    e.schema_version,
                    e.event.schema_version(),
                    SHAPES
                ),
            ));
        }
        if e.recorded_at > LATEST_TIME {
            return Err((
                index,
                "recordedAt",
                format!(
                    "is {} ms, after the last millisecond of year 9999 ({} ms)",
                    e.recorded_at, LATEST_TIME
                ),
            ));
        }
        // Times may run backwards in position order: two tabs append with clocks of
        // their own, and the lab's exports must import.
        if let Some(before) = index.checked_sub(1).and_then(|i| events.get(i)) {
            let command = e.causation_id();
            if before.causation_id() != command && commands.contains_key(command) {
                return Err((
                    index,
                    "causationId",
                    format!(
                        "names command {command} again after other commands' events: a command's events are one append, so they must be adjacent"
                    ),
                ));
            }
        }
        commands.insert(e.causation_id().clone(), ());
        let id = e.event_id();
        if ids.insert(id.clone(), ()).is_some() {
            return Err((index, "eventId", format!("{id} appears twice")));
        }
    }
    Ok(())
}

/// Fields of a Cosmos DB event document the lab reads (Cosmos DB's own `_rid`, `_ts`…
/// and `ttl` are ignored).
const COSMOS_FIELDS: [&str; 11] = [
    "id",
    "aggregateId",
    "aggregateType",
    "eventType",
    "version",
    "occurredAt",
    "data",
    "schemaVersion",
    "globalPosition",
    "correlationId",
    "causationId",
];

/// Cosmos DB event documents as the lab's log. A document without `globalPosition`
/// (a plain Cosmos DB export has none) takes its place by `occurredAt`, then stream and
/// version; without `correlationId`/`causationId` it gets ids of its own.
fn import_cosmos(documents: &[Value]) -> Result<Vec<EventEnvelope>, ImportError> {
    let mut read = Vec::with_capacity(documents.len());
    for (index, document) in documents.iter().enumerate() {
        read.push((index, read_cosmos(index, document)?));
    }
    let positioned = read.iter().filter(|(_, d)| d.position.is_some()).count();
    if positioned != 0 && positioned != read.len() {
        let index = read
            .iter()
            .find(|(_, d)| d.position.is_none())
            .map_or(0, |(i, _)| *i);
        return Err(ImportError::Cosmos {
            index,
            field: "globalPosition".into(),
            problem: "is missing (other documents have one: all or none must)".into(),
        });
    }
    // One sort for both orders (each sort is code of its own in the page): by position
    // when the documents have one, else by time, stream and version, then numbered;
    // ties keep the file's order (by index: the core's sort is not stable).
    crate::collections::sort::sort_by(&mut read, |(i, a), (j, b)| {
        let (a, b) = (&a.envelope, &b.envelope);
        let order = if positioned == 0 {
            (a.recorded_at, &a.stream_id, a.stream_version).cmp(&(
                b.recorded_at,
                &b.stream_id,
                b.stream_version,
            ))
        } else {
            a.global_position.cmp(&b.global_position)
        };
        order.then(i.cmp(j)).is_lt()
    });
    if positioned == 0 {
        for (n, (_, d)) in read.iter_mut().enumerate() {
            d.envelope.global_position = GlobalPosition(n as u64 + 1);
        }
    }
    let events: Vec<EventEnvelope> = read.iter().map(|(_, d)| d.envelope.clone()).collect();
    check_log(&events).map_err(|(at, field, problem)| ImportError::Cosmos {
        index: read.get(at).map_or(at, |(index, _)| *index),
        field: field.to_owned(),
        problem,
    })?;
    Ok(events)
}

/// A Cosmos DB document read as an envelope, and whether it named its position.
struct CosmosRead {
    envelope: EventEnvelope,
    position: Option<GlobalPosition>,
}

fn read_cosmos(index: usize, document: &Value) -> Result<CosmosRead, ImportError> {
    let bad = |field: &str, problem: String| ImportError::Cosmos {
        index,
        field: field.to_owned(),
        problem,
    };
    let fields = document
        .as_object()
        .ok_or_else(|| bad("(document)", "must be an object".into()))?;
    if let Some(unknown) = fields
        .keys()
        .find(|k| !k.starts_with('_') && *k != "ttl" && !COSMOS_FIELDS.contains(&k.as_str()))
    {
        return Err(bad(unknown, "is not a field of an event document".into()));
    }
    let get = |name: &str| fields.get(name).filter(|v| !v.is_null());
    let parsed = |name: &str| -> Result<Value, ImportError> {
        get(name)
            .cloned()
            .ok_or_else(|| bad(name, "is missing".into()))
    };
    fn typed<T: DeserializeOwned>(
        value: Value,
        name: &str,
        bad: &dyn Fn(&str, String) -> ImportError,
    ) -> Result<T, ImportError> {
        serde_json::from_value(value).map_err(|e| bad(name, format!("is invalid: {e}")))
    }
    if let Some(kind) = get("aggregateType") {
        if kind.as_str() != Some("Order") {
            return Err(bad(
                "aggregateType",
                format!("is {kind}; the lab models Order aggregates only"),
            ));
        }
    }
    let event = match parsed("eventType")? {
        Value::String(tag) => event_from_json(&tag, &parsed("data")?.to_string())
            .map_err(|e| bad("data", format!("is invalid: {e}")))?,
        other => return Err(bad("eventType", format!("is {other}, expected a string"))),
    };
    let occurred = parsed("occurredAt")?;
    let recorded_at = occurred.as_str().and_then(parse_iso_time).ok_or_else(|| {
        bad(
            "occurredAt",
            format!("is {occurred}, expected a UTC time such as \"2025-09-10T10:30:00Z\""),
        )
    })?;
    let number = index as u64 + 1;
    let position = get("globalPosition")
        .cloned()
        .map(|v| typed::<GlobalPosition>(v, "globalPosition", &bad))
        .transpose()?;
    let schema_version = match get("schemaVersion") {
        Some(v) => typed::<SchemaVersion>(v.clone(), "schemaVersion", &bad)?,
        None => event.schema_version(),
    };
    let correlation_id = match get("correlationId") {
        Some(v) => typed::<CorrelationId>(v.clone(), "correlationId", &bad)?,
        None => CorrelationId::numbered("corr-cosmos", number),
    };
    let causation_id = match get("causationId") {
        Some(v) => typed::<CommandId>(v.clone(), "causationId", &bad)?,
        None => CommandId::numbered("cmd-cosmos", number),
    };
    Ok(CosmosRead {
        envelope: EventEnvelope::from(EnvelopeParts {
            event_id: typed::<EventId>(parsed("id")?, "id", &bad)?,
            stream_id: typed::<OrderId>(parsed("aggregateId")?, "aggregateId", &bad)?,
            stream_version: typed::<StreamVersion>(parsed("version")?, "version", &bad)?,
            global_position: position.unwrap_or_default(),
            schema_version,
            recorded_at,
            correlation_id,
            causation_id,
            event,
        }),
        position,
    })
}

/// One record, each field read on its own so an error can name it.
fn read_record(index: usize, record: &Value) -> Result<EventEnvelope, ImportError> {
    let fields = record.as_object().ok_or_else(|| ImportError::Record {
        index,
        field: "(record)".into(),
        problem: "must be an object".into(),
    })?;
    if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ImportError::Record {
            index,
            field: unknown.clone(),
            problem: "is not a field of an event".into(),
        });
    }
    let bad = |field: &str, problem: String| ImportError::Record {
        index,
        field: field.into(),
        problem,
    };
    let event = match (fields.get("eventType"), fields.get("data")) {
        (Some(Value::String(tag)), Some(data)) => event_from_json(tag, &data.to_string())
            .map_err(|e| bad("data", format!("is invalid: {e}")))?,
        (Some(Value::String(_)), None) => return Err(bad("data", "is missing".into())),
        (Some(other), _) => {
            return Err(bad("eventType", format!("is {other}, expected a string")));
        }
        (None, _) => return Err(bad("eventType", "is missing".into())),
    };
    Ok(EventEnvelope::from(EnvelopeParts {
        event_id: field::<EventId>(index, fields, "eventId")?,
        stream_id: field::<OrderId>(index, fields, "streamId")?,
        stream_version: field::<StreamVersion>(index, fields, "streamVersion")?,
        global_position: field::<GlobalPosition>(index, fields, "globalPosition")?,
        schema_version: field::<SchemaVersion>(index, fields, "schemaVersion")?,
        recorded_at: field::<VirtualMillis>(index, fields, "recordedAt")?,
        correlation_id: field::<CorrelationId>(index, fields, "correlationId")?,
        causation_id: field::<CommandId>(index, fields, "causationId")?,
        event,
    }))
}

fn field<T: DeserializeOwned>(
    index: usize,
    fields: &Map<String, Value>,
    name: &str,
) -> Result<T, ImportError> {
    let bad = |problem: String| ImportError::Record {
        index,
        field: name.to_owned(),
        problem,
    };
    let value = fields.get(name).ok_or_else(|| bad("is missing".into()))?;
    serde_json::from_value(value.clone()).map_err(|e| bad(format!("is invalid: {e}")))
}
