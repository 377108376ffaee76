//! Export and import of the event log. Export writes the envelopes as JSON, or as the
//! Cosmos DB documents of `seeds/002` (partition key `/aggregateId`). Import checks every
//! record before anything is stored: a bad file is refused whole, with the record and
//! the field named.

use crate::domain::envelope::{EventEnvelope, SharedEvent, FIELDS};
use crate::domain::ids::{
    CommandId, CorrelationId, EventId, GlobalPosition, OrderId, SchemaVersion, StreamVersion,
    VirtualMillis,
};
use crate::domain::order::OrderEvent;
use crate::domain::upcast::LATEST_SCHEMA;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

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

/// One event as a Cosmos DB document (`seeds/002`, "Set Up Cosmos DB Event Store"),
/// plus the lab's own fields. `occurredAt` is virtual time, counted from the Unix epoch.
pub fn cosmos_document(e: &EventEnvelope) -> Value {
    let data = serde_json::to_value(&e.event)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .unwrap_or(Value::Null);
    json!({
        "id": e.event_id,
        "aggregateId": e.stream_id,
        "aggregateType": "Order",
        "eventType": e.event_type(),
        "version": e.stream_version,
        "occurredAt": iso_time(e.recorded_at),
        "data": data,
        "schemaVersion": e.schema_version,
        "globalPosition": e.global_position,
        "correlationId": e.correlation_id,
        "causationId": e.causation_id,
    })
}

/// The log as a JSON array of Cosmos DB documents.
pub fn export_cosmos(events: &[SharedEvent]) -> String {
    let documents: Vec<Value> = events.iter().map(|e| cosmos_document(e)).collect();
    serde_json::to_string_pretty(&documents).unwrap_or_default()
}

/// Virtual milliseconds as an ISO-8601 UTC time after the Unix epoch.
fn iso_time(t: VirtualMillis) -> String {
    let ms = t.0 % 1000;
    let seconds = t.0 / 1000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
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

/// Reads an export, checking every record: each field parses, positions run 1, 2, 3…,
/// each stream's versions run 1, 2, 3…, event ids are unique, schema versions are known
/// and match the event's shape.
pub fn import_json(text: &str) -> Result<Vec<EventEnvelope>, ImportError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    let document = document.as_object().ok_or(ImportError::Document {
        field: "(top level)",
        problem: "must be an object".into(),
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
    let mut versions: BTreeMap<OrderId, StreamVersion> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    let mut events = Vec::with_capacity(records.len());
    for (index, record) in records.iter().enumerate() {
        let e = read_record(index, record)?;
        let bad = |field: &str, problem: String| ImportError::Record {
            index,
            field: field.to_owned(),
            problem,
        };
        let expected_position = GlobalPosition(index as u64 + 1);
        if e.global_position != expected_position {
            return Err(bad(
                "globalPosition",
                format!("is {}, expected {expected_position}", e.global_position),
            ));
        }
        let version = versions.entry(e.stream_id.clone()).or_default();
        if e.stream_version != version.next() {
            return Err(bad(
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
            return Err(bad(
                "schemaVersion",
                format!("is {}, expected 1 to {LATEST_SCHEMA}", e.schema_version),
            ));
        }
        if e.schema_version < e.event.schema_version() {
            return Err(bad(
                "schemaVersion",
                format!(
                    "is {}, but the data has the v{} shape",
                    e.schema_version,
                    e.event.schema_version()
                ),
            ));
        }
        if !ids.insert(e.event_id.clone()) {
            return Err(bad("eventId", format!("{} appears twice", e.event_id)));
        }
        events.push(e);
    }
    Ok(events)
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
    let event = {
        let mut tagged = Map::new();
        for key in ["eventType", "data"] {
            if let Some(v) = fields.get(key) {
                tagged.insert(key.into(), v.clone());
            }
        }
        let event_type = fields.get("eventType").and_then(Value::as_str);
        let field = if event_type.is_some() {
            "data"
        } else {
            "eventType"
        };
        serde_json::from_value::<OrderEvent>(Value::Object(tagged)).map_err(|e| {
            ImportError::Record {
                index,
                field: field.into(),
                problem: format!("is invalid: {e}"),
            }
        })?
    };
    Ok(EventEnvelope {
        event_id: field::<EventId>(index, fields, "eventId")?,
        stream_id: field::<OrderId>(index, fields, "streamId")?,
        stream_version: field::<StreamVersion>(index, fields, "streamVersion")?,
        global_position: field::<GlobalPosition>(index, fields, "globalPosition")?,
        schema_version: field::<SchemaVersion>(index, fields, "schemaVersion")?,
        recorded_at: field::<VirtualMillis>(index, fields, "recordedAt")?,
        correlation_id: field::<CorrelationId>(index, fields, "correlationId")?,
        causation_id: field::<CommandId>(index, fields, "causationId")?,
        event,
    })
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
