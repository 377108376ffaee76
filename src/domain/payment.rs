//! The Payment aggregate (one stream per order's payment, e.g. `pay-o-1`) as a pure
//! decider, the second aggregate beside Order: a payment is charged at most once and
//! refunded at most once, and only what was charged. A saga takes payment through it.

use crate::domain::ids::{CustomerId, OrderId};
use crate::domain::money::Cents;
use serde::{Deserialize, Serialize};

/// Highest amount one payment may charge: $1,000,000,000.00 (far below overflow).
pub const MAX_AMOUNT: Cents = Cents(100_000_000_000);

/// A request to the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "commandType", content = "data", rename_all_fields = "camelCase")]
pub enum PaymentCommand {
    /// Charge the customer for the order.
    Charge {
        /// The order paid for.
        order_id: OrderId,
        /// Who pays.
        customer_id: CustomerId,
        /// How much.
        amount: Cents,
    },
    /// The provider declined the charge (a simulated participant's answer).
    Decline {
        /// Why, as the provider says it.
        reason: String,
    },
    /// Give back what was charged (a saga's compensation).
    Refund {
        /// Why.
        reason: String,
    },
}

/// What happened to a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "eventType", content = "data", rename_all_fields = "camelCase")]
pub enum PaymentEvent {
    /// The customer was charged.
    PaymentCharged {
        /// The order paid for.
        order_id: OrderId,
        /// Who paid.
        customer_id: CustomerId,
        /// How much.
        amount: Cents,
    },
    /// The charge was declined: nothing was taken.
    PaymentDeclined {
        /// Why.
        reason: String,
    },
    /// The charge was given back.
    PaymentRefunded {
        /// How much.
        amount: Cents,
        /// Why.
        reason: String,
    },
}

/// Where a payment is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PaymentState {
    /// Nothing asked yet.
    #[default]
    NotRequested,
    /// Charged this much.
    Charged(Cents),
    /// Declined: final.
    Declined,
    /// Charged, then refunded: final.
    Refunded(Cents),
}

/// Why a payment command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRejection {
    /// A second charge: a customer is never charged twice.
    #[error("this payment was already charged: a customer is never charged twice")]
    AlreadyCharged,
    /// A charge after a decline or a refund.
    #[error("this payment is closed (declined or refunded)")]
    Closed,
    /// An amount of zero, below or above the limit.
    #[error("the amount must be more than $0.00 and at most {max} (got {amount})", max = MAX_AMOUNT)]
    InvalidAmount {
        /// What was asked.
        amount: Cents,
    },
    /// A refund of a payment that was not charged.
    #[error("nothing was charged, so nothing can be refunded")]
    NotCharged,
    /// A second refund.
    #[error("this payment was already refunded")]
    AlreadyRefunded,
    /// A decline after the charge went through.
    #[error("the charge already went through; refund it instead")]
    CannotDeclineCharged,
    /// A blank or overlong reason.
    #[error("the reason must be 1 to {max} characters", max = super::order::MAX_TEXT_LEN)]
    BadReason,
}

fn reason_ok(reason: &str) -> Result<String, PaymentRejection> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > super::order::MAX_TEXT_LEN {
        return Err(PaymentRejection::BadReason);
    }
    Ok(reason.to_owned())
}

/// Decides a payment command: the events to record, or why not.
pub fn decide(
    state: &PaymentState,
    command: &PaymentCommand,
) -> Result<Vec<PaymentEvent>, PaymentRejection> {
    use PaymentState as S;
    let event = match (state, command) {
        (
            S::NotRequested,
            PaymentCommand::Charge {
                order_id,
                customer_id,
                amount,
            },
        ) => {
            if amount.0 <= 0 || *amount > MAX_AMOUNT {
                return Err(PaymentRejection::InvalidAmount { amount: *amount });
            }
            PaymentEvent::PaymentCharged {
                order_id: order_id.clone(),
                customer_id: customer_id.clone(),
                amount: *amount,
            }
        }
        (S::Charged(_), PaymentCommand::Charge { .. }) => {
            return Err(PaymentRejection::AlreadyCharged)
        }
        (S::Declined | S::Refunded(_), PaymentCommand::Charge { .. }) => {
            return Err(PaymentRejection::Closed)
        }
        (S::NotRequested, PaymentCommand::Decline { reason }) => PaymentEvent::PaymentDeclined {
            reason: reason_ok(reason)?,
        },
        (S::Charged(_), PaymentCommand::Decline { .. }) => {
            return Err(PaymentRejection::CannotDeclineCharged)
        }
        (S::Declined | S::Refunded(_), PaymentCommand::Decline { .. }) => {
            return Err(PaymentRejection::Closed)
        }
        (S::Charged(amount), PaymentCommand::Refund { reason }) => PaymentEvent::PaymentRefunded {
            amount: *amount,
            reason: reason_ok(reason)?,
        },
        (S::Refunded(_), PaymentCommand::Refund { .. }) => {
            return Err(PaymentRejection::AlreadyRefunded)
        }
        (S::NotRequested | S::Declined, PaymentCommand::Refund { .. }) => {
            return Err(PaymentRejection::NotCharged)
        }
    };
    Ok(vec![event])
}

/// Folds one event into the state; total (an event that does not fit is ignored).
pub fn evolve(state: PaymentState, event: &PaymentEvent) -> PaymentState {
    match (state, event) {
        (PaymentState::NotRequested, PaymentEvent::PaymentCharged { amount, .. }) => {
            PaymentState::Charged(*amount)
        }
        (PaymentState::NotRequested, PaymentEvent::PaymentDeclined { .. }) => {
            PaymentState::Declined
        }
        (PaymentState::Charged(_), PaymentEvent::PaymentRefunded { amount, .. }) => {
            PaymentState::Refunded(*amount)
        }
        (state, _) => state,
    }
}

/// Replays a payment's events.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a PaymentEvent>) -> PaymentState {
    events.into_iter().fold(PaymentState::default(), evolve)
}

/// What the customer is out of pocket after these events: charged minus refunded.
pub fn net_charged<'a>(events: impl IntoIterator<Item = &'a PaymentEvent>) -> Cents {
    Cents(events.into_iter().fold(0_i64, |sum, e| match e {
        PaymentEvent::PaymentCharged { amount, .. } => sum.saturating_add(amount.0),
        PaymentEvent::PaymentRefunded { amount, .. } => sum.saturating_sub(amount.0),
        PaymentEvent::PaymentDeclined { .. } => sum,
    }))
}
