//! The transports as the page offers them: one profile per service at its documented
//! defaults, the settings a user may change, and each setting's value beside Azure's
//! default and the Microsoft Learn page that gives it.

use crate::domain::ids::VirtualMillis;
pub use crate::engine::transport::choice::{
    with, TransportKind, TransportOption, BATCH_CHOICES, CHECKPOINT_CHOICES,
    DELIVERY_COUNT_CHOICES, MAX_ATTEMPTS_CHOICES, PARTITION_CHOICES, TTL_CHOICES, WINDOW_CHOICES,
};
use crate::engine::transport::{
    ChangeFeed, ChangeFeedHost, EventGrid, EventHubs, ReceiveMode, ServiceBus, Transport,
    CHANGE_FEED_RETRIES, MAX_CONCURRENT_CALLS,
};

/// Learn: Service Bus dead-letter queues (max delivery count 10).
const SB_DLQ: &str =
    "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues";
/// Learn: the lock duration (60 s by default, at most 5 min).
const SB_LOCK: &str = "https://learn.microsoft.com/dotnet/api/azure.messaging.servicebus.administration.createsubscriptionoptions.lockduration";
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

/// A control of the transport's settings, as the page shows it.
#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// A checkbox: its id, label, state, and the option it sends.
    Check(
        &'static str,
        &'static str,
        bool,
        fn(bool) -> TransportOption,
    ),
    /// A select of numbers: its id, label, choices, the current one, and the option it
    /// sends (a 0 choice reads "none").
    Pick(
        &'static str,
        &'static str,
        &'static [u32],
        u32,
        fn(u32) -> TransportOption,
    ),
}

/// The controls of the transport in force: for the whole bus, or (`subscription`) for
/// one subscription — without the entity's own settings, with the ones the menu sets
/// for the whole bus (sessions, the change feed's reader).
pub fn controls(transport: &Transport, subscription: bool) -> Vec<Control> {
    use TransportOption as O;
    let all = match transport {
        Transport::ServiceBus(sb) => service_bus_controls(sb),
        Transport::EventGrid(grid) => event_grid_controls(grid),
        Transport::EventHubs(hub) => event_hubs_controls(hub),
        Transport::ChangeFeed(cf) => change_feed_controls(cf),
        Transport::Lab => Vec::new(),
    };
    all.into_iter()
        .filter(|c| {
            let option = c.option();
            let menu = matches!(option, O::Sessions(_) | O::Functions(_));
            if subscription {
                !option.entity_wide()
            } else {
                !menu
            }
        })
        .collect()
}

fn service_bus_controls(sb: &ServiceBus) -> Vec<Control> {
    use Control::{Check, Pick};
    use TransportOption as O;
    vec![
        Check(
            "sb-sessions",
            "Sessions (FIFO per order)",
            sb.sessions,
            O::Sessions,
        ),
        Check(
            "sb-receive-delete",
            "ReceiveAndDelete (an SDK receiver; at most once)",
            sb.receive_mode == ReceiveMode::ReceiveAndDelete,
            O::ReceiveAndDelete,
        ),
        Pick(
            "sb-duplicates",
            "Duplicate detection window (min)",
            &WINDOW_CHOICES,
            sb.duplicate_detection
                .map_or(0, |w| u32::try_from(w.0 / 60_000).unwrap_or(u32::MAX)),
            O::DuplicateWindow,
        ),
        Pick(
            "sb-deliveries",
            "Max delivery count",
            &DELIVERY_COUNT_CHOICES,
            sb.max_delivery_count,
            O::MaxDeliveryCount,
        ),
        Pick(
            "sb-ttl",
            "Message time-to-live (s)",
            &TTL_CHOICES,
            sb.time_to_live
                .map_or(0, |t| u32::try_from(t.0 / 1000).unwrap_or(u32::MAX)),
            O::TimeToLive,
        ),
        Check(
            "sb-expiry-dlq",
            "Dead-letter expired messages",
            sb.dead_letter_on_expiration,
            O::DeadLetterOnExpiration,
        ),
    ]
}

fn event_grid_controls(grid: &EventGrid) -> Vec<Control> {
    use Control::{Check, Pick};
    use TransportOption as O;
    vec![
        Check(
            "grid-dead-letter",
            "Dead-letter container",
            grid.dead_letter,
            O::DeadLetterContainer,
        ),
        Pick(
            "grid-attempts",
            "Max attempts",
            &MAX_ATTEMPTS_CHOICES,
            grid.max_attempts,
            O::MaxAttempts,
        ),
        Pick(
            "grid-batch",
            "Max events per batch",
            &BATCH_CHOICES,
            grid.max_events_per_batch,
            O::EventsPerBatch,
        ),
    ]
}

fn event_hubs_controls(hub: &EventHubs) -> Vec<Control> {
    use TransportOption as O;
    vec![
        Control::Pick(
            "hub-partitions",
            "Partitions",
            &PARTITION_CHOICES,
            hub.partitions,
            O::Partitions,
        ),
        Control::Pick(
            "hub-checkpoint",
            "Checkpoint every (events)",
            &CHECKPOINT_CHOICES,
            hub.checkpoint_every,
            O::CheckpointEvery,
        ),
    ]
}

fn change_feed_controls(cf: &ChangeFeed) -> Vec<Control> {
    use TransportOption as O;
    let functions = cf.host != ChangeFeedHost::Processor;
    let mut feed = vec![Control::Check(
        "feed-functions",
        "Functions trigger (not the processor)",
        functions,
        O::Functions,
    )];
    if functions {
        feed.push(Control::Check(
            "feed-retry",
            "Retry policy (5 retries)",
            cf.host == ChangeFeedHost::FunctionsWithRetry,
            O::RetryPolicy,
        ));
    }
    feed
}

