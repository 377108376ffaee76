//! Read models as the store keeps them: one row per key, saved with the projection's
//! checkpoint in the same write, so a reload resumes each projection from what it had
//! applied instead of replaying the log.

use super::contract::ProjectionName;
use crate::domain::ids::{CustomerId, GlobalPosition, OrderId, ProductId, StreamVersion};
use crate::domain::money::{Cents, Currency};
use crate::domain::order::OrderStatus;
use crate::domain::privacy::Sealed;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One product line of an order-summary row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredLine {
    /// The product.
    pub product_id: ProductId,
    /// Its unit price.
    pub unit_price: Cents,
    /// Units.
    pub quantity: u64,
}

/// One stored row of a read model, or of a projection's memory of what it applied.
/// (Read back by hand, below.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StoredRow {
    /// An order-summary row.
    Order {
        /// The order.
        order_id: OrderId,
        /// Its status, once known.
        status: Option<OrderStatus>,
        /// Its currency, when known.
        currency: Option<Currency>,
        /// Its lines, by product id.
        lines: Vec<StoredLine>,
    },
    /// Orders created by a customer.
    Customer {
        /// The customer.
        customer_id: CustomerId,
        /// How many orders.
        orders: u64,
        /// The name and address of the customer's newest order, sealed (never plaintext).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal: Option<Sealed>,
        /// The global position of the event `personal` came from: a later one replaces
        /// it, an earlier one delivered late does not (0: none; rows stored before it
        /// was kept read as 0, so the next event with data replaces theirs).
        #[serde(default, skip_serializing_if = "GlobalPosition::is_zero")]
        personal_at: GlobalPosition,
    },
    /// Payments received on a virtual day.
    Day {
        /// Days since virtual time 0.
        day: u64,
        /// The revenue.
        revenue: Cents,
    },
    /// The highest version of a stream the projection applied (an idempotent
    /// projection's memory).
    Seen {
        /// The stream.
        order_id: OrderId,
        /// Its highest applied version.
        version: StreamVersion,
    },
}

/// Reads `{"kind": …, …fields}`, the derived `Serialize`'s shape (a test round-trips
/// every kind). Written by hand: serde's derived reader of an internally tagged enum
/// costs the workbench some 14 KB of wasm; this one reads the JSON value and lets each
/// field's own `Deserialize` check it. Unknown fields are ignored, as a derived reader
/// does; an optional field may be missing or null.
impl<'de> Deserialize<'de> for StoredRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        StoredRow::from_json(&value).map_err(de::Error::custom)
    }
}

impl StoredRow {
    /// The row a JSON value holds, or what is wrong with it (naming the field).
    pub fn from_json(value: &Value) -> Result<StoredRow, String> {
        let optional = |name: &str| value.get(name).filter(|v| !v.is_null());
        let required = |name: &str| optional(name).ok_or_else(|| format!("missing field `{name}`"));
        fn read<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, String> {
            T::deserialize(value).map_err(|e| format!("{name}: {e}"))
        }
        fn maybe<T: DeserializeOwned + Default>(
            name: &str,
            value: Option<&Value>,
        ) -> Result<T, String> {
            value.map_or_else(|| Ok(T::default()), |v| read(name, v))
        }
        Ok(match required("kind")?.as_str() {
            Some("order") => StoredRow::Order {
                order_id: read("orderId", required("orderId")?)?,
                status: maybe("status", optional("status"))?,
                currency: maybe("currency", optional("currency"))?,
                lines: read("lines", required("lines")?)?,
            },
            Some("customer") => StoredRow::Customer {
                customer_id: read("customerId", required("customerId")?)?,
                orders: read("orders", required("orders")?)?,
                personal: maybe("personal", optional("personal"))?,
                personal_at: maybe("personalAt", optional("personalAt"))?,
            },
            Some("day") => StoredRow::Day {
                day: read("day", required("day")?)?,
                revenue: read("revenue", required("revenue")?)?,
            },
            Some("seen") => StoredRow::Seen {
                order_id: read("orderId", required("orderId")?)?,
                version: read("version", required("version")?)?,
            },
            _ => {
                return Err(format!(
                    "kind is {}, expected order, customer, day or seen",
                    value["kind"]
                ))
            }
        })
    }
}

/// What identifies a stored row within its projection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKey {
    /// An order-summary row.
    Order(OrderId),
    /// A customer's row.
    Customer(CustomerId),
    /// A day's row.
    Day(u64),
    /// A stream's applied version.
    Seen(OrderId),
}

impl StoredRow {
    /// The row's key.
    pub fn key(&self) -> RowKey {
        match self {
            StoredRow::Order { order_id, .. } => RowKey::Order(order_id.clone()),
            StoredRow::Customer { customer_id, .. } => RowKey::Customer(customer_id.clone()),
            StoredRow::Day { day, .. } => RowKey::Day(*day),
            StoredRow::Seen { order_id, .. } => RowKey::Seen(order_id.clone()),
        }
    }
}

impl RowKey {
    /// The key as people read it (as the read model's rows name it).
    pub fn label(&self) -> String {
        match self {
            RowKey::Order(id) | RowKey::Seen(id) => id.to_string(),
            RowKey::Customer(id) => id.to_string(),
            RowKey::Day(day) => format!("day {day}"),
        }
    }

    /// The key as text, unique within a projection (`order/order-1`, `day/3`, …).
    pub fn as_text(&self) -> String {
        match self {
            RowKey::Order(id) => format!("order/{id}"),
            RowKey::Customer(id) => format!("customer/{id}"),
            RowKey::Day(day) => format!("day/{day}"),
            RowKey::Seen(id) => format!("seen/{id}"),
        }
    }
}

/// A projection's progress as stored: its checkpoint and the positions applied past it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredProgress {
    /// Every position up to this one is applied.
    pub checkpoint: GlobalPosition,
    /// Positions applied past the checkpoint (deliveries arrive out of order).
    #[serde(default)]
    pub ahead: Vec<GlobalPosition>,
}

/// What a projection asks the store to save: its progress and the rows that changed
/// since its last save, in one atomic write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionSave {
    /// The projection.
    pub projection: ProjectionName,
    /// Its progress after the change.
    pub progress: StoredProgress,
    /// True when the model was emptied (a rebuild): every stored row goes first.
    pub replace: bool,
    /// Rows written (created or changed).
    pub rows: Vec<StoredRow>,
}

/// A projection as the store holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredProjection {
    /// Its progress.
    pub progress: StoredProgress,
    /// Every row.
    pub rows: Vec<StoredRow>,
}

impl StoredProjection {
    /// True when the projection misses events the bus will never bring again: some
    /// position after its checkpoint is neither applied nor waiting in the outbox
    /// (`oldest_unpublished`, if any; the log ends at `head`). After an import, an
    /// interrupted in-place rebuild, or a store from before read models were kept, the
    /// projection must be rebuilt from the log.
    pub fn misses_events(
        &self,
        head: GlobalPosition,
        oldest_unpublished: Option<GlobalPosition>,
    ) -> bool {
        let redelivered_from = oldest_unpublished.map_or(head.next(), |p| p.min(head.next()));
        let mut applied = self.progress.checkpoint;
        let mut ahead: Vec<GlobalPosition> = self.progress.ahead.clone();
        crate::collections::sort::sort(&mut ahead);
        for p in ahead {
            if p == applied.next() {
                applied = p;
            }
        }
        applied.next() < redelivered_from
    }
}
