//! Which Azure service each component of the simulated system stands for, with the
//! defaults that matter; the lab's own setting is shown beside each where it simulates
//! one.

use crate::engine::config::EngineConfig;

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
    let bus = &config.bus;
    let window = bus
        .detection_window()
        .map_or("off".to_owned(), |w| format!("{} s", w.0 / 1000));
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
                "Partition key = the aggregate id, e.g. /orderId: one stream per partition, writes scale out.".into(),
                "Change feed enabled: it publishes every appended event, in order per partition.".into(),
                "Default TTL -1: events never expire (a finite TTL silently deletes history).".into(),
                "Session consistency for writes; eventual consistency is fine for reads.".into(),
            ],
            in_the_lab: format!(
                "IndexedDB in this browser: events keyed by global position, a unique [streamId, version] index for optimistic concurrency, a snapshot every {} events.",
                config.snapshot_every
            ),
        },
        Mapping {
            component: "Outbox and relay",
            service: "Cosmos DB change feed (or an outbox container) read by Azure Functions",
            defaults: vec![
                "The event and its outbox row are written in one transaction; a relay publishes the rows, so a crash between append and publish loses nothing.".into(),
            ],
            in_the_lab: format!(
                "Outbox {}.",
                if config.outbox { "on" } else { "off (dual write)" }
            ),
        },
        Mapping {
            component: "Event bus",
            service: "Azure Service Bus topic with one subscription per projection, or Azure Event Grid",
            defaults: vec![
                "Service Bus: reliable, at-least-once delivery; topics and subscriptions fan out; message TTL at most 14 days.".into(),
                "Event Grid: event routing to many subscribers, at-least-once delivery.".into(),
                "Duplicate detection by message id (window 20 s to 7 days); after the max delivery count (10) a message goes to the dead-letter queue.".into(),
            ],
            in_the_lab: format!(
                "Duplicate detection window {window}; max delivery count {}; lock {} s.",
                bus.max_delivery_count,
                bus.lock_duration.0 / 1000
            ),
        },
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
            service: "Azure Cosmos DB, Azure Cache for Redis, or Azure SQL Database",
            defaults: vec![
                "Cosmos DB for low-latency point reads; Redis for sub-millisecond reads; SQL Database for complex queries.".into(),
                "A read model can be rebuilt from scratch by replaying the event store.".into(),
            ],
            in_the_lab: "Order summary, orders per customer, revenue per day: kept row by row in IndexedDB.".into(),
        },
    ]
}
