//! The event bus's state: ordering per partition, acknowledgements outstanding, the
//! message ids duplicate detection remembers, dead letters.

use super::hub::Hub;
use super::message::{DeadLetter, Dropped};
use crate::collections::{LookupMap, PositionMap};
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::store::ProjectionName;
use std::collections::VecDeque;

/// The last due time of a partition's messages, per subscription.
pub(super) type Dues = [VirtualMillis; ProjectionName::ALL.len()];

/// The bus's state: ordering per partition, outstanding acknowledgements, dead letters.
#[derive(Debug, Clone, Default)]
pub struct EventBus {
    /// Partitions with a message due later than some moment (older ones are forgotten:
    /// a due time already past cannot hold a new message back).
    pub(super) partition_due: LookupMap<OrderId, Dues>,
    /// The size at which `partition_due` is next cleared of past due times.
    pub(super) prune_dues_at: usize,
    /// Per hub partition, the last due time per subscription (Event Hubs).
    pub(super) hub_due: Vec<Dues>,
    /// What an event hub holds, and its consumer groups' checkpoints (Event Hubs is a
    /// service of its own: a crash of the lab's processes keeps it).
    pub(super) hub: Hub,
    pub(super) pending_acks: PositionMap<u32>,
    pub(super) dead_letters: Vec<DeadLetter>,
    /// Messages the transport let go (not dead-lettered).
    pub(super) dropped: Vec<Dropped>,
    /// Message ids sent within the duplicate-detection window, with when... The
    /// message id is the event's id; the store gives each event id one position, so
    /// the position stands for it (a number to hash, not a string to copy).
    pub(super) recent_ids: PositionMap<VirtualMillis>,
    /// ...and the same in send order, so expiry costs O(expired), not O(window): as runs
    /// of consecutive positions sent at one time (a publication's events make one), so
    /// it holds an entry per publication, not per message.
    pub(super) recent_order: VecDeque<SentRun>,
    /// The last position the relay published (its cursor; reset by a crash).
    pub(super) relayed: GlobalPosition,
    /// Messages scheduled for delivery, per subscription (the queue depths).
    pub(super) in_flight: [u64; ProjectionName::ALL.len()],
    /// Positions whose every delivery completed during the batch being delivered: one
    /// outbox update for the batch, after its projection's save.
    pub(super) completed: Vec<GlobalPosition>,
}

/// Message ids (positions) sent at one time: `first` and the `count - 1` after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct SentRun {
    pub(super) at: VirtualMillis,
    pub(super) first: GlobalPosition,
    pub(super) count: u32,
}

/// `partition_due` is cleared of past due times once it holds this many partitions
/// (then whenever it has doubled), so it stays the size of the partitions in flight
/// instead of growing with every aggregate ever published.
pub(super) const DUES_KEPT: usize = 1024;

impl EventBus {
    /// Forgets partitions whose every due time is past, when the table has grown enough:
    /// a message sent now is due now or later, so such a partition cannot hold it back.
    pub(super) fn forget_past_dues(&mut self, now: VirtualMillis) {
        if self.partition_due.len() < self.prune_dues_at.max(DUES_KEPT) {
            return;
        }
        self.partition_due
            .retain(|_, dues| dues.iter().any(|due| *due > now));
        self.prune_dues_at = 2 * self.partition_due.len();
    }

    /// Messages waiting for delivery to a subscription (including redeliveries).
    pub fn depth(&self, subscription: ProjectionName) -> u64 {
        self.in_flight
            .get(subscription.index())
            .copied()
            .unwrap_or(0)
    }

    /// How many message ids duplicate detection remembers (those sent within its
    /// window; older ones are forgotten as new messages arrive).
    pub fn remembered_ids(&self) -> usize {
        self.recent_ids.len()
    }

    /// Dead letters, oldest first.
    pub fn dead_letters(&self) -> &[DeadLetter] {
        &self.dead_letters
    }

    /// Messages the transport let go, oldest first.
    pub fn dropped(&self) -> &[Dropped] {
        &self.dropped
    }

    /// The event hub (empty unless the transport is Event Hubs).
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Forgets volatile state (a crash): ordering bookkeeping and pending acks.
    pub(super) fn crash(&mut self) {
        self.partition_due.clear();
        self.prune_dues_at = 0;
        self.hub_due.clear();
        self.hub.crash();
        self.pending_acks.clear();
        self.recent_ids.clear();
        self.recent_order.clear();
        self.relayed = GlobalPosition(0);
        self.in_flight = Default::default();
        self.completed.clear();
    }
}
