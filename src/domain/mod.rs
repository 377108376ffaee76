//! The domain: identifiers, money, the Order, Payment and Inventory aggregates, the
//! fulfilment saga (a process manager) and the event envelope. Pure Rust.

pub mod envelope;
pub mod ids;
pub mod inventory;
pub mod money;
pub mod order;
pub mod payment;
pub mod privacy;
pub mod saga;
pub mod saga_step;
pub mod text;
pub mod upcast;
