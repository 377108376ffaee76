//! The transport between the event store and the projections: the lab's own bus (every
//! fault a knob), or one of Azure's messaging services with the behaviour Microsoft
//! Learn documents. Plain data; `bus.rs` carries the behaviour out.
//!
//! Sources (Microsoft Learn):
//! - Service Bus: lock duration 60 s by default, at most 5 min
//!   (<https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.administration.createqueueoptions.lockduration>);
//!   max delivery count 10, then the dead-letter queue
//!   (<https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues>);
//!   duplicate detection off by default, window 10 min by default, 20 s to 7 days
//!   (<https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection>);
//!   FIFO only with sessions
//!   (<https://learn.microsoft.com/azure/service-bus-messaging/message-sessions>);
//!   PeekLock at least once, ReceiveAndDelete at most once (the Functions trigger
//!   receives in PeekLock only: ReceiveAndDelete stands for an SDK receiver)
//!   (<https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement>);
//!   expired messages dropped unless dead-lettering on expiration is on
//!   (<https://learn.microsoft.com/azure/service-bus-messaging/message-expiration>);
//!   the Functions trigger renews the lock up to `maxAutoLockRenewalDuration` (5 min) and
//!   runs `maxConcurrentCalls` (16) handlers at once without sessions
//!   (<https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus#hostjson-settings>).
//! - Event Grid: at least once, no order, one event per delivery by default, retries at
//!   10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h, up to 30
//!   attempts and 1,440 min by default; 400, 403 and 413 are not retried; dead-lettering
//!   off by default, so an undeliverable event is dropped
//!   (<https://learn.microsoft.com/azure/event-grid/delivery-and-retry>).
//! - Event Hubs: order within a partition, consumer groups, checkpoints by the consumer,
//!   retention 1 hour by default
//!   (<https://learn.microsoft.com/azure/event-hubs/event-hubs-features>).
//! - Cosmos DB change feed: order per logical partition key
//!   (<https://learn.microsoft.com/azure/cosmos-db/change-feed>); the processor
//!   checkpoints a lease after a batch succeeds and retries a failed batch
//!   (<https://learn.microsoft.com/azure/cosmos-db/nosql/change-feed-processor>); the
//!   Functions trigger does not retry a failed batch by default
//!   (<https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-changefeed-functions>).

pub mod choice;

use crate::domain::ids::VirtualMillis;
use crate::store::ProjectionName;

/// One second of virtual time.
const SECOND: u64 = 1_000;
/// One minute of virtual time.
const MINUTE: u64 = 60 * SECOND;
/// One hour of virtual time.
const HOUR: u64 = 60 * MINUTE;

/// What carries events from the store to the projections (written in links and
/// scenario files as a short text: see `choice`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transport {
    /// The lab's own bus: ordering, duplicates and lag are knobs (not an Azure service).
    #[default]
    Lab,
    /// A Service Bus topic, one subscription per projection, read by the Functions trigger.
    ServiceBus(ServiceBus),
    /// Event Grid pushing each event to one handler per projection.
    EventGrid(EventGrid),
    /// An event hub, one consumer group per projection.
    EventHubs(EventHubs),
    /// The Cosmos DB change feed of the events' container: no bus at all.
    ChangeFeed(ChangeFeed),
}

/// Each subscription's own settings, in `ProjectionName::ALL` order (`None`: the bus's).
pub type Subscriptions = [Option<Transport>; ProjectionName::ALL.len()];

/// How a Service Bus receiver takes messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReceiveMode {
    /// Locked while handled, completed after (at least once; the default).
    #[default]
    PeekLock,
    /// Deleted as it is sent to the receiver (at most once: a failure loses it).
    ReceiveAndDelete,
}

/// A Service Bus topic with one subscription per projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceBus {
    /// Sessions (session id = order id): FIFO per order. Off by default.
    pub sessions: bool,
    /// PeekLock (default, and the Functions trigger's only mode) or ReceiveAndDelete
    /// (an SDK receiver instead of the trigger).
    pub receive_mode: ReceiveMode,
    /// Duplicate detection's window, or off (the default; set when the topic is created).
    pub duplicate_detection: Option<VirtualMillis>,
    /// How long a lock lasts (default 60 s, at most 5 min).
    pub lock_duration: VirtualMillis,
    /// How long the Functions trigger keeps renewing a lock (default 5 min).
    pub max_auto_lock_renewal: VirtualMillis,
    /// Deliveries before the dead-letter queue (default 10).
    pub max_delivery_count: u32,
    /// Messages expire this long after they are sent; `None`: never (the default).
    pub time_to_live: Option<VirtualMillis>,
    /// Expired messages go to the dead-letter queue instead of being dropped (off by
    /// default).
    pub dead_letter_on_expiration: bool,
}

