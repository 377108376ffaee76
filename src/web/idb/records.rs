//! The records IndexedDB holds, and their checked conversion to and from the store
//! contract's types. Keys are plain fields (`keyPath`); the event itself is kept as its
//! JSON envelope, the same text the app exports, so a record reads in DevTools too.

use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use crate::domain::order::OrderState;
use crate::store::{ProjectionName, RowKey, Snapshot, StoredProgress, StoredRow};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A row of the `events` store as IndexedDB hands it over, read field by field
    /// (a damaged row may lack any of them, or hold another type: each reads as a
    /// `JsValue` and is checked).
    type RawEventRecord;
    #[wasm_bindgen(method, getter, catch, js_name = globalPosition)]
    fn global_position(this: &RawEventRecord) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch, js_name = streamId)]
    fn stream_id(this: &RawEventRecord) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch, js_name = streamVersion)]
    fn stream_version(this: &RawEventRecord) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn envelope(this: &RawEventRecord) -> Result<JsValue, JsValue>;
}

/// A row of the `events` store. Key: `globalPosition`; unique index on
/// `[streamId, streamVersion]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// The key.
    pub global_position: u64,
    /// The stream, first half of the unique index.
    pub stream_id: String,
    /// The version, second half of the unique index.
    pub stream_version: u64,
    /// The envelope as JSON.
    pub envelope: String,
}

/// Why a stored record could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {key} of `{store}` is unreadable: {reason}")]
pub struct CorruptRecord {
    /// The object store.
    pub store: &'static str,
    /// The record's key, as text.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

impl EventRecord {
    /// The record for a stored event.
    pub fn from_envelope(e: &EventEnvelope) -> Self {
        EventRecord {
            global_position: e.global_position.0,
            stream_id: e.stream_id.as_str().to_owned(),
            stream_version: e.stream_version.0,
            envelope: serde_json::to_string(e).unwrap_or_default(),
        }
    }

    /// The record from a raw stored value; missing or mistyped fields read as empty,
    /// which `to_event` then reports.
    pub fn from_js(value: &JsValue) -> Self {
        // Read through property getters: no key string is made per field and record,
        // which a full scan of 100,000 records would otherwise pay 400,000 times.
        let raw: &RawEventRecord = value.unchecked_ref();
        let number =
            |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).map_or(0, |n| n as u64);
        let text =
            |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_string()).unwrap_or_default();
        EventRecord {
            global_position: number(raw.global_position()),
            stream_id: text(raw.stream_id()),
            stream_version: number(raw.stream_version()),
            envelope: text(raw.envelope()),
        }
    }

    /// The event, checked: its JSON must parse and agree with the record's keys.
    pub fn to_event(&self) -> Result<SharedEvent, CorruptRecord> {
        let corrupt = |reason: String| CorruptRecord {
            store: super::schema::EVENTS,
            key: self.global_position.to_string(),
            reason,
        };
        let envelope: EventEnvelope =
            serde_json::from_str(&self.envelope).map_err(|e| corrupt(format!("envelope: {e}")))?;
        if envelope.global_position.0 != self.global_position {
            return Err(corrupt(format!(
                "globalPosition: the envelope says {}",
                envelope.global_position
            )));
        }
        if envelope.stream_id.as_str() != self.stream_id
            || envelope.stream_version.0 != self.stream_version
        {
            return Err(corrupt(format!(
                "streamId/streamVersion: the envelope says {} v{}",
                envelope.stream_id, envelope.stream_version
            )));
        }
        Ok(Rc::new(envelope))
    }
}

/// A row of the `outbox` store: an event not yet published to every subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRecord {
    /// The key: the event's position.
    pub global_position: u64,
}

/// A row of the `processed` store: a command id and the positions its append stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessedRecord {
    /// The key: the command id (idempotency key).
    pub command_id: String,
    /// The first position stored.
    pub first_position: u64,
    /// How many events (their positions are contiguous).
    pub count: u32,
}

/// A row of the `snapshots` store: the newest snapshot of a stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRecord {
    /// The key.
    pub stream_id: String,
    /// The version the state is at.
    pub version: u64,
    /// The aggregate's state as JSON.
    pub state: String,
}

