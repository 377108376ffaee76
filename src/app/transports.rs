//! The transports as the page offers them: one profile per service at its documented
//! defaults, the settings a user may change, and each setting's value beside Azure's
//! default and the Microsoft Learn page that gives it.

use crate::domain::ids::VirtualMillis;
use crate::engine::transport::{
    ChangeFeed, ChangeFeedHost, EventGrid, EventHubs, ReceiveMode, ServiceBus, Transport,
    CHANGE_FEED_RETRIES, DEFAULT_DETECTION_WINDOW, MAX_CONCURRENT_CALLS,
};

/// Learn: Service Bus dead-letter queues (max delivery count 10).
const SB_DLQ: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues";
/// Learn: the lock duration (60 s by default, at most 5 min).
const SB_LOCK: &str = "https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.administration.createqueueoptions.lockduration";
/// Learn: duplicate detection.
const SB_DUPLICATES: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection";
/// Learn: message sessions.
const SB_SESSIONS: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/message-sessions";
/// Learn: receive modes and settlement.
const SB_MODES: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement";
/// Learn: message expiration.
const SB_EXPIRY: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/message-expiration";
/// Learn: the Functions Service Bus host.json settings.
const SB_FUNCTIONS: &str = "https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus#hostjson-settings";
/// Learn: Event Grid delivery and retry.
const GRID: &str = "https://learn.microsoft.com/azure/event-grid/delivery-and-retry";
/// Learn: Event Hubs features.
const HUBS: &str = "https://learn.microsoft.com/azure/event-hubs/event-hubs-features";
/// Learn: Event Hubs quotas (partitions per tier).
const HUBS_QUOTAS: &str = "https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas";
/// Learn: reliable event processing with Functions (checkpoints after a failure).
const HUBS_FUNCTIONS: &str =
    "https://learn.microsoft.com/azure/azure-functions/functions-reliable-event-processing";
/// Learn: the change feed (order per logical partition key).
const FEED: &str = "https://learn.microsoft.com/azure/cosmos-db/change-feed";
/// Learn: the change feed processor (leases, retries of a failed batch).
const FEED_PROCESSOR: &str =
    "https://learn.microsoft.com/azure/cosmos-db/nosql/change-feed-processor";
/// Learn: the Functions Cosmos DB trigger does not retry a failed batch by default.
const FEED_FUNCTIONS: &str =
    "https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-changefeed-functions";
/// Learn: Functions retry policies.
const RETRIES: &str =
    "https://learn.microsoft.com/azure/azure-functions/functions-bindings-error-pages#retries";
/// Learn: transactional batch (one container, one logical partition).
const BATCH: &str = "https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch";

/// A transport as the menu offers it, at its documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The lab's own bus.
    Lab,
    /// Service Bus topic, no sessions.
    ServiceBus,
    /// Service Bus topic with sessions (session id = order id).
    ServiceBusSessions,
    /// Event Grid.
    EventGrid,
    /// Event Hubs.
    EventHubs,
    /// The change feed, read by the change feed processor.
    ChangeFeedProcessor,
    /// The change feed, read by the Functions Cosmos DB trigger.
    ChangeFeedFunctions,
}

impl TransportKind {
    /// Every choice, in menu order.
    pub const ALL: [TransportKind; 7] = [
        TransportKind::Lab,
        TransportKind::ServiceBus,
        TransportKind::ServiceBusSessions,
        TransportKind::EventGrid,
        TransportKind::EventHubs,
        TransportKind::ChangeFeedProcessor,
        TransportKind::ChangeFeedFunctions,
    ];