impl Control {
    /// The option the control sends (at some value: which setting it is).
    pub fn option(self) -> TransportOption {
        match self {
            Control::Check(_, _, _, option) => option(false),
            Control::Pick(_, _, _, current, option) => option(current),
        }
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
    /// The Microsoft Learn page that documents it.
    pub source: &'static str,
}

/// A setting's words: its name, Azure's default, opt-in or not, its source.
type Row = (&'static str, &'static str, bool, &'static str);

const SERVICE_BUS: [Row; 9] = [
    ("Sessions", "off", true, SB_SESSIONS),
    (
        "Concurrent handlers",
        "16 (maxConcurrentCalls)",
        false,
        SB_FUNCTIONS,
    ),
    (
        "Receive mode",
        "PeekLock (the Functions trigger's only mode)",
        false,
        SB_MODES,
    ),
    ("Lock duration", "60 s (at most 5 min)", false, SB_LOCK),
    (
        "Lock renewal",
        "5 min (maxAutoLockRenewalDuration)",
        false,
        SB_FUNCTIONS,
    ),
    ("Max delivery count", "10", false, SB_DLQ),
    (
        "Duplicate detection",
        "off; when on, 10 min (20 s to 7 days)",
        true,
        SB_DUPLICATES,
    ),
    (
        "Message time-to-live",
        "none (TimeSpan.MaxValue)",
        true,
        SB_EXPIRY,
    ),
    ("Dead-letter on expiration", "off", true, SB_EXPIRY),
];

const EVENT_GRID: [Row; 6] = [
    ("Delivery", "at least once, no order", false, GRID),
    ("Events per delivery", "1 (batching is opt-in)", false, GRID),
    ("Retry schedule", "fixed schedule, best effort", false, GRID),
    ("Max attempts", "30 (1 to 30)", false, GRID),
    ("Event time-to-live", "1,440 min (24 h)", false, GRID),
    ("Dead-letter container", "off", true, GRID),
];

const EVENT_HUBS: [Row; 5] = [
    (
        "Partitions",
        "chosen at creation: 1 to 32 (Standard)",
        false,
        HUBS_QUOTAS,
    ),
    (
        "Consumer groups",
        "$Default, up to 20 (Standard)",
        false,
        HUBS_QUOTAS,
    ),
    ("Checkpoint", "the consumer's choice", false, HUBS),
    (
        "Retention",
        "1 h (the least; up to 7 days on Standard)",
        false,
        HUBS,
    ),
    (
        "A failed event (Functions trigger)",
        "no retry unless a retry policy is set",
        false,
        HUBS_FUNCTIONS,
    ),
];

const CHANGE_FEED: [Row; 5] = [
    ("Reader", "your choice", false, FEED_PROCESSOR),
    ("Order", "per logical partition key", false, FEED),
    (
        "Outbox",
        "one container and partition per transactional batch",
        false,
        BATCH,
    ),
    (
        "A failed batch",
        "processor: retried; Functions trigger: not retried",
        false,
        FEED_FUNCTIONS,
    ),
    ("Retry policy", "none", true, RETRIES),
];

/// How long a duration is, for people.
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
    let (rows, values): (&[Row], Vec<String>) = match transport {
        Transport::Lab => (&[], Vec::new()),
        Transport::ServiceBus(sb) => (&SERVICE_BUS, service_bus(sb)),
        Transport::EventGrid(grid) => (&EVENT_GRID, event_grid(grid)),
        Transport::EventHubs(hub) => (&EVENT_HUBS, event_hubs(hub)),
        Transport::ChangeFeed(cf) => (&CHANGE_FEED, change_feed(cf)),
    };
    rows.iter()
        .zip(values)
        .map(|(&(name, azure_default, opt_in, source), value)| Setting {
            name,
            value,
            azure_default,
            opt_in,
            source,
        })
        .collect()
}

fn service_bus(sb: &ServiceBus) -> Vec<String> {
    vec![
        on_off(sb.sessions),
        if sb.sessions {
            "one per session".into()
        } else {
            MAX_CONCURRENT_CALLS.to_string()
        },
        match sb.receive_mode {
            ReceiveMode::PeekLock => "PeekLock",
            ReceiveMode::ReceiveAndDelete => "ReceiveAndDelete",
        }
        .into(),
        duration(sb.lock_duration),
        duration(sb.max_auto_lock_renewal),
        sb.max_delivery_count.to_string(),
        sb.duplicate_detection
            .map_or("off".into(), |w| format!("on, {}", duration(w))),
        sb.time_to_live
            .map_or("none (never expires)".into(), duration),
        on_off(sb.dead_letter_on_expiration),
    ]
}

fn event_grid(grid: &EventGrid) -> Vec<String> {
    vec![
        "at least once, no order".into(),
        grid.max_events_per_batch.to_string(),
        "10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h".into(),
        grid.max_attempts.to_string(),
        duration(grid.time_to_live),
        on_off(grid.dead_letter),
    ]
}

fn event_hubs(hub: &EventHubs) -> Vec<String> {
    vec![
        hub.partitions.to_string(),
        "one per projection".into(),
        format!("every {} events per partition", hub.checkpoint_every),
        duration(hub.retention),
        "lost (the checkpoint moves on)".into(),
    ]
}

fn change_feed(cf: &ChangeFeed) -> Vec<String> {
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
        reader.into(),
        "per order (the logical partition)".into(),
        "the change feed itself".into(),
        failed,
        on_off(cf.host == ChangeFeedHost::FunctionsWithRetry),
    ]
}
