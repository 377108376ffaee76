//! Order commands: requests in the imperative, which the decider may reject.

use crate::domain::ids::{CustomerId, ProductId};
use crate::domain::money::{Cents, Currency};
use crate::domain::privacy::Sealed;
use crate::domain::text::Text;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A request to change one order. The order it targets travels beside it (the stream id).
///
/// Free-text fields carry raw user input; the decider validates every one of them, so
/// a command read from a form, a link or a file is checked in the same single place.
/// Its JSON is the derived `Serialize`'s; it is read back by hand (below).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        product_name: Text,
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
        payment_method: Text,
        /// The payment provider's reference.
        transaction_id: Text,
    },
    /// Hand a paid order to a carrier.
    ShipOrder {
        /// Who carries it.
        carrier: Text,
        /// The carrier's tracking number.
        tracking_number: Text,
    },
    /// Cancel an order that has not shipped.
    CancelOrder {
        /// Why.
        reason: Text,
        /// Who asked.
        cancelled_by: Text,
    },
}

/// The command types, as `commandType` spells them.
const COMMAND_TYPES: &str = "`CreateOrder`, `AddItem`, `RemoveItem`, `SubmitOrder`, \
    `ReceivePayment`, `ShipOrder`, `CancelOrder`";

/// Reads `{"commandType": …, "data": {…}}`, the derived `Serialize`'s shape (a test
/// round-trips every command). Written by hand because serde's derived reader of an
/// adjacently tagged enum costs each page some 11 KB of gzip; this one reads the JSON
/// value and lets each field's own `Deserialize` check it. Unknown fields are ignored,
/// as a derived reader does.
impl<'de> Deserialize<'de> for OrderCommand {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        OrderCommand::from_json(&value).map_err(de::Error::custom)
    }
}

impl OrderCommand {
    /// The command a JSON value holds, or what is wrong with it (naming the field).
    pub fn from_json(value: &Value) -> Result<OrderCommand, String> {
        let kind = match value.get("commandType") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(other) => return Err(format!("commandType is {other}, expected a string")),
            None => return Err("missing field `commandType`".into()),
        };
        let empty = Map::new();
        let data = match value.get("data") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(data)) => data,
            Some(other) => return Err(format!("data is {other}, expected an object")),
        };
        let optional = |name: &str| data.get(name).filter(|v| !v.is_null());
        let required =
            |name: &str| optional(name).ok_or_else(|| format!("missing field `{name}` in {kind}"));
        Ok(match kind {
            "CreateOrder" => OrderCommand::CreateOrder {
                customer_id: read("customerId", required("customerId")?)?,
                currency: optional("currency")
                    .map(|v| read("currency", v))
                    .transpose()?,
                personal: optional("personal")
                    .map(|v| read("personal", v))
                    .transpose()?,
            },
            "AddItem" => OrderCommand::AddItem {
                product_id: read("productId", required("productId")?)?,
                product_name: read("productName", required("productName")?)?,
                unit_price: read("unitPrice", required("unitPrice")?)?,
                quantity: read("quantity", required("quantity")?)?,
            },
            "RemoveItem" => OrderCommand::RemoveItem {
                product_id: read("productId", required("productId")?)?,
            },
            "SubmitOrder" => OrderCommand::SubmitOrder,
            "ReceivePayment" => OrderCommand::ReceivePayment {
                amount: read("amount", required("amount")?)?,
                payment_method: read("paymentMethod", required("paymentMethod")?)?,
                transaction_id: read("transactionId", required("transactionId")?)?,
            },
            "ShipOrder" => OrderCommand::ShipOrder {
                carrier: read("carrier", required("carrier")?)?,
                tracking_number: read("trackingNumber", required("trackingNumber")?)?,
            },
            "CancelOrder" => OrderCommand::CancelOrder {
                reason: read("reason", required("reason")?)?,
                cancelled_by: read("cancelledBy", required("cancelledBy")?)?,
            },
            other => {
                return Err(format!(
                    "unknown variant `{other}`, expected one of {COMMAND_TYPES}"
                ))
            }
        })
    }

    /// The command's type name, as the stored events spell it.
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

/// One field of a command's `data`, checked by its type's own `Deserialize`.
fn read<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|e| format!("{name}: {e}"))
}
