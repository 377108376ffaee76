//! The trace: every hop a command or event makes, with virtual time, for the UI's
//! timeline and for determinism checks (a running hash covers every hop ever recorded).

use super::command_bus::Queue;
use super::message::{DeliveryFailure, DropCause};
use super::script::ClientId;
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion, VirtualMillis};
use crate::domain::order::Rejection;
use crate::store::ProjectionName;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// One hop, at a virtual time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hop {
    /// When it happened.
    pub at: VirtualMillis,
    /// What happened.
    pub kind: HopKind,
}

/// What happened at a hop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HopKind {
    /// The command bus queued a command.
    CommandQueued {
        /// The command.
        command_id: CommandId,
        /// Who sent it.
        client: ClientId,
        /// Which queue took it.
        queue: Queue,
        /// That queue's depth after it.
        depth: u32,
    },
    /// The bus was full and refused the command (503).
    CommandRefused {
        /// The command.
        command_id: CommandId,
        /// True when the client will offer it again (wait policy).
        will_retry: bool,
    },
    /// A handler loaded the aggregate for a command.
    AggregateLoaded {
        /// The command.
        command_id: CommandId,
        /// The stream.
        stream_id: OrderId,
        /// The snapshot it started from, if any.
        snapshot: Option<StreamVersion>,
        /// Events replayed on top of it.
        replayed: u64,
    },
    /// The command id was processed before: acknowledged, not applied again.
    CommandDuplicate {
        /// The command.
        command_id: CommandId,
    },
    /// The aggregate rejected the command.
    CommandRejected {
        /// The command.
        command_id: CommandId,
        /// Why.
        rejection: Rejection,
    },
    /// Events were appended for a command.
    EventsAppended {
        /// The command.
        command_id: CommandId,
        /// Position of the first event.
        first: GlobalPosition,
        /// How many events.
        count: u64,
    },
    /// Another writer appended first.
    ConcurrencyConflict {
        /// The command.
        command_id: CommandId,
        /// The version the handler read.
        expected: StreamVersion,
        /// The version the stream was at.
        actual: StreamVersion,
        /// True when the handler will reload and retry.
        will_retry: bool,
    },
    /// A snapshot was saved.
    SnapshotSaved {
        /// The stream.
        stream_id: OrderId,
        /// The version it includes.
        version: StreamVersion,
    },
    /// An event was published to the bus (fanned out to every subscription).
    Published {
        /// The event.
        position: GlobalPosition,
    },
    /// The publisher sent an event again (same message id) and the broker passed it on.
    PublishedAgain {
        /// The event.
        position: GlobalPosition,
    },
    /// The broker's duplicate detection dropped a second send of the same message id.
    DuplicateDetected {
        /// The event.
        position: GlobalPosition,
    },
    /// A handler outlived its lock: the broker will deliver the message again.
    LockExpired {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
    },
    /// A projection applied a delivery.
    Applied {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
        /// True for an extra copy from at-least-once delivery.
        duplicate: bool,
    },
    /// An idempotent projection ignored a delivery it had applied.
    Ignored {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
    },
    /// A delivery failed and will be redelivered.
    Redelivering {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
        /// Deliveries so far.
        delivery_count: u32,
        /// Why it failed.
        reason: DeliveryFailure,
    },
    /// A message exhausted its deliveries and went to the dead-letter queue.
    DeadLettered {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
        /// Why its deliveries failed.
        reason: DeliveryFailure,
        /// How many deliveries it had.
        deliveries: u32,
    },
    /// A read model rebuild started.
    RebuildStarted {
        /// The projection.
        projection: ProjectionName,
    },
    /// A rebuild replayed a chunk of the store.
    RebuildProgress {
        /// The projection.
        projection: ProjectionName,
        /// The last position replayed.
        position: GlobalPosition,
        /// Events replayed so far.
        replayed: u64,
    },
    /// A rebuild reached the head of the store (blue/green: and swapped).
    RebuildFinished {
        /// The projection.
        projection: ProjectionName,
        /// How it was rebuilt.
        strategy: super::config::RebuildStrategy,
    },
    /// A rebuild met an event its projection cannot read, and stopped.
    RebuildFailed {
        /// The projection.
        projection: ProjectionName,
        /// The event.
        position: GlobalPosition,
    },
    /// The write side now records events in this schema.
    WriteSchemaDeployed {
        /// The schema.
        schema: crate::domain::ids::SchemaVersion,
    },
    /// A projection's new code understands events up to this schema.
    ProjectionDeployed {
        /// The projection.
        projection: ProjectionName,
        /// The schema.
        schema: crate::domain::ids::SchemaVersion,
    },
    /// A crash stopped a rebuild.
    RebuildAborted {
        /// The projection.
        projection: ProjectionName,
    },
    /// A crash dropped volatile state.
    Crashed {
        /// Commands lost from an in-memory queue or a handler.
        lost_commands: u64,
        /// Commands a durable queue kept.
        kept_commands: u64,
        /// Bus messages in flight that were dropped.
        lost_messages: u64,
        /// Events never published (outbox off).
        lost_publications: u64,
    },
    /// The engine resumed from durable state.
    Recovered,
    /// The scheduler held its limit of tasks and refused one (a client's input was dropped).
    SchedulerFull {
        /// The limit.
        limit: u64,
    },
    /// An idempotent projection set a delivery aside: an earlier event of its stream
    /// has not arrived yet (it is received again once that one is applied).
    Deferred {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
        /// The stream version it waits for.
        awaited: StreamVersion,
    },
    /// A message was lost by the transport's rule (not dead-lettered): Event Grid gave
    /// up without a dead-letter container, a received-and-deleted message failed, a
    /// Functions trigger moved past a failed batch, a message expired.
    Dropped {
        /// The subscription.
        subscription: ProjectionName,
        /// The event.
        position: GlobalPosition,
        /// Why the transport let it go.
        cause: DropCause,
        /// Deliveries it had.
        deliveries: u32,
    },
    /// An Event Hubs consumer started again from its checkpoints: the events after
    /// them are delivered again.
    ResumedFromCheckpoint {
        /// The consumer group (one per projection).
        subscription: ProjectionName,
        /// Events after its checkpoints, sent again.
        events: u64,
    },
}

