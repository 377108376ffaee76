//! Order commands: requests in the imperative, which the decider may reject.

use crate::domain::ids::{CustomerId, ProductId};
use crate::domain::money::{Cents, Currency};
use crate::domain::privacy::Sealed;
use serde::{Deserialize, Serialize};

/// A request to change one order. The order it targets travels beside it (the stream id).
///
/// Free-text fields carry raw user input; the decider validates every one of them, so
/// a command read from a form, a link or a file is checked in the same single place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "commandType", content = "data", rename_all_fields = "camelCase")]
pub enum OrderCommand {
    /// Open a new, empty draft order for a customer.
    CreateOrder {
        /// Who the order is for.
        customer_id: CustomerId,
        /// The order's currency; given, the event is recorded in schema v2.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// The customer's name and address, sealed with their key (never plaintext).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal: Option<Sealed>,
    },
    /// Add a quantity of a product to a draft order.
    AddItem {
        /// Which product.
        product_id: ProductId,
        /// The product's display name (free text).
        product_name: String,
        /// Price of one unit.
        unit_price: Cents,
        /// How many units; must be from 1 to [`super::MAX_QUANTITY`].
        quantity: i64,
    },
    /// Remove every unit of a product from a draft order.
    RemoveItem {
        /// Which product.
        product_id: ProductId,
    },
    /// Submit a draft order for payment; its total is fixed from then on.
    SubmitOrder,
    /// Record the payment of a submitted order.
    ReceivePayment {
        /// Amount paid; must equal the order's total exactly.
        amount: Cents,
        /// How it was paid, e.g. "card".
        payment_method: String,
        /// The payment provider's reference.
        transaction_id: String,
    },
    /// Hand a paid order to a carrier.
    ShipOrder {
        /// Who carries it.
        carrier: String,
        /// The carrier's tracking number.
        tracking_number: String,
    },
    /// Cancel an order that has not shipped.
    CancelOrder {
        /// Why.
        reason: String,
        /// Who asked.
        cancelled_by: String,
    },
}

impl OrderCommand {
    /// The command's type name, as the seeds spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CreateOrder { .. } => "CreateOrder",
            Self::AddItem { .. } => "AddItem",
            Self::RemoveItem { .. } => "RemoveItem",
            Self::SubmitOrder => "SubmitOrder",
            Self::ReceivePayment { .. } => "ReceivePayment",
            Self::ShipOrder { .. } => "ShipOrder",
            Self::CancelOrder { .. } => "CancelOrder",
        }
    }
}