    /// A stable value for the menu.
    pub fn key(self) -> &'static str {
        match self {
            TransportKind::Lab => "lab",
            TransportKind::ServiceBus => "service-bus",
            TransportKind::ServiceBusSessions => "service-bus-sessions",
            TransportKind::EventGrid => "event-grid",
            TransportKind::EventHubs => "event-hubs",
            TransportKind::ChangeFeedProcessor => "change-feed-processor",
            TransportKind::ChangeFeedFunctions => "change-feed-functions",
        }
    }

    /// The menu's text.
    pub fn label(self) -> &'static str {
        match self {
            TransportKind::Lab => "Lab bus (every fault a knob; not an Azure service)",
            TransportKind::ServiceBus => "Service Bus topic (Functions trigger)",
            TransportKind::ServiceBusSessions => "Service Bus topic with sessions",
            TransportKind::EventGrid => "Event Grid (push)",
            TransportKind::EventHubs => "Event Hubs (consumer groups)",
            TransportKind::ChangeFeedProcessor => "Cosmos DB change feed processor",
            TransportKind::ChangeFeedFunctions => "Cosmos DB change feed + Functions trigger",
        }
    }

    /// The choice a menu value names.
    pub fn from_key(key: &str) -> Option<TransportKind> {
        TransportKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The transport at its documented defaults.
    pub fn transport(self) -> Transport {
        match self {
            TransportKind::Lab => Transport::Lab,
            TransportKind::ServiceBus => Transport::ServiceBus(ServiceBus::default()),
            TransportKind::ServiceBusSessions => Transport::ServiceBus(ServiceBus {
                sessions: true,
                ..ServiceBus::default()
            }),
            TransportKind::EventGrid => Transport::EventGrid(EventGrid::default()),
            TransportKind::EventHubs => Transport::EventHubs(EventHubs::default()),
            TransportKind::ChangeFeedProcessor => Transport::ChangeFeed(ChangeFeed::default()),
            TransportKind::ChangeFeedFunctions => Transport::ChangeFeed(ChangeFeed {
                host: ChangeFeedHost::Functions,
            }),
        }
    }

    /// The menu choice a transport falls under.
    pub fn of(transport: &Transport) -> TransportKind {
        match transport {
            Transport::Lab => TransportKind::Lab,
            Transport::ServiceBus(sb) if sb.sessions => TransportKind::ServiceBusSessions,
            Transport::ServiceBus(_) => TransportKind::ServiceBus,
            Transport::EventGrid(_) => TransportKind::EventGrid,
            Transport::EventHubs(_) => TransportKind::EventHubs,
            Transport::ChangeFeed(cf) if cf.host == ChangeFeedHost::Processor => {
                TransportKind::ChangeFeedProcessor
            }
            Transport::ChangeFeed(_) => TransportKind::ChangeFeedFunctions,
        }
    }
}

/// A setting the page lets the user change on the transport in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportOption {
    /// Service Bus: ReceiveAndDelete instead of PeekLock.
    ReceiveAndDelete(bool),
    /// Service Bus: duplicate detection on (10 min window) or off.
    DuplicateDetection(bool),
    /// Service Bus: a message time-to-live in seconds, or none.
    TimeToLive(Option<u64>),
    /// Service Bus: expired messages to the dead-letter queue.
    DeadLetterOnExpiration(bool),
    /// Event Grid: a dead-letter container is set.
    DeadLetterContainer(bool),
    /// Event Grid: most delivery attempts.
    MaxAttempts(u32),
    /// Event Hubs: partitions.
    Partitions(u32),
    /// Event Hubs: checkpoint every this many events.
    CheckpointEvery(u32),
    /// Change feed + Functions: a retry policy is set.
    RetryPolicy(bool),
}

/// The choices of Event Grid's "Max attempts" (1–30, default 30).
pub const MAX_ATTEMPTS_CHOICES: [u32; 4] = [1, 3, 10, 30];
/// The choices of Event Hubs' partition count (1–32 on Standard).
pub const PARTITION_CHOICES: [u32; 4] = [1, 2, 4, 32];
/// The choices of the Event Hubs consumer's checkpoint interval.
pub const CHECKPOINT_CHOICES: [u32; 3] = [1, 10, 100];
/// The choices of a Service Bus message time-to-live, in seconds (none: never expires).
pub const TTL_CHOICES: [Option<u64>; 4] = [None, Some(1), Some(10), Some(60)];

/// The transport with one setting changed (a setting of another service changes nothing).
pub fn with(transport: Transport, option: TransportOption) -> Transport {
    use TransportOption as O;
    match (transport, option) {
        (Transport::ServiceBus(sb), option) => Transport::ServiceBus(match option {
            O::ReceiveAndDelete(on) => ServiceBus {
                receive_mode: if on {
                    ReceiveMode::ReceiveAndDelete
                } else {
                    ReceiveMode::PeekLock
                },
                ..sb
            },
            O::DuplicateDetection(on) => ServiceBus {
                duplicate_detection: on.then_some(DEFAULT_DETECTION_WINDOW),
                ..sb
            },
            O::TimeToLive(seconds) => ServiceBus {
                time_to_live: seconds.map(|s| VirtualMillis(s.saturating_mul(1000))),
                ..sb
            },
            O::DeadLetterOnExpiration(on) => ServiceBus {
                dead_letter_on_expiration: on,
                ..sb
            },
            _ => sb,
        }),
        (Transport::EventGrid(grid), option) => Transport::EventGrid(match option {
            O::DeadLetterContainer(on) => EventGrid {
                dead_letter: on,
                ..grid
            },
            O::MaxAttempts(n) => EventGrid {
                max_attempts: n.clamp(1, 30),
                ..grid
            },
            _ => grid,
        }),
        (Transport::EventHubs(hub), option) => Transport::EventHubs(match option {
            O::Partitions(n) => EventHubs {
                partitions: n.clamp(1, 32),
                ..hub
            },
            O::CheckpointEvery(n) => EventHubs {
                checkpoint_every: n.max(1),
                ..hub
            },
            _ => hub,
        }),
        (Transport::ChangeFeed(cf), O::RetryPolicy(on)) if cf.host != ChangeFeedHost::Processor => {
            Transport::ChangeFeed(ChangeFeed {
                host: if on {
                    ChangeFeedHost::FunctionsWithRetry
                } else {
                    ChangeFeedHost::Functions
                },
            })
        }
        (other, _) => other,
    }
}