impl Default for ServiceBus {
    fn default() -> Self {
        ServiceBus {
            sessions: false,
            receive_mode: ReceiveMode::PeekLock,
            duplicate_detection: None,
            lock_duration: VirtualMillis(60 * SECOND),
            max_auto_lock_renewal: VirtualMillis(5 * MINUTE),
            max_delivery_count: 10,
            time_to_live: None,
            dead_letter_on_expiration: false,
        }
    }
}

/// Handlers the Functions Service Bus trigger runs at once per instance without sessions
/// (`maxConcurrentCalls`, default 16): messages finish in any order.
pub const MAX_CONCURRENT_CALLS: u32 = 16;
/// Service Bus's duplicate-detection window when it is turned on (default 10 min).
pub const DEFAULT_DETECTION_WINDOW: VirtualMillis = VirtualMillis(10 * MINUTE);

/// An Event Grid subscription per projection (push delivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventGrid {
    /// Most delivery attempts (1–30, default 30).
    pub max_attempts: u32,
    /// Event time-to-live for retries (1–1,440 min, default 1,440).
    pub time_to_live: VirtualMillis,
    /// A dead-letter container is set (off by default: undeliverable events are dropped).
    pub dead_letter: bool,
    /// Most events per delivery (default 1; batching is opt-in, up to 5,000).
    pub max_events_per_batch: u32,
}

impl Default for EventGrid {
    fn default() -> Self {
        EventGrid {
            max_attempts: 30,
            time_to_live: VirtualMillis(24 * HOUR),
            dead_letter: false,
            max_events_per_batch: 1,
        }
    }
}

/// How long Event Grid waits for a handler's answer before it counts the delivery as
/// failed and schedules a retry.
pub const EVENT_GRID_RESPONSE_WAIT: VirtualMillis = VirtualMillis(30 * SECOND);

/// Event Grid's wait before each retry: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h,
/// 3 h, 6 h, then every 12 h (`failed` deliveries so far, from 1). Event Grid adds a
/// small random spread to each step; the lab keeps the schedule exact.
pub fn event_grid_backoff(failed: u32) -> VirtualMillis {
    const SCHEDULE: [u64; 9] = [
        10 * SECOND,
        30 * SECOND,
        MINUTE,
        5 * MINUTE,
        10 * MINUTE,
        30 * MINUTE,
        HOUR,
        3 * HOUR,
        6 * HOUR,
    ];
    let step = failed.saturating_sub(1) as usize;
    VirtualMillis(SCHEDULE.get(step).copied().unwrap_or(12 * HOUR))
}

/// An event hub with a consumer group per projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventHubs {
    /// Partitions (the partition key, the order id, picks one).
    pub partitions: u32,
    /// How long the hub keeps an event (default and least 1 hour).
    pub retention: VirtualMillis,
    /// The consumer checkpoints a partition after this many events (its own choice).
    pub checkpoint_every: u32,
}

impl Default for EventHubs {
    fn default() -> Self {
        EventHubs {
            partitions: 4,
            retention: VirtualMillis(HOUR),
            checkpoint_every: 10,
        }
    }
}

impl EventHubs {
    /// The partition an order's events go to (a stable hash of the partition key).
    pub fn partition(&self, key: &str) -> usize {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        (hash % u64::from(self.partitions.max(1))) as usize
    }
}

/// Who reads the change feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChangeFeedHost {
    /// The change feed processor library: a failed batch is sent again (its lease is
    /// checkpointed only after a batch succeeds).
    #[default]
    Processor,
    /// The Functions Cosmos DB trigger without a retry policy (its default): a failed
    /// batch is not retried, the lease moves on.
    Functions,
    /// The Functions trigger with a retry policy (fixed delay, `CHANGE_FEED_RETRIES`
    /// retries); the checkpoint waits until the retries are done.
    FunctionsWithRetry,
}

/// The Cosmos DB change feed read by a processor per projection (one lease per range).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeFeed {
    /// The processor library or the Functions trigger.
    pub host: ChangeFeedHost,
}

/// How long the lab's change feed processor waits before sending a failed batch again.
pub const CHANGE_FEED_RETRY_DELAY: VirtualMillis = VirtualMillis(SECOND);
/// The example retry policy of `ChangeFeedHost::FunctionsWithRetry`: retries after the
/// first attempt, each after `CHANGE_FEED_RETRY_DELAY` (a fixed-delay policy).
pub const CHANGE_FEED_RETRIES: u32 = 5;

