//! The engine's knobs, with the seeds' defaults. Plain data: serializable for sharing.

use crate::domain::ids::VirtualMillis;
use serde::{Deserialize, Serialize};

/// What the command bus does when its primary queue is full (`seeds/003`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backpressure {
    /// Refuse the command at once (HTTP 503).
    Reject,
    /// The client waits and offers it again, a bounded number of times.
    Wait {
        /// Virtual ms between offers.
        retry_after: VirtualMillis,
        /// Offers after the first before the client gives up.
        max_retries: u32,
    },
    /// Put it on a bounded secondary queue, drained after the primary.
    Overflow {
        /// The secondary queue's capacity.
        capacity: u32,
    },
}

/// What the handler does when an append hits a concurrency conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConflictPolicy {
    /// Report the conflict and drop the command.
    Fail,
    /// Reload the aggregate, decide again and retry, up to this many times.
    Retry {
        /// Retries after the first attempt.
        max_retries: u32,
        /// Virtual ms before each retry.
        backoff: VirtualMillis,
    },
}

/// Command-side configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Seed of the one RNG.
    pub seed: u64,
    /// Capacity of the command bus's primary queue (default 1000).
    pub queue_capacity: u32,
    /// Policy when the primary queue is full.
    pub backpressure: Backpressure,
    /// Queued commands survive a crash (a durable queue) or are lost (in memory).
    pub durable_queue: bool,
    /// Command handler instances working in parallel (2 or more can race on one order).
    pub handlers: u32,
    /// Virtual ms a handler spends between loading an aggregate and appending.
    pub handling_time: VirtualMillis,
    /// Up to this many extra virtual ms, drawn per command (makes races seed-dependent).
    pub handling_jitter: VirtualMillis,
    /// Policy on concurrency conflicts.
    pub on_conflict: ConflictPolicy,
    /// Save a snapshot each time a stream's version crosses a multiple of this (default 100).
    pub snapshot_every: u64,
    /// Write outbox rows in the append transaction (the transactional outbox).
    pub outbox: bool,
    /// Most trace hops kept for display; older ones are dropped (the hash covers all).
    pub trace_limit: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            seed: 1,
            queue_capacity: 1000,
            backpressure: Backpressure::Reject,
            durable_queue: false,
            handlers: 1,
            handling_time: VirtualMillis(5),
            handling_jitter: VirtualMillis(0),
            on_conflict: ConflictPolicy::Retry {
                max_retries: 3,
                backoff: VirtualMillis(10),
            },
            snapshot_every: 100,
            outbox: true,
            trace_limit: 10_000,
        }
    }
}
