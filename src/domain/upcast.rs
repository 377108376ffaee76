//! Upcasters: turn stored events of an old schema into the current shape on read.
//! Stored events never change; only what a reader sees does.

use super::envelope::{EventEnvelope, SharedEvent};
use super::ids::SchemaVersion;
use super::money::Currency;
use super::order::OrderEvent;
use std::rc::Rc;

/// The newest schema version any event has.
pub const LATEST_SCHEMA: SchemaVersion = SchemaVersion(2);

/// The event in the latest shape: `OrderCreated` v1 becomes v2 in US dollars (every v1
/// order was); anything already current is returned as it is, without a copy.
pub fn upcast(event: &SharedEvent) -> SharedEvent {
    match &event.event {
        OrderEvent::OrderCreated {
            customer_id,
            currency: None,
            personal,
        } => {
            let mut current = EventEnvelope::clone(event);
            current.schema_version = SchemaVersion(2);
            current.event = OrderEvent::OrderCreated {
                customer_id: customer_id.clone(),
                currency: Some(Currency::usd()),
                personal: personal.clone(),
            };
            Rc::new(current)
        }
        _ => Rc::clone(event),
    }
}
