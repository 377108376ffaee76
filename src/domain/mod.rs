//! The domain: identifiers, money, the Order, Payment and Inventory aggregates and the
//! event envelope. Pure Rust.

pub mod envelope;
pub mod ids;
pub mod inventory;
pub mod money;
pub mod order;
pub mod payment;
pub mod upcast;