/// Counters the UI shows per component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Commands taken by the bus.
    pub commands_queued: u64,
    /// Commands refused by a full bus.
    pub commands_refused: u64,
    /// Commands that appended events.
    pub commands_accepted: u64,
    /// Commands the aggregate rejected.
    pub commands_rejected: u64,
    /// Commands acknowledged as already processed.
    pub commands_duplicate: u64,
    /// Concurrency conflicts hit.
    pub conflicts: u64,
    /// Commands dropped after conflicts exhausted the policy.
    pub conflicts_failed: u64,
    /// Events appended.
    pub events_appended: u64,
    /// Events replayed while loading aggregates.
    pub events_replayed: u64,
    /// Snapshots saved.
    pub snapshots_saved: u64,
    /// Commands lost in crashes.
    pub commands_lost: u64,
    /// Events published to the bus (republished ones included).
    pub events_published: u64,
    /// Deliveries attempted.
    pub deliveries: u64,
    /// Deliveries applied to a read model.
    pub applied: u64,
    /// Deliveries ignored as already applied.
    pub ignored: u64,
    /// Deliveries failed and scheduled again.
    pub redeliveries: u64,
    /// Deliveries set aside to wait for an earlier event of their stream.
    pub deferred: u64,
    /// Messages sent to the dead-letter queue.
    pub dead_lettered: u64,
    /// Messages the transport let go without dead-lettering them.
    pub dropped: u64,
    /// Bus messages dropped by crashes.
    pub messages_lost: u64,
    /// Publications lost by crashes (outbox off).
    pub publications_lost: u64,
    /// Second sends dropped by duplicate detection.
    pub duplicates_detected: u64,
    /// Deliveries whose lock expired before the handler finished.
    pub locks_expired: u64,
    /// Tasks refused because the scheduler held its limit.
    pub tasks_refused: u64,
    /// How long critical commands (payments) waited for their outcome.
    pub critical_latency: Latency,
    /// How long every other (bulk) command waited for its outcome.
    pub bulk_latency: Latency,
}

