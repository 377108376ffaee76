//! The durable command queue, the outbox's bookkeeping, and the records set aside as
//! unreadable.

use super::IdbStore;
use crate::app::session::QueuedCommand;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{CommandId, GlobalPosition};
use crate::web::idb::error::StoreError;
use crate::web::idb::quota;
use crate::web::idb::records::{
    CorruptRecord, EventRecord, OutboxRecord, ProcessedRecord, QuarantinedRecord, QueueRecord,
};
use crate::web::idb::schema::{COMMAND_QUEUE, DEAD_LETTERS, EVENTS, OUTBOX, PROCESSED};
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;

impl IdbStore {
    /// Keeps commands in the durable queue until they are handled, in one transaction.
    pub async fn enqueue(&self, commands: &[(u64, QueuedCommand)]) -> Result<(), StoreError> {
        let tx = self.write(&[COMMAND_QUEUE])?;
        let queue = tx.object_store(COMMAND_QUEUE)?;
        for (seq, command) in commands {
            queue
                .put(QueueRecord {
                    seq: *seq,
                    command: serde_json::to_string(command).unwrap_or_default(),
                })
                .serde()?
                .await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }

    /// Removes a handled command from the durable queue.
    pub async fn dequeue(&self, seq: u64) -> Result<(), StoreError> {
        let tx = self.write(&[COMMAND_QUEUE])?;
        tx.object_store(COMMAND_QUEUE)?.delete(seq).serde()?.await?;
        quota::commit(tx).await?;
        Ok(())
    }

    /// The durable queue, oldest first, with its keys; unreadable rows are reported.
    pub async fn queued(
        &self,
    ) -> Result<(Vec<(u64, QueuedCommand)>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[COMMAND_QUEUE])?;
        let rows: Vec<QueueRecord> = tx
            .object_store(COMMAND_QUEUE)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let mut queued = Vec::with_capacity(rows.len());
        let mut corrupt = Vec::new();
        for row in rows {
            match serde_json::from_str(&row.command) {
                Ok(command) => queued.push((row.seq, command)),
                Err(e) => corrupt.push(CorruptRecord {
                    store: COMMAND_QUEUE,
                    key: row.seq.to_string(),
                    reason: format!("command: {e}"),
                }),
            }
        }
        Ok((queued, corrupt))
    }

    /// Events of unpublished outbox rows after the relay's cursor, oldest first.
    pub async fn unpublished_after(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<Vec<SharedEvent>, StoreError> {
        let tx = self.read(&[OUTBOX, EVENTS])?;
        let rows: Vec<OutboxRecord> = tx
            .object_store(OUTBOX)?
            .get_all()
            .with_query::<u64, _>(KeyRange::LowerBound(after.0, true))
            .with_limit(limit)
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let events = tx.object_store(EVENTS)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let record: Option<EventRecord> = events.get(row.global_position).serde()?.await?;
            if let Some(Ok(e)) = record.map(|r| r.to_event()) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// How many outbox rows wait to be published.
    pub async fn outbox_len(&self) -> Result<u64, StoreError> {
        let tx = self.read(&[OUTBOX])?;
        let count = tx.object_store(OUTBOX)?.count().primitive()?.await?;
        Ok(u64::from(count))
    }

    /// Marks outbox rows published (deletes them), in one transaction.
    pub async fn mark_published(&self, positions: &[GlobalPosition]) -> Result<(), StoreError> {
        let tx = self.write(&[OUTBOX])?;
        let outbox = tx.object_store(OUTBOX)?;
        let deletes = positions
            .iter()
            .map(|p| outbox.delete(p.0).serde())
            .collect::<Result<Vec<_>, _>>()?;
        for delete in deletes {
            delete.await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }

    /// The oldest position still in the outbox, if any.
    pub async fn oldest_unpublished(&self) -> Result<Option<GlobalPosition>, StoreError> {
        let tx = self.read(&[OUTBOX])?;
        let outbox = tx.object_store(OUTBOX)?;
        let cursor = outbox.open_key_cursor().serde()?.await?;
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        let key: Option<u64> = cursor.primary_key_ser()?;
        Ok(key.map(GlobalPosition))
    }

    /// Sets unreadable records aside in the dead letters, with the reason.
    pub async fn quarantine(&self, corrupt: &[CorruptRecord]) -> Result<(), StoreError> {
        if corrupt.is_empty() {
            return Ok(());
        }
        let tx = self.write(&[DEAD_LETTERS])?;
        let dead = tx.object_store(DEAD_LETTERS)?;
        for c in corrupt {
            dead.put(QuarantinedRecord {
                id: format!("{}/{}", c.store, c.key),
                store: c.store.to_owned(),
                key: c.key.clone(),
                reason: c.reason.clone(),
            })
            .serde()?
            .await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }

    /// The quarantined records, by store and key.
    pub async fn quarantined(&self) -> Result<Vec<QuarantinedRecord>, StoreError> {
        let tx = self.read(&[DEAD_LETTERS])?;
        let records = tx
            .object_store(DEAD_LETTERS)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        Ok(records)
    }

    /// True when a command id was processed.
    pub async fn is_processed(&self, command_id: &CommandId) -> Result<bool, StoreError> {
        let tx = self.read(&[PROCESSED])?;
        let seen: Option<ProcessedRecord> = tx
            .object_store(PROCESSED)?
            .get(command_id.as_str())
            .serde()?
            .await?;
        Ok(seen.is_some())
    }
}