/// One setting of the transport in force: the lab's value, Azure's default (or "opt-in"
/// for a feature that is off unless turned on), and where Learn says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The setting's name.
    pub name: &'static str,
    /// Its value in the lab now.
    pub value: String,
    /// Azure's default, or what the setting is when nobody sets it.
    pub azure_default: &'static str,
    /// True for a feature Azure leaves off until it is turned on.
    pub opt_in: bool,
    /// What it does, in a sentence.
    pub meaning: &'static str,
    /// The Microsoft Learn page that documents it.
    pub source: &'static str,
}

/// How many seconds or minutes a duration is, for people.
fn duration(ms: VirtualMillis) -> String {
    match ms.0 {
        ms if ms % 3_600_000 == 0 => format!("{} h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{} min", ms / 60_000),
        ms => format!("{} s", ms / 1000),
    }
}

/// On or off, for people.
fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.to_owned()
}

/// The settings of a transport, in the order the page shows them (none for the lab's
/// bus, whose every behaviour is a knob).
pub fn settings(transport: &Transport) -> Vec<Setting> {
    match transport {
        Transport::Lab => Vec::new(),
        Transport::ServiceBus(sb) => service_bus(sb),
        Transport::EventGrid(grid) => event_grid(grid),
        Transport::EventHubs(hub) => event_hubs(hub),
        Transport::ChangeFeed(cf) => change_feed(cf),
    }
}

fn setting(
    (name, value, azure_default): (&'static str, String, &'static str),
    opt_in: bool,
    meaning: &'static str,
    source: &'static str,
) -> Setting {
    Setting {
        name,
        value,
        azure_default,
        opt_in,
        meaning,
        source,
    }
}

fn service_bus(sb: &ServiceBus) -> Vec<Setting> {
    let peek_lock = sb.receive_mode == ReceiveMode::PeekLock;
    vec![
        setting(("Sessions", on_off(sb.sessions), "off"), true, "With sessions (session id = the order id) each order's messages are handled first in, first out; without, order is not kept.", SB_SESSIONS),
        setting(("Concurrent handlers", if sb.sessions { "one per session".into() } else { MAX_CONCURRENT_CALLS.to_string() }, "16 (maxConcurrentCalls)"), false, "Without sessions the Functions trigger handles up to 16 messages at once per instance, so they finish in any order.", SB_FUNCTIONS),
        setting(("Receive mode", if peek_lock { "PeekLock".into() } else { "ReceiveAndDelete".into() }, "PeekLock"), false, "PeekLock delivers at least once: a failed message comes back. ReceiveAndDelete delivers at most once: a failed message is lost.", SB_MODES),
        setting(("Lock duration", duration(sb.lock_duration), "60 s (at most 5 min)"), false, "A message is locked while it is handled; the lock expires and it is delivered again unless it is renewed.", SB_LOCK),
        setting(("Lock renewal", duration(sb.max_auto_lock_renewal), "5 min (maxAutoLockRenewalDuration)"), false, "The Functions trigger renews the lock while the function runs, up to this long: only a handler slower than that loses its message.", SB_FUNCTIONS),
        setting(("Max delivery count", sb.max_delivery_count.to_string(), "10"), false, "A message delivered this many times without completing goes to the subscription's dead-letter queue.", SB_DLQ),
        setting(("Duplicate detection", sb.duplicate_detection.map_or("off".into(), |w| format!("on, {}", duration(w))), "off; when on, 10 min (20 s to 7 days)"), true, "Chosen when the topic is created (not in Basic): a second send of the same message id within the window is dropped. A redelivery after a lost lock is not a second send.", SB_DUPLICATES),
        setting(("Message time-to-live", sb.time_to_live.map_or("none (never expires)".into(), duration), "none (TimeSpan.MaxValue)"), true, "A message not handled within its time-to-live expires.", SB_EXPIRY),
        setting(("Dead-letter on expiration", on_off(sb.dead_letter_on_expiration), "off"), true, "Off: expired messages are dropped. On: they go to the dead-letter queue.", SB_EXPIRY),
    ]
}

