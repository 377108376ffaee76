//! The page's store: IndexedDB, or memory when the browser offers none (said on the
//! page). Its failures become the controller's `StoreFailure`s.

use super::idb::{IdbStore, StoreError};
use crate::app::page_io::{MemoryPage, PageStore, StoreFailure};
use crate::app::session::QueuedCommand;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion};
use crate::engine::driver::CarryOut;
use crate::engine::effects::{Effect, EffectResult};
use crate::store::{LoadedStream, ProjectionName, StoredProjection};

/// Where the page keeps its log.
pub enum WebStore {
    /// The browser's IndexedDB: the log outlives the page.
    Idb(IdbStore),
    /// Memory: the log dies with the page.
    Memory(MemoryPage),
}

impl From<StoreError> for StoreFailure {
    fn from(e: StoreError) -> Self {
        StoreFailure {
            quota: matches!(e, StoreError::QuotaExceeded),
            reason: e.to_string(),
        }
    }
}

/// The same operation on either store, IndexedDB's failure made a `StoreFailure`.
macro_rules! either {
    ($self:ident, $s:ident => $idb:expr, $m:ident => $memory:expr) => {
        match $self {
            WebStore::Idb($s) => Ok($idb.await?),
            WebStore::Memory($m) => $memory.await,
        }
    };
}

impl CarryOut for WebStore {
    type Error = StoreFailure;
    async fn carry_out(&self, effect: Effect) -> Result<EffectResult, StoreFailure> {
        either!(self, s => s.execute(effect), m => m.carry_out(effect))
    }
}

impl PageStore for WebStore {
    fn durable(&self) -> bool {
        matches!(self, WebStore::Idb(_))
    }
    async fn probe_write(&self) -> Result<(), StoreFailure> {
        either!(self, s => s.probe_write(), m => m.probe_write())
    }
    async fn head(&self) -> Result<GlobalPosition, StoreFailure> {
        either!(self, s => s.head(), m => PageStore::head(m))
    }
    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u64,
    ) -> Result<Vec<SharedEvent>, StoreFailure> {
        let s = match self {
            WebStore::Idb(s) => s,
            WebStore::Memory(m) => return PageStore::read_all(m, after, limit).await,
        };
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let (events, corrupt) = s.read_all(after, limit).await?;
        // Not recorded (a full disk) fails no read: the record is skipped either way.
        let _ = s.quarantine(&corrupt).await;
        Ok(events)
    }
    async fn events_after(&self, after: GlobalPosition) -> Result<Vec<SharedEvent>, StoreFailure> {
        either!(self, s => s.events_after(after), m => PageStore::events_after(m, after))
    }
    async fn count_upto(&self, position: GlobalPosition) -> Result<u64, StoreFailure> {
        either!(self, s => s.count_upto(position), m => m.count_upto(position))
    }
    async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreFailure> {
        either!(self, s => s.all_events(), m => m.all_events())
    }
    async fn load_stream(&self, order_id: &OrderId) -> Result<LoadedStream, StoreFailure> {
        either!(self, s => s.load_stream(order_id), m => PageStore::load_stream(m, order_id))
    }
    async fn read_stream(
        &self,
        order_id: &OrderId,
        after: StreamVersion,
    ) -> Result<Vec<SharedEvent>, StoreFailure> {
        match self {
            WebStore::Idb(s) => Ok(s.read_stream(order_id, after).await?.0),
            WebStore::Memory(m) => PageStore::read_stream(m, order_id, after).await,
        }
    }
    async fn stream_version(&self, order_id: &OrderId) -> Result<StreamVersion, StoreFailure> {
        either!(self, s => s.stream_version(order_id), m => PageStore::stream_version(m, order_id))
    }
    async fn queued(&self) -> Result<Vec<(u64, QueuedCommand)>, StoreFailure> {
        let s = match self {
            WebStore::Idb(s) => s,
            WebStore::Memory(m) => return m.queued().await,
        };
        let (queued, corrupt) = s.queued().await?;
        let _ = s.quarantine(&corrupt).await;
        Ok(queued)
    }
    async fn enqueue(&self, commands: &[(u64, QueuedCommand)]) -> Result<(), StoreFailure> {
        either!(self, s => s.enqueue(commands), m => m.enqueue(commands))
    }
    async fn dequeue(&self, seq: u64) -> Result<(), StoreFailure> {
        either!(self, s => s.dequeue(seq), m => m.dequeue(seq))
    }
    async fn outbox_len(&self) -> Result<u64, StoreFailure> {
        either!(self, s => s.outbox_len(), m => m.outbox_len())
    }
    async fn quarantined(&self) -> Vec<String> {
        let WebStore::Idb(s) = self else {
            return Vec::new();
        };
        let records = s.quarantined().await.unwrap_or_default();
        records
            .into_iter()
            .map(|q| format!("{} {}: {}", q.store, q.key, q.reason))
            .collect()
    }
    async fn stored_projections(&self) -> Vec<(ProjectionName, StoredProjection)> {
        match self {
            WebStore::Idb(s) => match s.stored_projections().await {
                Ok((stored, corrupt)) => {
                    let _ = s.quarantine(&corrupt).await;
                    stored
                }
                Err(_) => Vec::new(),
            },
            WebStore::Memory(m) => m.stored_projections().await,
        }
    }
    async fn oldest_unpublished(&self) -> Option<GlobalPosition> {
        match self {
            WebStore::Idb(s) => s.oldest_unpublished().await.unwrap_or_default(),
            WebStore::Memory(m) => PageStore::oldest_unpublished(m).await,
        }
    }
    async fn import(&self, text: &str) -> Result<usize, StoreFailure> {
        match self {
            WebStore::Idb(s) => s
                .import(text)
                .await?
                .map_err(|e| StoreFailure::other(e.to_string())),
            WebStore::Memory(m) => m.import(text).await,
        }
    }
    async fn clear(&self) -> Result<(), StoreFailure> {
        either!(self, s => s.clear(), m => m.clear())
    }
}
