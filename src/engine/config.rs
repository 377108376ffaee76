//! The engine's knobs, with the lab's defaults. Plain data: serializable for sharing.

use super::rng::{PerMillion, SimRng};
use super::transport::{
    ChangeFeedHost, OnFailure, Ordering, ReceiveMode, Subscriptions, Transport,
    CHANGE_FEED_RETRIES, CHANGE_FEED_RETRY_DELAY, EVENT_GRID_RESPONSE_WAIT,
};
use crate::domain::ids::VirtualMillis;
use crate::store::ProjectionName;
use serde::{Deserialize, Serialize};

/// Snapshot every this many events (the lab's choice).
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 100;
/// How long the event bus takes to deliver a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LagDistribution {
    /// Always this long.
    Fixed(VirtualMillis),
    /// Uniform between the bounds (inclusive).
    Uniform(VirtualMillis, VirtualMillis),
    /// Usually `base`; with probability `tail_rate`, up to `tail` longer.
    LongTail {
        /// The usual lag.
        base: VirtualMillis,
        /// The most extra lag of a slow delivery.
        tail: VirtualMillis,
        /// How often a delivery is slow.
        tail_rate: PerMillion,
    },
}

impl LagDistribution {
    /// A draw from the distribution.
    #[inline]
    pub fn draw(self, rng: &mut SimRng) -> VirtualMillis {
        match self {
            LagDistribution::Fixed(ms) => ms,
            LagDistribution::Uniform(low, high) => VirtualMillis(rng.between(low.0, high.0)),
            LagDistribution::LongTail {
                base,
                tail,
                tail_rate,
            } => {
                let extra = if rng.chance(tail_rate) {
                    rng.between(1, tail.0.max(1))
                } else {
                    0
                };
                VirtualMillis(base.0.saturating_add(extra))
            }
        }
    }
}

/// How a projection treats deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectionMode {
    /// Applies every delivery, duplicates and out-of-order ones included.
    Naive,
    /// Ignores what it has applied (by stream version) and waits for gaps to fill.
    Idempotent,
}

/// Shortest duplicate-detection window Service Bus allows: 20 seconds.
pub const MIN_DUPLICATE_WINDOW: VirtualMillis = VirtualMillis(20_000);
/// Longest duplicate-detection window Service Bus allows: 7 days.
pub const MAX_DUPLICATE_WINDOW: VirtualMillis = VirtualMillis(7 * 86_400_000);

/// Event-bus and projection configuration (Service Bus defaults where they apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusConfig {
    /// Chance that a delivery is made twice (at-least-once delivery).
    pub duplicate_rate: PerMillion,
    /// Delivery lag.
    pub lag: LagDistribution,
    /// Keep order within a partition key (the aggregate id); off lets any message pass.
    pub ordered_partitions: bool,
    /// Chance that the publisher's send times out and it sends again (same message id).
    pub publisher_retry_rate: PerMillion,
    /// Broker-side duplicate detection by message id (= event id) over this window
    /// (Service Bus: off by default; when on, 10 minutes by default, 20 s – 7 days), or off.
    pub duplicate_detection: Option<VirtualMillis>,
    /// How long a delivery's lock lasts (Service Bus default 60 s). A handler slower
    /// than this gets the message again, whatever duplicate detection says.
    pub lock_duration: VirtualMillis,
    /// How long a projection's handler takes per delivery.
    pub processing_time: LagDistribution,
    /// Chance that a projection's handler fails a delivery (then it is redelivered).
    pub failure_rate: PerMillion,
    /// Virtual ms before a failed delivery is redelivered.
    pub redelivery_delay: VirtualMillis,
    /// Deliveries before a message goes to the dead-letter queue (Service Bus: 10).
    pub max_delivery_count: u32,
    /// Virtual ms between an append and the outbox relay's publish (or, without the
    /// outbox, the handler's own publish: the dual write).
    pub publish_delay: VirtualMillis,
    /// Each projection's mode.
    pub modes: [(ProjectionName, ProjectionMode); 3],
    /// Projections whose handler fails every delivery (a bug waiting for a fix).
    pub failing: Vec<ProjectionName>,
    /// What carries the events: the lab's bus (the fields above) or an Azure service
    /// (its own settings replace ordering, detection, locks and delivery counts).
    pub transport: Transport,
    /// Each subscription's own settings of that service, in `ProjectionName::ALL`
    /// order (`None`: the bus's; see `Transport::for_subscription`).
    #[serde(default)]
    pub subscriptions: Subscriptions,
}

