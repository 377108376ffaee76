//! Which Azure service each component of the simulated system stands for, with the
//! defaults that matter; the lab's own setting is shown beside each where it simulates
//! one.

use crate::engine::config::EngineConfig;
use crate::engine::transport::Transport;

/// One component and its Azure counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The component, as the diagram names it.
    pub component: &'static str,
    /// The Azure service (or services) it stands for.
    pub service: &'static str,
    /// The defaults and settings that matter for the exam and for production.
    pub defaults: Vec<String>,
    /// What the lab simulates of it, with its current settings.
    pub in_the_lab: String,
}

/// The mapping, in the diagram's order, with the lab's settings from `config`.
pub fn mapping(config: &EngineConfig) -> Vec<Mapping> {
    vec![
        Mapping {
            component: "Client → command handler",
            service: "Azure Functions (HTTP trigger)",
            defaults: vec![
                "A command handler validates the command against the aggregate's rules and appends events; a rejected command stores nothing.".into(),
                "Commands are imperative (PlaceOrder) and can fail; events are facts and always succeed once stored.".into(),
            ],
            in_the_lab: format!(
                "{} handler{}; a conflict is shown, not retried behind your back.",
                config.handlers,
                if config.handlers == 1 { "" } else { "s" }
            ),
        },
        Mapping {
            component: "Event store",
            service: "Azure Cosmos DB (container per aggregate type)",
            defaults: vec![
                "Partition key = the aggregate id, e.g. /orderId: one stream per logical partition (20 GB max), writes scale out.".into(),
                "Change feed (on by default, latest version mode): consumers read creates and updates in order per partition key; no deletes.".into(),
                "TTL off (no DefaultTimeToLive): no event expires. -1 turns TTL on, so an item with its own ttl would expire.".into(),
                "Session consistency (the default) governs reads: a client reads its own writes; other readers may lag.".into(),
            ],
            in_the_lab: format!(
                "IndexedDB in this browser: events keyed by global position, a unique [streamId, version] index for optimistic concurrency, a snapshot every {} events.",
                config.snapshot_every
            ),
        },
        outbox_row(config),
        bus_row(config),
        Mapping {
            component: "Projections",
            service: "Azure Functions triggered by the change feed, Service Bus or Event Grid",
            defaults: vec![
                "Projections must be idempotent: the same event delivered twice must not corrupt the read model.".into(),
                "They lag behind writes: read models are eventually consistent.".into(),
            ],
            in_the_lab: "Three projections, each naive or idempotent, each with a checkpoint saved with its rows.".into(),
        },
        Mapping {
            component: "Read models and queries",
            service: "Azure Cosmos DB, Azure Managed Redis, or Azure SQL Database",
            defaults: vec![
                "Cosmos DB for low-latency point reads; Azure Managed Redis for in-memory reads; SQL Database for complex queries.".into(),
                "A read model can be rebuilt from scratch by replaying the event store.".into(),
            ],
            in_the_lab: "Order summary, orders per customer, revenue per day: kept row by row in IndexedDB.".into(),
        },
    ]
}

/// The Azure service the event bus stands for, with the transport in force.
fn service(transport: &Transport) -> &'static str {
    match transport {
        Transport::Lab => "Azure Service Bus, Event Grid, Event Hubs or the Cosmos DB change feed (choose one under Transport)",
        Transport::ServiceBus(_) => "Azure Service Bus topic, one subscription per projection, read by the Functions trigger",
        Transport::EventGrid(_) => "Azure Event Grid, one event subscription per projection (push)",
        Transport::EventHubs(_) => "Azure Event Hubs, one consumer group per projection",
        Transport::ChangeFeed(_) => "No bus: the Azure Cosmos DB change feed, one processor per projection",
    }
}

/// The outbox's row: the transactional batch rule, and the outbox in force.
fn outbox_row(config: &EngineConfig) -> Mapping {
    let bus = &config.bus;
    Mapping {
        component: "Outbox and relay",
        service: "Cosmos DB change feed (or outbox items in the events' container) read by Azure Functions",
        defaults: vec![
            "A transactional batch spans one container and one logical partition: the outbox item lives in the event's container under the same partition key, and both are written together; a relay publishes them: nothing is lost, some may repeat.".into(),
            "Or no outbox table at all: the change feed of the events' container is the outbox.".into(),
        ],
        in_the_lab: if bus.transport.is_change_feed() {
            "The change feed is the outbox: the projections read the events as they are written.".into()
        } else {
            format!(
                "Outbox {}.",
                if config.outbox { "on: each event's outbox row is written in the event's own transaction" } else { "off (dual write)" }
            )
        },
    }
}

/// The event bus's row: the transport in force and its settings.
fn bus_row(config: &EngineConfig) -> Mapping {
    let bus = &config.bus;
    let window = bus
        .detection_window()
        .map_or("off".to_owned(), |w| format!("{} s", w.0 / 1000));
    Mapping {
        component: "Event bus",
        service: service(&bus.transport),
        defaults: vec![
            "Service Bus: FIFO only with sessions; Event Grid: no order, drops what it cannot deliver unless dead-lettering is set; Event Hubs: order per partition, consumers checkpoint; change feed: order per partition key.".into(),
        ],
        in_the_lab: match &bus.transport {
            Transport::Lab => format!(
                "The lab's own bus: duplicate detection window {window}; max delivery count {}; lock {} s.",
                bus.max_delivery_count,
                bus.lock_duration.0 / 1000
            ),
            other => format!("{}: every setting is in the table below.", other.name()),
        },
    }
}
