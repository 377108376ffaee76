//! What the page's controller asks of the world, in two parts: the store it keeps the
//! log, the command queue and the read models in (IndexedDB in the page, memory when
//! the browser offers none and in the native tests), and the host around it (the other
//! tabs, this page's marker for the next start, downloads, the storage estimate).

use super::durability::Durability;
use super::screen::Storage;
use super::session::QueuedCommand;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion};
use crate::engine::driver::CarryOut;
use crate::engine::effects::{Effect, EffectResult};
use crate::engine::sim::execute;
use crate::store::transfer::import_json;
use crate::store::{LoadedStream, MemoryStore, ProjectionName, StoredProjection};
use std::cell::RefCell;
use std::fmt;

/// Why the store refused or failed an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure {
    /// The browser's storage quota is used up: the page turns read-only.
    pub quota: bool,
    /// What to tell the user.
    pub reason: String,
}

impl StoreFailure {
    /// A failure other than a full disk.
    pub fn other(reason: impl Into<String>) -> Self {
        StoreFailure {
            quota: false,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// What another tab announced, or this one announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    /// New events.
    Appended,
    /// The whole log changed (an import or a reset).
    Replaced,
}

/// The store the page keeps its log in. Reads set unreadable records aside (a write
/// whose failure fails no read).
// Single-threaded (the page's wasm): the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait PageStore: CarryOut<Error = StoreFailure> {
    /// True when the log outlives the page (IndexedDB), false in memory.
    fn durable(&self) -> bool;
    /// Whether the store takes a write now (a full disk refuses).
    async fn probe_write(&self) -> Result<(), StoreFailure>;
    /// The newest event's position.
    async fn head(&self) -> Result<GlobalPosition, StoreFailure>;
    /// Up to `limit` events after a position.
    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u64,
    ) -> Result<Vec<SharedEvent>, StoreFailure>;
    /// Every event after a position.
    async fn events_after(&self, after: GlobalPosition) -> Result<Vec<SharedEvent>, StoreFailure>;
    /// How many events the store holds up to a position.
    async fn count_upto(&self, position: GlobalPosition) -> Result<u64, StoreFailure>;
    /// Every stored event.
    async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreFailure>;
    /// A stream's newest snapshot and the events after it.
    async fn load_stream(&self, order_id: &OrderId) -> Result<LoadedStream, StoreFailure>;
    /// A stream's events after a version.
    async fn read_stream(
        &self,
        order_id: &OrderId,
        after: StreamVersion,
    ) -> Result<Vec<SharedEvent>, StoreFailure>;
    /// A stream's version (0 when it holds nothing).
    async fn stream_version(&self, order_id: &OrderId) -> Result<StreamVersion, StoreFailure>;
    /// The durable command queue, oldest first, with each command's key.
    async fn queued(&self) -> Result<Vec<(u64, QueuedCommand)>, StoreFailure>;
    /// Adds commands to the durable queue.
    async fn enqueue(&self, commands: &[(u64, QueuedCommand)]) -> Result<(), StoreFailure>;
    /// Takes a handled command out of the durable queue.
    async fn dequeue(&self, seq: u64) -> Result<(), StoreFailure>;
    /// Outbox rows not yet published.
    async fn outbox_len(&self) -> Result<u64, StoreFailure>;
    /// The records set aside as unreadable, each said in one line.
    async fn quarantined(&self) -> Vec<String>;
    /// The read models' stored rows and checkpoints.
    async fn stored_projections(&self) -> Vec<(ProjectionName, StoredProjection)>;
    /// The oldest outbox row not yet published.
    async fn oldest_unpublished(&self) -> Option<GlobalPosition>;
    /// Replaces the log with an export's events; says how many, or why nothing changed
    /// (`quota` only for a full disk).
    async fn import(&self, text: &str) -> Result<usize, StoreFailure>;
    /// Deletes every event, the queue and the read models.
    async fn clear(&self) -> Result<(), StoreFailure>;
}

/// What the page's host does besides storing.
#[allow(async_fn_in_trait)]
pub trait PageHost {
    /// Tells the other tabs.
    fn announce(&self, announcement: Announcement);
    /// Notes the commands that would die with the page (its marker for the next start).
    fn keep_marker(&self, in_flight: &[String]);
    /// Offers a file for download.
    fn save_file(&self, file: &str, text: &str) -> Result<(), String>;
    /// Says that the store turned read-only or writable again.
    fn storage_changed(&self, storage: Storage);
    /// Reports what the user need not see (on the console).
    fn warn(&self, text: &str);
    /// A short random token telling this session's command ids from others'.
    fn token(&self) -> String;
    /// What the browser says of the store's storage (with `persist`, after asking to
    /// keep it from eviction); none without a durable store.
    async fn durability(&self, persist: bool) -> Option<Durability>;
}

