//! The order's state as the decider sees it, and `evolve`, which folds one event into it.

use super::OrderEvent;
use crate::domain::ids::{CustomerId, ProductId};
use crate::domain::money::Cents;
use crate::domain::privacy::Sealed;
use crate::domain::text::Text;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An order's state: nothing yet, or an order with its lines and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    /// No event has been recorded for this id.
    #[default]
    NotCreated,
    /// The order exists.
    Created(Order),
}

/// An existing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Who the order is for.
    pub customer_id: CustomerId,
    /// Lines in the order they were first added; one line per product.
    pub lines: Vec<OrderLine>,
    /// Where the order is in its life.
    pub status: OrderStatus,
    /// The customer's name and address, sealed (opened only with their key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<Sealed>,
}

/// Units of one product in an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Which product.
    pub product_id: ProductId,
    /// Its display name.
    pub product_name: Text,
    /// Price of one unit.
    pub unit_price: Cents,
    /// Units of it.
    pub quantity: u32,
}

/// Where an order is in its life. Items change only in `Draft`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Items can be added and removed.
    Draft,
    /// Total fixed; awaiting payment.
    Submitted,
    /// Paid in full; ready to ship.
    Paid,
    /// With the carrier. Final.
    Shipped,
    /// Cancelled. Final.
    Cancelled,
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Paid => "Paid",
            Self::Shipped => "Shipped",
            Self::Cancelled => "Cancelled",
        })
    }
}

impl OrderLine {
    /// Price of the whole line, saturating (the decider keeps real lines far from the limit).
    pub fn subtotal(&self) -> Cents {
        Cents(self.unit_price.0.saturating_mul(i64::from(self.quantity)))
    }
}

impl Order {
    /// Sum of the lines.
    pub fn total(&self) -> Cents {
        Cents(
            self.lines
                .iter()
                .map(|l| l.subtotal().0)
                .fold(0, i64::saturating_add),
        )
    }

    /// The line for a product, if the order has one.
    pub fn line(&self, product_id: &ProductId) -> Option<&OrderLine> {
        self.lines.iter().find(|l| &l.product_id == product_id)
    }
}

/// Folds one event into the state ([`OrderState::apply`] does it in place). Total: an
/// event that does not fit the state (which the decider never produces) leaves it
/// unchanged rather than failing a replay.
pub fn evolve(mut state: OrderState, event: &OrderEvent) -> OrderState {
    state.apply(event);
    state
}

impl OrderState {
    /// [`evolve`] in place: a replay folds each event into one state without moving it.
    pub fn apply(&mut self, event: &OrderEvent) {
        // Room for a typical order's lines: a replay then allocates once.
        self.apply_with(event, || Vec::with_capacity(8));
    }

    /// [`OrderState::apply`], a created order's lines taking the allocation in `spare`
    /// (from [`OrderState::recycle`]): a handler replaying one aggregate per command
    /// then allocates nothing for it.
    pub fn apply_reusing(&mut self, event: &OrderEvent, spare: &mut Vec<OrderLine>) {
        self.apply_with(event, || {
            let mut lines = std::mem::take(spare);
            lines.clear();
            lines
        });
    }

    /// Ends this state, keeping its lines' allocation (emptied) in `spare` for the next
    /// [`OrderState::apply_reusing`].
    pub fn recycle(self, spare: &mut Vec<OrderLine>) {
        if let OrderState::Created(order) = self {
            let mut lines = order.lines;
            if lines.capacity() > spare.capacity() {
                lines.clear();
                *spare = lines;
            }
        }
    }

    fn apply_with(&mut self, event: &OrderEvent, lines: impl FnOnce() -> Vec<OrderLine>) {
        let order = match (&mut *self, event) {
            (
                OrderState::NotCreated,
                OrderEvent::OrderCreated {
                    customer_id,
                    personal,
                    ..
                },
            ) => {
                *self = OrderState::Created(Order {
                    customer_id: customer_id.clone(),
                    lines: lines(),
                    status: OrderStatus::Draft,
                    personal: personal.as_deref().cloned(),
                });
                return;
            }
            (OrderState::NotCreated, _) => return,
            (OrderState::Created(order), _) => order,
        };
        match event {
            OrderEvent::OrderCreated { .. } => {}
            OrderEvent::ItemAdded {
                product_id,
                product_name,
                unit_price,
                quantity,
            } => match order.lines.iter_mut().find(|l| &l.product_id == product_id) {
                Some(line) => line.quantity = line.quantity.saturating_add(*quantity),
                None => order.lines.push(OrderLine {
                    product_id: product_id.clone(),
                    product_name: product_name.clone(),
                    unit_price: *unit_price,
                    quantity: *quantity,
                }),
            },
            OrderEvent::ItemRemoved { product_id } => {
                order.lines.retain(|l| &l.product_id != product_id);
            }
            OrderEvent::OrderSubmitted { .. } => order.status = OrderStatus::Submitted,
            OrderEvent::PaymentReceived { .. } => order.status = OrderStatus::Paid,
            OrderEvent::OrderShipped { .. } => order.status = OrderStatus::Shipped,
            OrderEvent::OrderCancelled { .. } => order.status = OrderStatus::Cancelled,
        }
    }
}
