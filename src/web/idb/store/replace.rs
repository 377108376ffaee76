//! Replacing the whole log: an import, a reset, in one transaction.

use super::IdbStore;
use crate::domain::envelope::EventEnvelope;
use crate::store::transfer::{import_json, ImportError};
use crate::web::idb::error::StoreError;
use crate::web::idb::quota;
use crate::web::idb::records::{EventRecord, ProcessedRecord};
use crate::web::idb::schema::{
    self, CHECKPOINTS, DEAD_LETTERS, EVENTS, OUTBOX, PROCESSED, SNAPSHOTS,
};
use indexed_db_futures::prelude::*;

/// Everything an import replaces.
const REPLACE_SCOPE: [&str; 8] = [
    EVENTS,
    OUTBOX,
    PROCESSED,
    SNAPSHOTS,
    CHECKPOINTS,
    schema::READ_MODELS,
    schema::COMMAND_QUEUE,
    DEAD_LETTERS,
];

/// Processed-command rows for imported events: each command's run of positions.
fn processed_runs(events: &[EventEnvelope]) -> Vec<ProcessedRecord> {
    let mut runs: Vec<ProcessedRecord> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in events {
        match runs.last_mut() {
            Some(run)
                if run.command_id == e.causation_id().as_str()
                    && run.first_position + u64::from(run.count) == e.global_position.0 =>
            {
                run.count += 1;
            }
            // A command's events are one append: a later run of the same id is not.
            _ if !seen.insert(e.causation_id().clone()) => {}
            _ => runs.push(ProcessedRecord {
                command_id: e.causation_id().as_str().to_owned(),
                first_position: e.global_position.0,
                count: 1,
            }),
        }
    }
    runs
}

impl IdbStore {
    /// Imports an export file in place of everything stored, in one transaction. The
    /// file is checked first (`store::transfer::import_json`): a bad file changes
    /// nothing and the error names the record and the field.
    pub async fn import(&self, text: &str) -> Result<Result<usize, ImportError>, StoreError> {
        let events = match import_json(text) {
            Ok(events) => events,
            Err(e) => return Ok(Err(e)),
        };
        self.replace_all(&events).await?;
        Ok(Ok(events.len()))
    }

    /// Deletes every event and everything derived from them (outbox, processed ids,
    /// snapshots, checkpoints, read models, the queue, dead letters), atomically.
    pub async fn clear(&self) -> Result<(), StoreError> {
        self.replace_all(&[]).await
    }

    /// Replaces everything stored with `events` (already checked), in one transaction.
    async fn replace_all(&self, events: &[EventEnvelope]) -> Result<(), StoreError> {
        self.head_hint.set(None);
        let tx = self.write(&REPLACE_SCOPE)?;
        for name in REPLACE_SCOPE {
            tx.object_store(name)?.clear()?.await?;
        }
        let (store, processed) = (tx.object_store(EVENTS)?, tx.object_store(PROCESSED)?);
        let mut writes = Vec::with_capacity(events.len() + 1);
        for e in events {
            writes.push(store.add(EventRecord::from_envelope(e)).serde()?);
        }
        for record in processed_runs(events) {
            writes.push(processed.add(record).serde()?);
        }
        for write in writes {
            write.await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }
}
