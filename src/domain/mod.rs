//! The domain: identifiers, money, the Order aggregate and the event envelope. Pure Rust.

pub mod envelope;
pub mod ids;
pub mod money;
pub mod order;
pub mod upcast;
