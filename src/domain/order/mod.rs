//! The Order aggregate as a pure decider: commands, events, state, `decide` and `evolve`.

mod command;
mod decide;
mod event;
mod rejection;
mod state;

pub use command::OrderCommand;
pub use decide::{decide, decide_into};
pub use event::{EventData, OrderEvent, EVENT_TYPES};
pub use rejection::Rejection;
pub use state::{evolve, Order, OrderLine, OrderState, OrderStatus};

use crate::domain::money::Cents;

/// Most units of one product in one order (also bounds every total far below overflow).
pub const MAX_QUANTITY: u32 = 10_000;
/// Highest unit price: $1,000,000.00.
pub const MAX_UNIT_PRICE: Cents = Cents(100_000_000);
/// Most distinct products in one order.
pub const MAX_LINES: usize = 100;
/// Longest free-text field (product name, carrier, reason…), in characters.
pub const MAX_TEXT_LEN: usize = 200;

/// Replays a stream's events from the initial state.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a OrderEvent>) -> OrderState {
    events.into_iter().fold(OrderState::default(), evolve)
}
