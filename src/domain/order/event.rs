//! Order events: facts in the past tense, immutable once appended.

use crate::domain::ids::{CustomerId, ProductId, SchemaVersion};
use crate::domain::money::{Cents, Currency};
use crate::domain::privacy::Sealed;
use serde::{Deserialize, Serialize};

/// Something that happened to an order. Serialized as `{"eventType": …, "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "eventType", content = "data", rename_all_fields = "camelCase")]
pub enum OrderEvent {
    /// A draft order was opened. Schema v1 has no currency; v2 adds it.
    OrderCreated {
        /// Who the order is for.
        customer_id: CustomerId,
        /// The order's currency (schema v2 only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<Currency>,
        /// The customer's name and address, sealed with their key: forgetting the
        /// customer deletes the key, and this can never be read again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal: Option<Sealed>,
    },
    /// Units of a product were added to the draft.
    ItemAdded {
        /// Which product.
        product_id: ProductId,
        /// Its display name.
        product_name: String,
        /// Price of one unit.
        unit_price: Cents,
        /// How many units were added (at least 1).
        quantity: u32,
    },
    /// Every unit of a product was removed from the draft.
    ItemRemoved {
        /// Which product.
        product_id: ProductId,
    },
    /// The draft was submitted; its total is fixed.
    OrderSubmitted {
        /// The order's total at submission.
        total: Cents,
    },
    /// The order was paid in full.
    PaymentReceived {
        /// Amount paid.
        amount: Cents,
        /// How it was paid.
        payment_method: String,
        /// The payment provider's reference.
        transaction_id: String,
    },
    /// The order left the warehouse.
    OrderShipped {
        /// Who carries it.
        carrier: String,
        /// The carrier's tracking number.
        tracking_number: String,
    },
    /// The order was cancelled.
    OrderCancelled {
        /// Why.
        reason: String,
        /// Who asked.
        cancelled_by: String,
    },
}

impl OrderEvent {
    /// The event's type name (the `eventType` of its JSON and Cosmos DB document).
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::OrderCreated { .. } => "OrderCreated",
            Self::ItemAdded { .. } => "ItemAdded",
            Self::ItemRemoved { .. } => "ItemRemoved",
            Self::OrderSubmitted { .. } => "OrderSubmitted",
            Self::PaymentReceived { .. } => "PaymentReceived",
            Self::OrderShipped { .. } => "OrderShipped",
            Self::OrderCancelled { .. } => "OrderCancelled",
        }
    }

    /// The schema version of this event's shape: `OrderCreated` with a currency is v2;
    /// everything else is v1.
    pub fn schema_version(&self) -> SchemaVersion {
        match self {
            Self::OrderCreated {
                currency: Some(_), ..
            } => SchemaVersion(2),
            _ => SchemaVersion(1),
        }
    }
}
