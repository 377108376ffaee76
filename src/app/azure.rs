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
        Mapping {
            component: "Outbox and relay",
            service: "Cosmos DB change feed (or outbox items in the events' container) read by Azure Functions",
            defaults: vec![
                "The event and its outbox item are written in one transactional batch (same container and partition key); a relay publishes them: nothing is lost, some may repeat.".into(),
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
                "Service Bus: at-least-once delivery with peek-lock; topics and subscriptions fan out; message TTL unlimited unless the entity sets one.".into(),
                "Event Grid: push to many subscribers, at-least-once, no order guarantee; retries 24 h, no dead-lettering unless set.".into(),
                "Duplicate detection by message id: off by default, set at creation, window 10 min by default (20 s to 7 days); after 10 deliveries a message is dead-lettered.".into(),
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
            service: "Azure Cosmos DB, Azure Managed Redis, or Azure SQL Database",
            defaults: vec![
                "Cosmos DB for low-latency point reads; Azure Managed Redis for in-memory reads; SQL Database for complex queries.".into(),
                "A read model can be rebuilt from scratch by replaying the event store.".into(),
            ],
            in_the_lab: "Order summary, orders per customer, revenue per day: kept row by row in IndexedDB.".into(),
        },
    ]
}
