//! Order events: facts in the past tense, immutable once appended.

use crate::domain::ids::{CustomerId, ProductId, SchemaVersion};
use crate::domain::money::{Cents, Currency};
use crate::domain::privacy::Sealed;
use crate::domain::text::Text;
use serde::de::Error;
use serde::{Deserialize, Serialize};

/// Something that happened to an order. Serialized as `{"eventType": …, "data": {…}}`;
/// read back with [`OrderEvent::from_data`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        /// (Boxed: it is rare and large, and every event is as large as the largest.)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal: Option<Box<Sealed>>,
    },
    /// Units of a product were added to the draft.
    ItemAdded {
        /// Which product.
        product_id: ProductId,
        /// Its display name.
        product_name: Text,
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
        payment_method: Text,
        /// The payment provider's reference.
        transaction_id: Text,
    },
    /// The order left the warehouse.
    OrderShipped {
        /// Who carries it.
        carrier: Text,
        /// The carrier's tracking number.
        tracking_number: Text,
    },
    /// The order was cancelled.
    OrderCancelled {
        /// Why.
        reason: Text,
        /// Who asked.
        cancelled_by: Text,
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

/// The type names of order events, as `eventType` spells them.
pub const EVENT_TYPES: [&str; 7] = [
    "OrderCreated",
    "ItemAdded",
    "ItemRemoved",
    "OrderSubmitted",
    "PaymentReceived",
    "OrderShipped",
    "OrderCancelled",
];

/// Every field an order event's `data` can hold, read in one pass whatever the event's
/// type (and so whether `data` comes before or after `eventType`). One reader for all
/// seven shapes keeps the wasm small; [`OrderEvent::from_data`] then takes the fields
/// the type needs. Fields of other types are checked but not kept.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventData {
    customer_id: Option<CustomerId>,
    currency: Option<Currency>,
    personal: Option<Sealed>,
    product_id: Option<ProductId>,
    product_name: Option<Text>,
    unit_price: Option<Cents>,
    quantity: Option<u32>,
    total: Option<Cents>,
    amount: Option<Cents>,
    payment_method: Option<Text>,
    transaction_id: Option<Text>,
    carrier: Option<Text>,
    tracking_number: Option<Text>,
    reason: Option<Text>,
    cancelled_by: Option<Text>,
}

/// A field the event's type requires, or the error naming it.
fn required<T, E: Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

impl OrderEvent {
    /// The event of type `event_type` made of `data`'s fields, or an error naming the
    /// unknown type or the missing field (as serde words them).
    pub fn from_data<E: Error>(event_type: &str, data: EventData) -> Result<Self, E> {
        Ok(match event_type {
            "OrderCreated" => Self::OrderCreated {
                customer_id: required(data.customer_id, "customerId")?,
                currency: data.currency,
                personal: data.personal.map(Box::new),
            },
            "ItemAdded" => Self::ItemAdded {
                product_id: required(data.product_id, "productId")?,
                product_name: required(data.product_name, "productName")?,
                unit_price: required(data.unit_price, "unitPrice")?,
                quantity: required(data.quantity, "quantity")?,
            },
            "ItemRemoved" => Self::ItemRemoved {
                product_id: required(data.product_id, "productId")?,
            },
            "OrderSubmitted" => Self::OrderSubmitted {
                total: required(data.total, "total")?,
            },
            "PaymentReceived" => Self::PaymentReceived {
                amount: required(data.amount, "amount")?,
                payment_method: required(data.payment_method, "paymentMethod")?,
                transaction_id: required(data.transaction_id, "transactionId")?,
            },
            "OrderShipped" => Self::OrderShipped {
                carrier: required(data.carrier, "carrier")?,
                tracking_number: required(data.tracking_number, "trackingNumber")?,
            },
            "OrderCancelled" => Self::OrderCancelled {
                reason: required(data.reason, "reason")?,
                cancelled_by: required(data.cancelled_by, "cancelledBy")?,
            },
            other => return Err(E::unknown_variant(other, &EVENT_TYPES)),
        })
    }
}
