//! Snapshots, and the read models' rows and checkpoints, saved together.

use super::IdbStore;
use crate::domain::ids::{GlobalPosition, OrderId};
use crate::store::{ProjectionName, ProjectionSave, Snapshot, StoredProjection};
use crate::web::idb::error::StoreError;
use crate::web::idb::quota;
use crate::web::idb::records::{CorruptRecord, ProgressRecord, ReadModelRecord, SnapshotRecord};
use crate::web::idb::schema::{CHECKPOINTS, READ_MODELS, SNAPSHOTS};
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;

/// The key range of every row a projection keeps in the `readModels` store.
fn projection_rows(projection: ProjectionName) -> KeyRange<String> {
    let prefix = format!("{}/", projection.key());
    KeyRange::Bound(prefix.clone(), false, format!("{prefix}\u{ffff}"), false)
}

impl IdbStore {
    /// The newest snapshot of a stream, if one is readable.
    pub async fn snapshot(&self, stream_id: &OrderId) -> Result<Option<Snapshot>, StoreError> {
        let tx = self.read(&[SNAPSHOTS])?;
        let record: Option<SnapshotRecord> = tx
            .object_store(SNAPSHOTS)?
            .get(stream_id.as_str())
            .serde()?
            .await?;
        // An unreadable snapshot only costs replay time: load from the events instead.
        Ok(record.and_then(|r| r.to_snapshot().ok()))
    }

    /// Keeps a snapshot if it is newer than the one held.
    pub async fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let tx = self.write(&[SNAPSHOTS])?;
        let snapshots = tx.object_store(SNAPSHOTS)?;
        let held: Option<SnapshotRecord> =
            snapshots.get(snapshot.stream_id.as_str()).serde()?.await?;
        if held.is_none_or(|h| h.version < snapshot.version.0) {
            snapshots
                .put(SnapshotRecord::from_snapshot(snapshot))
                .serde()?
                .await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }

    /// Saves a projection's progress and changed rows in one transaction, so what a
    /// reload finds is always a state the projection was in.
    pub async fn save_projection(&self, save: &ProjectionSave) -> Result<(), StoreError> {
        let tx = self.write(&[CHECKPOINTS, READ_MODELS])?;
        let rows = tx.object_store(READ_MODELS)?;
        let mut writes = Vec::with_capacity(save.rows.len() + 2);
        if save.replace {
            rows.delete::<String, _>(projection_rows(save.projection))
                .serde()?
                .await?;
        }
        for row in &save.rows {
            writes.push(
                rows.put(ReadModelRecord::new(save.projection, row))
                    .serde()?,
            );
        }
        writes.push(
            tx.object_store(CHECKPOINTS)?
                .put(ProgressRecord::new(save.projection, &save.progress))
                .serde()?,
        );
        for write in writes {
            write.await?;
        }
        quota::commit(tx).await?;
        Ok(())
    }

    /// A projection's checkpoint (0 when it has none).
    pub async fn checkpoint(
        &self,
        projection: ProjectionName,
    ) -> Result<GlobalPosition, StoreError> {
        let tx = self.read(&[CHECKPOINTS])?;
        let record: Option<ProgressRecord> = tx
            .object_store(CHECKPOINTS)?
            .get(KeyRange::Only(projection))
            .serde()?
            .await?;
        Ok(record.map_or(GlobalPosition(0), |r| GlobalPosition(r.checkpoint)))
    }

    /// Every projection as saved (those that never saved are missing), and unreadable
    /// rows. Reads rows, not events: its cost follows the read models' size.
    pub async fn stored_projections(
        &self,
    ) -> Result<(Vec<(ProjectionName, StoredProjection)>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[CHECKPOINTS, READ_MODELS])?;
        let progress = tx.object_store(CHECKPOINTS)?.get_all().serde()?;
        let rows = tx.object_store(READ_MODELS)?.get_all().serde()?;
        let progress: Vec<ProgressRecord> = progress.await?.collect::<Result<_, _>>()?;
        let rows: Vec<ReadModelRecord> = rows.await?.collect::<Result<_, _>>()?;
        let mut stored: Vec<(ProjectionName, StoredProjection)> = progress
            .iter()
            .map(|p| {
                let projection = StoredProjection {
                    progress: p.progress(),
                    rows: Vec::new(),
                };
                (p.projection, projection)
            })
            .collect();
        let mut corrupt: Vec<CorruptRecord> = Vec::new();
        let mut damaged = Vec::new();
        for record in rows {
            match record.to_row() {
                Ok(row) => {
                    if let Some((_, p)) = stored.iter_mut().find(|(n, _)| *n == record.projection) {
                        p.rows.push(row);
                    }
                }
                Err(c) => {
                    damaged.push(record.projection);
                    corrupt.push(c);
                }
            }
        }
        // A model missing a row would be wrong: it is rebuilt from the log instead.
        stored.retain(|(name, _)| !damaged.contains(name));
        Ok((stored, corrupt))
    }
}