impl BusConfig {
    /// The settings `subscription` works with: its own, where the service has them per
    /// subscription, over the bus's.
    pub fn transport_of(&self, subscription: ProjectionName) -> Transport {
        self.transport
            .of_subscription(&self.subscriptions, subscription)
    }

    /// The duplicate-detection window in force, clamped to what Service Bus allows.
    pub fn detection_window(&self) -> Option<VirtualMillis> {
        let window = match &self.transport {
            Transport::Lab => self.duplicate_detection,
            Transport::ServiceBus(sb) => sb.duplicate_detection,
            _ => None,
        };
        window.map(|w| w.clamp(MIN_DUPLICATE_WINDOW, MAX_DUPLICATE_WINDOW))
    }

    /// True for Service Bus with sessions: a session's messages are received one at a
    /// time, in order, by the receiver that holds its lock.
    pub fn sessions(&self, subscription: ProjectionName) -> bool {
        matches!(self.transport_of(subscription), Transport::ServiceBus(sb) if sb.sessions)
    }

    /// True when the transport is a durable service that keeps what it accepted through
    /// a crash of the lab's processes (Service Bus, Event Grid, the change feed): its
    /// messages in flight stay scheduled. Event Hubs keeps its events too, but its
    /// consumers read them again from their checkpoints; the lab's bus lives in memory.
    pub fn broker_keeps(&self) -> bool {
        matches!(
            self.transport,
            Transport::ServiceBus(_) | Transport::EventGrid(_) | Transport::ChangeFeed(_)
        )
    }

    /// What keeps deliveries in order.
    pub fn ordering(&self, subscription: ProjectionName) -> Ordering {
        match self.transport_of(subscription) {
            Transport::Lab if self.ordered_partitions => Ordering::PerOrder,
            Transport::ServiceBus(sb) if sb.sessions => Ordering::PerOrder,
            Transport::ChangeFeed(_) => Ordering::PerOrder,
            Transport::EventHubs(hub) => Ordering::PerPartition(hub.partitions.max(1)),
            _ => Ordering::None,
        }
    }

    /// How long a handler may take before the message is delivered again although the
    /// handler goes on: a lock (renewed by the Functions trigger up to its limit) or
    /// Event Grid's wait for an answer; `None` where nothing is redelivered for it.
    pub fn lock(&self, subscription: ProjectionName) -> Option<VirtualMillis> {
        match self.transport_of(subscription) {
            Transport::Lab => Some(self.lock_duration),
            Transport::ServiceBus(sb) => match sb.receive_mode {
                ReceiveMode::PeekLock => Some(sb.lock_duration.max(sb.max_auto_lock_renewal)),
                ReceiveMode::ReceiveAndDelete => None,
            },
            Transport::EventGrid(_) => Some(EVENT_GRID_RESPONSE_WAIT),
            Transport::EventHubs(_) | Transport::ChangeFeed(_) => None,
        }
    }

    /// Deliveries before a message is dead-lettered (lab bus and Service Bus).
    pub fn max_deliveries(&self, subscription: ProjectionName) -> u32 {
        match self.transport_of(subscription) {
            Transport::ServiceBus(sb) => sb.max_delivery_count.max(1),
            _ => self.max_delivery_count.max(1),
        }
    }

    /// What happens to a delivery that failed.
    pub fn on_failure(&self, subscription: ProjectionName) -> OnFailure {
        let redeliver = OnFailure::Redeliver {
            delay: self.redelivery_delay,
            max_deliveries: self.max_deliveries(subscription),
        };
        match self.transport_of(subscription) {
            Transport::Lab => redeliver,
            Transport::ServiceBus(sb) => match sb.receive_mode {
                ReceiveMode::PeekLock => redeliver,
                ReceiveMode::ReceiveAndDelete => OnFailure::Lose,
            },
            Transport::EventGrid(grid) => OnFailure::EventGrid(grid),
            Transport::EventHubs(_) => OnFailure::RetryBatch {
                delay: CHANGE_FEED_RETRY_DELAY,
                retries: Some(0),
            },
            Transport::ChangeFeed(cf) => OnFailure::RetryBatch {
                delay: CHANGE_FEED_RETRY_DELAY,
                retries: match cf.host {
                    ChangeFeedHost::Processor => None,
                    ChangeFeedHost::Functions => Some(0),
                    ChangeFeedHost::FunctionsWithRetry => Some(CHANGE_FEED_RETRIES),
                },
            },
        }
    }

