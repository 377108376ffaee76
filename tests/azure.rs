//! The Azure mapping: each component's service, its defaults, and the lab's settings.

use cqrs_lab::app::azure::mapping;
use cqrs_lab::app::transports::settings;
use cqrs_lab::engine::config::page_config;
use cqrs_lab::engine::transport::{EventGrid, Transport};

#[test]
fn the_mapping_gives_azures_settings_and_the_labs_own() {
    let mut config = page_config();
    let rows = mapping(&config);
    let components: Vec<&str> = rows.iter().map(|m| m.component).collect();
    assert_eq!(
        components,
        [
            "Client → command handler",
            "Event store",
            "Outbox and relay",
            "Event bus",
            "Projections",
            "Read models and queries"
        ]
    );
    let text = |component: &str| {
        let m = rows
            .iter()
            .find(|m| m.component == component)
            .expect("a row");
        format!("{} {} {}", m.service, m.defaults.join(" "), m.in_the_lab)
    };
    let store = text("Event store");
    for fact in [
        "Cosmos DB",
        "/orderId",
        "Change feed",
        "TTL off",
        "Session consistency",
    ] {
        assert!(store.contains(fact), "{fact}: {store}");
    }
    assert!(store.contains("a snapshot every 100 events"), "{store}");
    let bus = text("Event bus");
    for fact in [
        "Service Bus: FIFO only with sessions",
        "Event Grid: no order",
        "Event Hubs: order per partition",
        "change feed: order per partition key",
    ] {
        assert!(bus.contains(fact), "{fact}: {bus}");
    }
    assert!(
        bus.contains("The lab's own bus: duplicate detection window 600 s"),
        "{bus}"
    );
    config.bus.transport = Transport::EventGrid(EventGrid::default());
    let grid = mapping(&config);
    let bus_row = grid
        .iter()
        .find(|m| m.component == "Event bus")
        .expect("a row");
    assert!(
        bus_row.service.contains("Event Grid"),
        "{}",
        bus_row.service
    );
    assert_eq!(
        bus_row.in_the_lab,
        "Event Grid: every setting is in the table below."
    );
    let rows = settings(&config.bus.transport);
    let row = |name: &str| rows.iter().find(|s| s.name == name).expect(name);
    assert_eq!(row("Max attempts").value, "30");
    assert_eq!(row("Max attempts").azure_default, "30 (1 to 30)");
    assert_eq!(row("Dead-letter container").value, "off");
    assert!(row("Dead-letter container").opt_in);
    assert!(rows
        .iter()
        .all(|s| s.source.starts_with("https://learn.microsoft.com/")));
    config.bus.transport = Transport::Lab;
    assert!(text("Projections").contains("idempotent"));
    let reads = text("Read models and queries");
    for fact in ["Cosmos DB", "Redis", "SQL Database", "rebuilt"] {
        assert!(reads.contains(fact), "{fact}: {reads}");
    }
    assert!(text("Outbox and relay").contains("Outbox on: each event's outbox row"));
    assert!(text("Outbox and relay").contains("one container and one logical partition"));
    config.outbox = false;
    let off = mapping(&config);
    assert!(off[2].in_the_lab.contains("off (dual write)"));
}