/// What keeps deliveries in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    /// Nothing: any message may overtake another.
    None,
    /// Per order (a session, a logical partition, or the lab's ordered partitions).
    PerOrder,
    /// Per hub partition (of this many): everything in a partition, in order.
    PerPartition(u32),
}

/// What happens to a delivery that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Sent again after a delay, up to a delivery count, then dead-lettered.
    Redeliver {
        /// Wait before the next delivery.
        delay: VirtualMillis,
        /// Deliveries before the dead-letter queue.
        max_deliveries: u32,
    },
    /// Lost (received and deleted).
    Lose,
    /// Retried on Event Grid's schedule within its policy, then dropped or dead-lettered.
    EventGrid(EventGrid),
    /// The whole batch is sent again after the delay, `retries` more times at most
    /// (`None`: until it succeeds); then the rest of the batch is skipped.
    RetryBatch {
        /// Wait before the batch is sent again.
        delay: VirtualMillis,
        /// Most retries, or no limit.
        retries: Option<u32>,
    },
}

impl Transport {
    /// A short name for menus and the diagram.
    pub fn name(&self) -> &'static str {
        match self {
            Transport::Lab => "Lab bus",
            Transport::ServiceBus(sb) if sb.sessions => "Service Bus (sessions)",
            Transport::ServiceBus(_) => "Service Bus",
            Transport::EventGrid(_) => "Event Grid",
            Transport::EventHubs(_) => "Event Hubs",
            Transport::ChangeFeed(cf) => match cf.host {
                ChangeFeedHost::Processor => "Change feed processor",
                ChangeFeedHost::Functions | ChangeFeedHost::FunctionsWithRetry => {
                    "Change feed + Functions"
                }
            },
        }
    }

    /// True when events reach the projections straight from the store's change feed.
    pub fn is_change_feed(&self) -> bool {
        matches!(self, Transport::ChangeFeed(_))
    }

    /// What one subscription works with, given its `own` settings (of the same service,
    /// or ignored): its own where the service sets them per subscription — a Service Bus
    /// subscription's sessions, lock, delivery count and time-to-live, an Event Grid
    /// subscription's retry policy, dead-letter container and batching, an Event Hubs
    /// consumer's checkpoints, a change feed reader — and the bus's where the service
    /// sets them for the whole entity: a topic's duplicate detection, a hub's partitions
    /// and retention. Sources: a subscription's own properties
    /// (<https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.administration.createsubscriptionoptions>:
    /// `RequiresSession`, `LockDuration`, `MaxDeliveryCount`, `DefaultMessageTimeToLive`,
    /// `DeadLetteringOnMessageExpiration`); an event subscription's retry policy and
    /// dead-letter location
    /// (<https://learn.microsoft.com/azure/event-grid/manage-event-delivery>) and batching
    /// (<https://learn.microsoft.com/azure/event-grid/delivery-and-retry>).
    pub fn for_subscription(self, own: Option<Transport>) -> Transport {
        match (self, own) {
            (Transport::ServiceBus(topic), Some(Transport::ServiceBus(sub))) => {
                Transport::ServiceBus(ServiceBus {
                    duplicate_detection: topic.duplicate_detection,
                    ..sub
                })
            }
            (Transport::EventHubs(hub), Some(Transport::EventHubs(group))) => {
                Transport::EventHubs(EventHubs {
                    checkpoint_every: group.checkpoint_every,
                    ..hub
                })
            }
            (Transport::EventGrid(_), Some(own @ Transport::EventGrid(_)))
            | (Transport::ChangeFeed(_), Some(own @ Transport::ChangeFeed(_))) => own,
            (bus, _) => bus,
        }
    }

    /// The settings `subscription` works with, given each subscription's `own`.
    pub fn of_subscription(self, own: &Subscriptions, subscription: ProjectionName) -> Transport {
        let mine = own.get(subscription.index()).copied().flatten();
        self.for_subscription(mine)
    }

    /// The subscriptions whose settings differ from the bus's (another service's
    /// settings, which are ignored, do not count).
    pub fn differing(self, own: &Subscriptions) -> impl Iterator<Item = ProjectionName> + '_ {
        ProjectionName::ALL
            .into_iter()
            .filter(move |n| self.of_subscription(own, *n) != self)
    }

    /// The event hub, when this is one.
    pub fn hub(&self) -> Option<&EventHubs> {
        match self {
            Transport::EventHubs(hub) => Some(hub),
            _ => None,
        }
    }
}
