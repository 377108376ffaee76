//! What the order-fulfilment saga asks of its participants: each step, who carries it
//! out, and the step that undoes it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing the saga asks a participant to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SagaStep {
    /// Inventory: hold the order's units.
    ReserveStock,
    /// Payment: charge the customer.
    TakePayment,
    /// Order: record the payment and ship (the pivot: retried, never undone).
    ShipOrder,
    /// Inventory: give the units back (undoes `ReserveStock`).
    ReleaseStock,
    /// Payment: give the money back (undoes `TakePayment`).
    RefundPayment,
    /// Order: cancel it (the compensation's last step).
    CancelOrder,
}

impl SagaStep {
    /// The forward steps, in order.
    pub const FORWARD: [SagaStep; 3] = [
        SagaStep::ReserveStock,
        SagaStep::TakePayment,
        SagaStep::ShipOrder,
    ];
    /// The compensating steps, in the order the saga asks for them.
    pub const BACKWARD: [SagaStep; 3] = [
        SagaStep::ReleaseStock,
        SagaStep::RefundPayment,
        SagaStep::CancelOrder,
    ];

    /// The step that undoes this one, if it needs undoing.
    pub fn undo(self) -> Option<SagaStep> {
        match self {
            SagaStep::ReserveStock => Some(SagaStep::ReleaseStock),
            SagaStep::TakePayment => Some(SagaStep::RefundPayment),
            _ => None,
        }
    }

    /// True for the steps that move the order forward.
    pub fn is_forward(self) -> bool {
        SagaStep::FORWARD.contains(&self)
    }

    /// Who carries it out.
    pub fn participant(self) -> Participant {
        match self {
            SagaStep::ReserveStock | SagaStep::ReleaseStock => Participant::Inventory,
            SagaStep::TakePayment | SagaStep::RefundPayment => Participant::Payment,
            SagaStep::ShipOrder | SagaStep::CancelOrder => Participant::Order,
        }
    }

    /// Short words for people.
    pub fn label(self) -> &'static str {
        match self {
            SagaStep::ReserveStock => "reserve stock",
            SagaStep::TakePayment => "take payment",
            SagaStep::ShipOrder => "ship order",
            SagaStep::ReleaseStock => "release stock",
            SagaStep::RefundPayment => "refund payment",
            SagaStep::CancelOrder => "cancel order",
        }
    }

    pub(super) fn tag(self) -> &'static str {
        match self {
            SagaStep::ReserveStock => "reserve",
            SagaStep::TakePayment => "charge",
            SagaStep::ShipOrder => "ship",
            SagaStep::ReleaseStock => "release",
            SagaStep::RefundPayment => "refund",
            SagaStep::CancelOrder => "cancel",
        }
    }
}

impl fmt::Display for SagaStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The services a saga talks to, each owning its own aggregate's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Participant {
    /// Stock, one stream per product.
    Inventory,
    /// Payments, one stream per order.
    Payment,
    /// The order itself.
    Order,
}

impl Participant {
    /// All of them.
    pub const ALL: [Participant; 3] = [
        Participant::Inventory,
        Participant::Payment,
        Participant::Order,
    ];

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Participant::Inventory => "Inventory",
            Participant::Payment => "Payment",
            Participant::Order => "Order",
        }
    }
}