/// The log in memory: the page's store when the browser offers no IndexedDB, and the
/// native tests'. Its queue lasts as long as the value.
#[derive(Debug, Default)]
pub struct MemoryPage {
    store: RefCell<MemoryStore>,
    /// The durable queue, oldest first.
    queue: RefCell<Vec<(u64, QueuedCommand)>>,
    /// Plays a store that outlives the page (the native tests' IndexedDB): commands
    /// are queued durably and the storage line is read.
    lasting: bool,
}

impl MemoryPage {
    /// An empty store that dies with the page.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store that plays one outliving the page: a controller started on it
    /// again finds its queue, as after a reload.
    pub fn lasting() -> Self {
        MemoryPage {
            lasting: true,
            ..Self::default()
        }
    }

    /// The store, to read.
    pub fn store(&self) -> std::cell::Ref<'_, MemoryStore> {
        self.store.borrow()
    }

    /// The store, to write (another tab's session on the same log).
    pub fn store_mut(&self) -> std::cell::RefMut<'_, MemoryStore> {
        self.store.borrow_mut()
    }
}

impl CarryOut for MemoryPage {
    type Error = StoreFailure;
    async fn carry_out(&self, effect: Effect) -> Result<EffectResult, StoreFailure> {
        Ok(execute(&mut self.store.borrow_mut(), effect))
    }
}

impl PageStore for MemoryPage {
    fn durable(&self) -> bool {
        self.lasting
    }
    async fn probe_write(&self) -> Result<(), StoreFailure> {
        Ok(())
    }
    async fn head(&self) -> Result<GlobalPosition, StoreFailure> {
        Ok(self.store.borrow().head())
    }
    async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u64,
    ) -> Result<Vec<SharedEvent>, StoreFailure> {
        Ok(self.store.borrow().read_all(after, limit).to_vec())
    }
    async fn events_after(&self, after: GlobalPosition) -> Result<Vec<SharedEvent>, StoreFailure> {
        self.read_all(after, u64::MAX).await
    }
    async fn count_upto(&self, position: GlobalPosition) -> Result<u64, StoreFailure> {
        let store = self.store.borrow();
        Ok(store
            .events()
            .partition_point(|e| e.global_position <= position) as u64)
    }
    async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreFailure> {
        Ok(self.store.borrow().events().to_vec())
    }
    async fn load_stream(&self, order_id: &OrderId) -> Result<LoadedStream, StoreFailure> {
        Ok(self.store.borrow().load_stream(order_id))
    }
    async fn read_stream(
        &self,
        order_id: &OrderId,
        after: StreamVersion,
    ) -> Result<Vec<SharedEvent>, StoreFailure> {
        Ok(self.store.borrow().read_stream(order_id, after))
    }
    async fn stream_version(&self, order_id: &OrderId) -> Result<StreamVersion, StoreFailure> {
        Ok(self.store.borrow().stream_version(order_id))
    }
    async fn queued(&self) -> Result<Vec<(u64, QueuedCommand)>, StoreFailure> {
        Ok(self.queue.borrow().clone())
    }
    async fn enqueue(&self, commands: &[(u64, QueuedCommand)]) -> Result<(), StoreFailure> {
        self.queue.borrow_mut().extend(commands.iter().cloned());
        Ok(())
    }
    async fn dequeue(&self, seq: u64) -> Result<(), StoreFailure> {
        self.queue.borrow_mut().retain(|(stored, _)| *stored != seq);
        Ok(())
    }
    async fn outbox_len(&self) -> Result<u64, StoreFailure> {
        Ok(self.store.borrow().unpublished(u64::MAX).len() as u64)
    }
    async fn quarantined(&self) -> Vec<String> {
        Vec::new() // memory holds no unreadable record
    }
    async fn stored_projections(&self) -> Vec<(ProjectionName, StoredProjection)> {
        let store = self.store.borrow();
        ProjectionName::ALL
            .into_iter()
            .filter_map(|name| Some((name, store.stored_projection(name)?)))
            .collect()
    }
    async fn oldest_unpublished(&self) -> Option<GlobalPosition> {
        self.store.borrow().oldest_unpublished()
    }
    async fn import(&self, text: &str) -> Result<usize, StoreFailure> {
        let events = import_json(text).map_err(|e| StoreFailure::other(e.to_string()))?;
        let count = events.len();
        *self.store.borrow_mut() = MemoryStore::from_events(events);
        self.queue.borrow_mut().clear();
        Ok(count)
    }
    async fn clear(&self) -> Result<(), StoreFailure> {
        *self.store.borrow_mut() = MemoryStore::new();
        self.queue.borrow_mut().clear();
        Ok(())
    }
}