/// Virtual ms from a client's first send of a command to its outcome (accepted,
/// rejected or acknowledged as a duplicate), over the commands that had one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    /// Commands measured.
    pub count: u64,
    /// Their waits added up.
    pub total_ms: u64,
    /// The longest wait.
    pub max_ms: u64,
}

impl Latency {
    /// Adds one command's wait.
    pub fn add(&mut self, ms: u64) {
        self.count += 1;
        self.total_ms = self.total_ms.saturating_add(ms);
        self.max_ms = self.max_ms.max(ms);
    }

    /// The mean wait (0 with none measured).
    pub fn mean_ms(&self) -> u64 {
        self.total_ms.checked_div(self.count).unwrap_or(0)
    }
}

/// The recent hops (bounded) and a hash of all of them.
#[derive(Debug, Clone)]
pub struct Trace {
    hops: VecDeque<Hop>,
    limit: u32,
    recorded: u64,
    hash: StableHash,
}

/// A word-at-a-time hash (rustc's Fx step: rotate, xor, multiply) whose output is the
/// same on wasm32 and 64-bit hosts: `usize`/`isize` (enum discriminants, lengths) are
/// widened to 64 bits, and bytes are read as little-endian words, so both agree.
///
/// Words go to two lanes in turn (each word is mixed into the state of two words
/// before), so the processor works on two multiplications at once instead of waiting
/// for each before the next; the order of the words still matters.
#[derive(Debug, Clone, Copy)]
struct StableHash {
    /// The lane the next word goes to.
    next: u64,
    /// The other lane.
    other: u64,
}

impl StableHash {
    fn new() -> Self {
        StableHash {
            next: SEED,
            other: SEED.rotate_left(32),
        }
    }

    fn mix(&mut self, word: u64) {
        let mixed = (self.next.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER);
        self.next = self.other;
        self.other = mixed;
    }
}

impl Hasher for StableHash {
    fn finish(&self) -> u64 {
        (self.next.rotate_left(5) ^ self.other).wrapping_mul(MULTIPLIER)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.mix(le_u64(word));
        }
        let rest = words.remainder();
        // The bytes left over go in one more word, read whole from memory rather than
        // gathered byte by byte: with 8 bytes before them, as the input's last 8 bytes;
        // else as its first and last 4 (overlapping when fewer than 8).
        let tail = match bytes.len() {
            _ if rest.is_empty() => return,
            n if n >= 8 => bytes.get(n - 8..).map(le_u64),
            n if n >= 4 => bytes
                .get(..4)
                .zip(bytes.get(n - 4..))
                .map(|(first, last)| le_u32(first) | le_u32(last) << 32),
            _ => Some(
                rest.iter()
                    .rev()
                    .fold(0u64, |word, b| (word << 8) | u64::from(*b)),
            ),
        };
        self.mix(tail.unwrap_or_default());
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.mix(n as i64 as u64);
    }
}

/// Eight bytes as a little-endian word (callers pass exactly eight).
fn le_u64(bytes: &[u8]) -> u64 {
    bytes.try_into().map(u64::from_le_bytes).unwrap_or_default()
}

/// Four bytes as a little-endian word (callers pass exactly four).
fn le_u32(bytes: &[u8]) -> u64 {
    bytes
        .try_into()
        .map(|b| u64::from(u32::from_le_bytes(b)))
        .unwrap_or_default()
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

impl Trace {
    /// An empty trace keeping at most `limit` hops.
    pub fn new(limit: u32) -> Self {
        Trace {
            hops: VecDeque::new(),
            limit,
            recorded: 0,
            hash: StableHash::new(),
        }
    }

    /// Records a hop: folds it into the hash and keeps it while within the limit.
    pub fn record(&mut self, hop: Hop) {
        hop.hash(&mut self.hash);
        self.recorded += 1;
        if self.limit == 0 {
            return;
        }
        if self.hops.len() as u64 >= u64::from(self.limit) {
            self.hops.pop_front();
        }
        self.hops.push_back(hop);
    }

    /// The kept hops, oldest first.
    pub fn hops(&self) -> impl DoubleEndedIterator<Item = &Hop> {
        self.hops.iter()
    }

    /// How many hops were ever recorded.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// Hash of every hop ever recorded: equal traces have equal hashes.
    pub fn hash(&self) -> u64 {
        self.hash.finish()
    }
}