impl SnapshotRecord {
    /// The record for a snapshot.
    pub fn from_snapshot(s: &Snapshot) -> Self {
        SnapshotRecord {
            stream_id: s.stream_id.as_str().to_owned(),
            version: s.version.0,
            state: serde_json::to_string(&s.state).unwrap_or_default(),
        }
    }

    /// The snapshot, checked.
    pub fn to_snapshot(&self) -> Result<Snapshot, CorruptRecord> {
        let corrupt = |reason: String| CorruptRecord {
            store: super::schema::SNAPSHOTS,
            key: self.stream_id.clone(),
            reason,
        };
        let stream_id =
            OrderId::parse(&self.stream_id).map_err(|e| corrupt(format!("streamId: {e}")))?;
        let state: OrderState =
            serde_json::from_str(&self.state).map_err(|e| corrupt(format!("state: {e}")))?;
        Ok(Snapshot {
            stream_id,
            version: StreamVersion(self.version),
            state,
        })
    }
}

/// A row of the `checkpoints` store (schema v3): a projection's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressRecord {
    /// The key: the projection's name.
    pub projection: ProjectionName,
    /// Every position up to this one is applied.
    pub checkpoint: u64,
    /// Positions applied past the checkpoint.
    #[serde(default)]
    pub ahead: Vec<u64>,
}

impl ProgressRecord {
    /// The record of a projection's progress.
    pub fn new(projection: ProjectionName, progress: &StoredProgress) -> Self {
        ProgressRecord {
            projection,
            checkpoint: progress.checkpoint.0,
            ahead: progress.ahead.iter().map(|p| p.0).collect(),
        }
    }

    /// The progress it records.
    pub fn progress(&self) -> StoredProgress {
        StoredProgress {
            checkpoint: GlobalPosition(self.checkpoint),
            ahead: self.ahead.iter().map(|p| GlobalPosition(*p)).collect(),
        }
    }
}

/// A row of the `readModels` store (schema v3): one read-model row of a projection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadModelRecord {
    /// The key: `<projection>/<row key>`, e.g. `order-summary/order/order-1`.
    pub id: String,
    /// The projection it belongs to.
    pub projection: ProjectionName,
    /// The row, as JSON.
    pub row: String,
}

impl ReadModelRecord {
    /// The record of a projection's row.
    pub fn new(projection: ProjectionName, row: &StoredRow) -> Self {
        ReadModelRecord {
            id: row_id(projection, &row.key()),
            projection,
            row: serde_json::to_string(row).unwrap_or_default(),
        }
    }

    /// The row, checked.
    pub fn to_row(&self) -> Result<StoredRow, CorruptRecord> {
        // Through a JSON value, as the import reads a file: one reader in the wasm.
        serde_json::from_str::<serde_json::Value>(&self.row)
            .map_err(|e| e.to_string())
            .and_then(|value| StoredRow::from_json(&value))
            .map_err(|e| CorruptRecord {
                store: super::schema::READ_MODELS,
                key: self.id.clone(),
                reason: format!("row: {e}"),
            })
    }
}

/// The key of a projection's row in the `readModels` store.
pub fn row_id(projection: ProjectionName, key: &RowKey) -> String {
    format!("{}/{}", projection.key(), key.as_text())
}

/// A row of the `deadLetters` store: a record that could not be loaded, kept with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantinedRecord {
    /// The key: `store/key`, so setting the same record aside twice keeps one row.
    pub id: String,
    /// The object store it came from.
    pub store: String,
    /// Its key there, as text.
    pub key: String,
    /// Why it was set aside.
    pub reason: String,
}

/// The `meta` store's one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaRecord {
    /// The key: always `"database"`.
    pub key: String,
    /// The schema version the database was last opened with.
    pub schema_version: u32,
}

/// The processed-command record for an append.
pub fn processed_record(command_id: &CommandId, stored: &[SharedEvent]) -> ProcessedRecord {
    ProcessedRecord {
        command_id: command_id.as_str().to_owned(),
        first_position: stored.first().map_or(0, |e| e.global_position.0),
        count: u32::try_from(stored.len()).unwrap_or(u32::MAX),
    }
}

/// A row of the `commandQueue` store: a command accepted from the user and not yet
/// handled. Rows outlive a reload; the command is sent again with the same ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueRecord {
    /// The key: arrival order.
    pub seq: u64,
    /// The command and its ids, as JSON.
    pub command: String,
}
