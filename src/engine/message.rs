//! What the event bus carries: a message (one delivery of an event to one
//! subscription), the batches its receivers take, and dead letters, messages that used
//! up their deliveries, kept with why. Only a failure sends one there
//! (`DeliveryFailure`); waiting for an earlier event is not one (see `deferral.rs`).

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{SchemaVersion, VirtualMillis};
use crate::store::ProjectionName;

/// One delivery of an event to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The event (shared, not copied, between subscriptions and duplicates).
    pub event: SharedEvent,
    /// The subscription (one per projection).
    pub subscription: ProjectionName,
    /// Deliveries so far, this one included after it fails.
    pub delivery_count: u32,
    /// True for the one delivery whose completion the outbox row waits for.
    pub acknowledges: bool,
    /// True for an extra copy made by at-least-once delivery.
    pub duplicate: bool,
    /// When it was first sent (time-to-live counts from here).
    pub sent: VirtualMillis,
}

/// Messages for one subscription due at one time: its receiver takes them in one
/// receive (as Service Bus's `ReceiveMessages` takes up to a count), applies them in
/// order, saves its projection once and then completes them.
pub type Batch = Vec<Message>;

/// A message that failed `max_delivery_count` times, kept for inspection and resubmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The message (its delivery count is the deliveries it had).
    pub message: Message,
    /// Why its deliveries failed.
    pub reason: DeliveryFailure,
    /// When it was dead-lettered.
    pub at: VirtualMillis,
}

impl DeadLetter {
    /// Why it is here, in words: "the projection's handler failed on all 10 deliveries".
    pub fn describe(&self) -> String {
        let n = self.message.delivery_count;
        match n {
            1 => format!("{} on its only delivery", self.reason),
            n => format!("{} on all {n} deliveries", self.reason),
        }
    }
}

/// Why a delivery failed (a message is dead-lettered only for one of these, once it
/// has used up its deliveries; waiting for an earlier event is not a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryFailure {
    /// The projection's handler failed (an injected fault: a failing or flaky
    /// projection).
    HandlerFailed,
    /// The handler took longer than the message's lock, which the broker took back.
    LockLost,
    /// The event's schema is newer than the projection's code understands.
    UnknownSchema {
        /// The event's schema version.
        schema: SchemaVersion,
        /// The newest the projection understands.
        understands: SchemaVersion,
    },
    /// Its time-to-live passed before it was handled.
    Expired,
}

impl DeliveryFailure {
    /// The cause in two or three words.
    pub fn short(&self) -> &'static str {
        match self {
            DeliveryFailure::HandlerFailed => "handler failed",
            DeliveryFailure::LockLost => "lock lost",
            DeliveryFailure::Expired => "expired",
            DeliveryFailure::UnknownSchema { .. } => "unknown schema",
        }
    }
}

impl std::fmt::Display for DeliveryFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryFailure::HandlerFailed => write!(f, "the projection's handler failed"),
            DeliveryFailure::LockLost => write!(f, "the handler outlived its lock"),
            DeliveryFailure::Expired => write!(f, "its time-to-live passed"),
            DeliveryFailure::UnknownSchema {
                schema,
                understands,
            } => write!(
                f,
                "the event is schema v{schema}, the projection understands up to v{understands}"
            ),
        }
    }
}

/// Why a transport let a message go without dead-lettering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropCause {
    /// Event Grid used up its retry policy (attempts or time-to-live) and no
    /// dead-letter container is set.
    RetriesExhausted,
    /// Event Grid does not retry the handler's answer (400 Bad Request, 403, 413) and
    /// no dead-letter container is set.
    NotRetried,
    /// Received and deleted (Service Bus ReceiveAndDelete): the failed handler had it.
    ReceivedAndDeleted,
    /// A Functions trigger moved past the failed batch (no retry policy, or its
    /// retries used up): the checkpoint went on without it.
    BatchSkipped,
    /// Its time-to-live passed and expired messages are not dead-lettered.
    Expired,
}

impl std::fmt::Display for DropCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DropCause::RetriesExhausted => "Event Grid gave up (no dead-letter container)",
            DropCause::NotRetried => "Event Grid does not retry a 400 (no dead-letter container)",
            DropCause::ReceivedAndDeleted => "received and deleted: the failed handler lost it",
            DropCause::BatchSkipped => "the Functions trigger moved past the failed batch",
            DropCause::Expired => "its time-to-live passed (expired messages are dropped)",
        })
    }
}

/// A message the transport let go, kept for the page to show (it cannot be resubmitted:
/// only a rebuild from the store brings its event back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The message.
    pub message: Message,
    /// Why.
    pub cause: DropCause,
    /// When.
    pub at: VirtualMillis,
}
