//! The event store's contract (requests, outcomes, errors) and its in-memory
//! implementation. The engine never calls a store: it emits these requests as effects.

pub mod contract;
pub mod iso_time;
pub mod memory;
pub mod read_models;
pub mod transfer;

pub use contract::*;
pub use memory::MemoryStore;
pub use read_models::{
    ProjectionSave, RowKey, StoredLine, StoredProgress, StoredProjection, StoredRow,
};
