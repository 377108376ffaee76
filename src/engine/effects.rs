//! The sans-IO boundary: what the engine asks the store to do, and what it is told back.
//! Each effect comes with a `Ticket` the driver hands back with its result, so an
//! answer that arrives after a crash (when the work it belongs to is gone) is ignored.

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{CommandId, GlobalPosition, OrderId};
use crate::store::{
    AppendError, AppendRequest, Appended, LoadedStream, NewEvent, ProjectionName, ProjectionSave,
    Snapshot,
};

/// Identifies the engine life (between crashes) an effect was issued in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub(super) epoch: u32,
}

/// Which command handler instance an effect belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandlerId(pub u32);

impl HandlerId {
    /// Its place among the engine's handlers.
    pub(super) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A request to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load a stream (newest snapshot + later events) and say whether the command id
    /// was processed already.
    LoadStream {
        /// Who asked.
        handler: HandlerId,
        /// The stream.
        stream_id: OrderId,
        /// The command being handled (its idempotency key).
        command_id: CommandId,
        /// An empty list the events may be read into (a store may use its own).
        into: Vec<SharedEvent>,
    },
    /// Append atomically with an expected version.
    Append {
        /// Who asked.
        handler: HandlerId,
        /// The write.
        request: AppendRequest,
        /// An empty list the stored events may be returned in (a store may use its own).
        into: Vec<SharedEvent>,
    },
    /// Save a snapshot (fire and forget: losing one only costs replay time).
    SaveSnapshot(Box<Snapshot>),
    /// Read unpublished outbox rows (with their events) after the relay's cursor.
    ReadOutbox {
        /// The last position this relay already published.
        after: GlobalPosition,
        /// Most rows to return.
        limit: u64,
    },
    /// Read up to `limit` events after a position (the change feed), for a rebuild.
    ReadAll {
        /// The projection being rebuilt.
        projection: ProjectionName,
        /// Read after this position.
        after: GlobalPosition,
        /// Most events to return.
        limit: u64,
    },
    /// Mark outbox rows published (every subscription handled them).
    MarkPublished(Vec<GlobalPosition>),
    /// Save a projection's checkpoint with the rows that changed, atomically.
    SaveProjection(ProjectionSave),
}

/// The store's answer to an effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EffectResult {
    /// Answer to `LoadStream`.
    StreamLoaded {
        /// Who asked.
        handler: HandlerId,
        /// True when the command id was processed already.
        already_processed: bool,
        /// The snapshot and events.
        stream: LoadedStream,
    },
    /// Answer to `Append`.
    Appended {
        /// Who asked.
        handler: HandlerId,
        /// The stored events, or why nothing was stored.
        result: Result<Appended, AppendError>,
        /// The request's list of events, emptied, for the next request (or a new one).
        spent: Vec<NewEvent>,
    },
    /// Answer to `ReadOutbox`.
    OutboxRead {
        /// Events of unpublished rows, oldest first.
        events: Vec<SharedEvent>,
        /// True when more rows wait beyond the limit.
        more: bool,
    },
    /// Answer to `ReadAll`.
    EventsRead {
        /// The projection being rebuilt.
        projection: ProjectionName,
        /// The events, in position order.
        events: Vec<SharedEvent>,
    },
    /// Answer to a write that needs none (snapshot, mark published, checkpoint).
    Done,
}
