//! The sans-IO boundary: what the engine asks the store to do, and what it is told back.
//! Results carry the handler and the engine epoch, so an answer that arrives after a
//! crash (when the work it belongs to is gone) is recognised and ignored.

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{CommandId, GlobalPosition, OrderId};
use crate::store::{AppendError, AppendRequest, Appended, LoadedStream, ProjectionName, Snapshot};

/// Which command handler instance an effect belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandlerId(pub u32);

/// A request to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load a stream (newest snapshot + later events) and say whether the command id
    /// was processed already.
    LoadStream {
        /// Who asked.
        handler: HandlerId,
        /// Engine epoch when asked.
        epoch: u32,
        /// The stream.
        stream_id: OrderId,
        /// The command being handled (its idempotency key).
        command_id: CommandId,
    },
    /// Append atomically with an expected version.
    Append {
        /// Who asked.
        handler: HandlerId,
        /// Engine epoch when asked.
        epoch: u32,
        /// The write.
        request: AppendRequest,
    },
    /// Save a snapshot (fire and forget: losing one only costs replay time).
    SaveSnapshot(Snapshot),
    /// Read unpublished outbox rows (with their events) after the relay's cursor.
    ReadOutbox {
        /// Engine epoch when asked.
        epoch: u32,
        /// The last position this relay already published.
        after: GlobalPosition,
        /// Most rows to return.
        limit: u64,
    },
    /// Read up to `limit` events after a position (the change feed), for a rebuild.
    ReadAll {
        /// Engine epoch when asked.
        epoch: u32,
        /// The projection being rebuilt.
        projection: ProjectionName,
        /// Read after this position.
        after: GlobalPosition,
        /// Most events to return.
        limit: u64,
    },
    /// Mark outbox rows published (every subscription handled them).
    MarkPublished(Vec<GlobalPosition>),
    /// Save a projection's checkpoint.
    SaveCheckpoint {
        /// The projection.
        projection: ProjectionName,
        /// Every position up to this one is applied.
        position: GlobalPosition,
    },
}

/// The store's answer to an effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectResult {
    /// Answer to `LoadStream`.
    StreamLoaded {
        /// Who asked.
        handler: HandlerId,
        /// Engine epoch when asked.
        epoch: u32,
        /// True when the command id was processed already.
        already_processed: bool,
        /// The snapshot and events.
        stream: LoadedStream,
    },
    /// Answer to `Append`.
    Appended {
        /// Who asked.
        handler: HandlerId,
        /// Engine epoch when asked.
        epoch: u32,
        /// The stored events, or why nothing was stored.
        result: Result<Appended, AppendError>,
    },
    /// Answer to `ReadOutbox`.
    OutboxRead {
        /// Engine epoch when asked.
        epoch: u32,
        /// Events of unpublished rows, oldest first.
        events: Vec<SharedEvent>,
        /// True when more rows wait beyond the limit.
        more: bool,
    },
    /// Answer to `ReadAll`.
    EventsRead {
        /// Engine epoch when asked.
        epoch: u32,
        /// The projection being rebuilt.
        projection: ProjectionName,
        /// The events, in position order.
        events: Vec<SharedEvent>,
    },
    /// Answer to a write that needs none (snapshot, mark published, checkpoint).
    Done,
}
