//! The event store in the browser's IndexedDB: the only module that touches it. It
//! carries out the engine's effects for real (`IdbStore::execute`), with the same
//! contract as `store::MemoryStore`: one readwrite transaction per append (events,
//! outbox rows, processed command id), strict durability, and the unique
//! `[streamId, streamVersion]` index turning a racing writer into a conflict.

pub mod driver;
mod error;
pub mod quota;
pub mod records;
pub mod schema;
mod store;

pub use store::{IdbStore, StoreError};