    /// Up to how many extra virtual ms a delivery takes when handlers run concurrently
    /// without ordering (the Functions trigger's `maxConcurrentCalls`, Event Grid's
    /// parallel pushes), so messages finish in any order; 0 elsewhere.
    pub fn concurrency_spread(&self, subscription: ProjectionName) -> u64 {
        match self.transport_of(subscription) {
            Transport::ServiceBus(sb) if !sb.sessions => 25,
            Transport::EventGrid(_) => 25,
            _ => 0,
        }
    }

    /// Most messages one delivery carries (Event Grid: one by default).
    pub fn batch_limit(&self, subscription: ProjectionName) -> usize {
        match self.transport_of(subscription) {
            Transport::EventGrid(grid) => grid.max_events_per_batch.max(1) as usize,
            _ => usize::MAX,
        }
    }
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            duplicate_rate: PerMillion::NEVER,
            lag: LagDistribution::Fixed(VirtualMillis(20)),
            ordered_partitions: true,
            publisher_retry_rate: PerMillion::NEVER,
            duplicate_detection: Some(VirtualMillis(600_000)),
            lock_duration: VirtualMillis(60_000),
            processing_time: LagDistribution::Fixed(VirtualMillis(5)),
            failure_rate: PerMillion::NEVER,
            redelivery_delay: VirtualMillis(50),
            max_delivery_count: 10,
            publish_delay: VirtualMillis(1),
            modes: ProjectionName::ALL.map(|name| (name, ProjectionMode::Idempotent)),
            failing: Vec::new(),
            transport: Transport::Lab,
            subscriptions: [None; ProjectionName::ALL.len()],
        }
    }
}

/// What the command bus does when its primary queue is full.
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
    /// A priority lane of this capacity for critical commands (payments), drained
    /// before the bulk queue; `None`: one lane for every command.
    pub priority_lane: Option<u32>,
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
    /// Most tasks the scheduler holds at once; more are refused and counted.
    pub task_limit: u64,
    /// Most trace hops kept for display; older ones are dropped (the hash covers all).
    pub trace_limit: u32,
    /// The event bus and the projections.
    pub bus: BusConfig,
    /// Schema the write side records `OrderCreated` in: v2 adds a currency (USD when
    /// the command names none). "Deploy schema v2" sets it to 2.
    pub write_schema: crate::domain::ids::SchemaVersion,
    /// The newest schema the projections understand at start.
    pub projection_schema: crate::domain::ids::SchemaVersion,
    /// Projections that understand the latest schema read old events through the upcaster.
    pub upcaster: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            seed: 1,
            queue_capacity: 1000,
            backpressure: Backpressure::Reject,
            priority_lane: None,
            durable_queue: false,
            handlers: 1,
            handling_time: VirtualMillis(5),
            handling_jitter: VirtualMillis(0),
            on_conflict: ConflictPolicy::Retry {
                max_retries: 3,
                backoff: VirtualMillis(10),
            },
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            outbox: true,
            task_limit: super::scheduler::DEFAULT_TASK_LIMIT,
            trace_limit: 10_000,
            bus: BusConfig::default(),
            write_schema: crate::domain::ids::SchemaVersion(1),
            projection_schema: crate::domain::ids::SchemaVersion(1),
            upcaster: false,
        }
    }
}

/// The engine as the page runs it: a conflict is shown, not retried behind the user's
/// back (the user decides again on the new state).
pub fn page_config() -> EngineConfig {
    EngineConfig {
        on_conflict: ConflictPolicy::Fail,
        ..EngineConfig::default()
    }
}

/// How a rebuild replaces the read model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RebuildStrategy {
    /// Wipe the live model and refill it; queries see it partial meanwhile.
    InPlace,
    /// Build a shadow model; the old one serves until the swap.
    BlueGreen,
}