fn event_grid(grid: &EventGrid) -> Vec<Setting> {
    vec![
        setting(("Delivery", "at least once, no order".into(), "at least once, no order"), false, "Event Grid pushes each event to the handler and may deliver events out of order.", GRID),
        setting(("Events per delivery", grid.max_events_per_batch.to_string(), "1 (batching is opt-in)"), false, "By default each delivery carries one event.", GRID),
        setting(("Retry schedule", "10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h".into(), "the same, best effort"), false, "After a failed delivery (or no answer within 30 s) Event Grid waits this long before each retry. 400, 403 and 413 are not retried.", GRID),
        setting(("Max attempts", grid.max_attempts.to_string(), "30 (1 to 30)"), false, "The retry policy gives up after this many attempts.", GRID),
        setting(("Event time-to-live", duration(grid.time_to_live), "1,440 min (24 h)"), false, "The retry policy also gives up once the event is this old.", GRID),
        setting(("Dead-letter container", on_off(grid.dead_letter), "off"), true, "Off: an event the policy gives up on is dropped (the lab shows it as lost). On: it lands in the storage container.", GRID),
    ]
}

fn event_hubs(hub: &EventHubs) -> Vec<Setting> {
    vec![
        setting(("Partitions", hub.partitions.to_string(), "chosen at creation: 1 to 32 (Standard)"), false, "The partition key (the order id) picks a partition; order is kept within a partition only.", HUBS_QUOTAS),
        setting(("Consumer groups", "one per projection".into(), "$Default, up to 20 (Standard)"), false, "Each consumer group reads the whole hub with its own position.", HUBS),
        setting(("Checkpoint", format!("every {} events per partition", hub.checkpoint_every), "the consumer's choice"), false, "The consumer records its position; after a crash it resumes from the checkpoint, so every event after it is delivered again.", HUBS),
        setting(("Retention", duration(hub.retention), "1 h (the least; up to 7 days on Standard)"), false, "The hub keeps events this long, then they are gone: a hub is not an event store.", HUBS),
        setting(("A failed event", "lost (the checkpoint moves on)".into(), "no retry unless a retry policy is set"), false, "With the Functions trigger the checkpoint advances whether the function succeeded or not, so an unhandled exception loses the events.", HUBS_FUNCTIONS),
    ]
}

fn change_feed(cf: &ChangeFeed) -> Vec<Setting> {
    let (reader, failed) = match cf.host {
        ChangeFeedHost::Processor => (
            "change feed processor",
            "sent again until it succeeds (the lease waits)".to_owned(),
        ),
        ChangeFeedHost::Functions => (
            "Functions Cosmos DB trigger",
            "not retried: the lease moves on, the batch is lost".to_owned(),
        ),
        ChangeFeedHost::FunctionsWithRetry => (
            "Functions Cosmos DB trigger",
            format!("retried {CHANGE_FEED_RETRIES} times (a fixed-delay retry policy), then lost"),
        ),
    };
    vec![
        setting(("Reader", reader.into(), "your choice"), false, "No bus at all: a processor per projection reads the events' container's change feed, one lease per partition range.", FEED_PROCESSOR),
        setting(("Order", "per order (the logical partition)".into(), "per logical partition key"), false, "Changes come in order within a partition key, never across them.", FEED),
        setting(("Outbox", "the change feed itself".into(), "one container and partition per transactional batch"), false, "A transactional batch spans one container and one logical partition, so an outbox row must live with its event; here the change feed of the events is the outbox.", BATCH),
        setting(("A failed batch", failed, if cf.host == ChangeFeedHost::Processor { "retried (at least once)" } else { "not retried (Functions trigger)" }), false, "The processor checkpoints a lease only after a batch succeeds. The Functions trigger does not retry a failed batch unless a retry policy is set.", if cf.host == ChangeFeedHost::Processor { FEED_PROCESSOR } else { FEED_FUNCTIONS }),
        setting(("Retry policy", on_off(cf.host == ChangeFeedHost::FunctionsWithRetry), "none"), true, "A Functions retry policy (fixed delay or exponential backoff) retries the batch and holds the checkpoint until the retries end.", RETRIES),
    ]
}
