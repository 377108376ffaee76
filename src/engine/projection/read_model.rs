//! The read models a projection builds: the order summary, orders per customer and
//! revenue per day, their rows as text and as the store keeps them.

use crate::collections::LookupMap;
use crate::domain::envelope::EventEnvelope;
use crate::domain::ids::{CustomerId, GlobalPosition, OrderId, ProductId, StreamVersion};
use crate::domain::money::{Cents, Currency};
use crate::domain::order::{OrderEvent, OrderStatus};
use crate::domain::privacy::Sealed;
use crate::store::{ProjectionName, RowKey, StoredLine, StoredRow};
use std::collections::BTreeMap;
use std::hash::Hash;

/// Virtual milliseconds in a day, for revenue per day.
pub const DAY_MS: u64 = 86_400_000;

/// One row of the order summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryRow {
    /// Status, once known.
    pub status: Option<OrderStatus>,
    /// Currency, when the creating event said (schema v2, or v1 read through the upcaster).
    pub currency: Option<Currency>,
    /// Unit price and units per product, sorted by product id (a few per order: a
    /// sorted list beats a hash table per row, and saves in order without sorting).
    pub lines: Vec<(ProductId, (Cents, u64))>,
}

/// Lines a summary row has room for at its first: a typical order's, so that adding
/// them seldom grows the list.
const LINES_ROOM: usize = 8;

impl SummaryRow {
    /// The line of a product, to change (made empty first if missing).
    fn line_mut(&mut self, product_id: &ProductId) -> &mut (Cents, u64) {
        let index = match self.lines.binary_search_by(|(p, _)| p.cmp(product_id)) {
            Ok(index) => index,
            Err(index) => {
                if self.lines.capacity() == 0 {
                    self.lines.reserve_exact(LINES_ROOM);
                }
                self.lines
                    .insert(index, (product_id.clone(), (Cents(0), 0)));
                index
            }
        };
        &mut self.lines[index].1
    }

    /// Units in the order.
    pub fn item_count(&self) -> u64 {
        self.lines.iter().map(|(_, (_, q))| q).sum()
    }

    /// The order's total.
    pub fn total(&self) -> Cents {
        Cents(
            self.lines
                .iter()
                .map(|(_, (p, q))| p.0.saturating_mul(*q as i64))
                .sum(),
        )
    }
}

/// A customer's row: orders created, and the sealed name and address of the newest
/// that carried them (read only through the key vault: after crypto-shredding, never).
/// "Newest" is by global position, not by delivery: orders of one customer are
/// different streams, which the bus does not keep in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerRow {
    /// Orders created.
    pub orders: u64,
    /// Sealed personal data, if any order carried it.
    pub personal: Option<Sealed>,
    /// The position of the event `personal` came from (0: none).
    pub personal_at: GlobalPosition,
}

/// How a row shows sealed personal data: a token the views open with the key vault.
pub fn sealed_token(s: &Sealed) -> String {
    format!("{SEALED_OPEN}{s}{SEALED_CLOSE}")
}

/// Where a sealed token starts in a row's text.
pub const SEALED_OPEN: &str = "⟦sealed ";

/// Where it ends.
pub const SEALED_CLOSE: &str = "⟧";

fn customer_text(row: &CustomerRow) -> String {
    match &row.personal {
        None => row.orders.to_string(),
        Some(s) => format!("{} · {}", row.orders, sealed_token(s)),
    }
}

/// The data of a read model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadModel {
    /// Status, item count and total per order.
    OrderSummary(LookupMap<OrderId, SummaryRow>),
    /// Orders created per customer, with the sealed personal data of their newest.
    OrdersPerCustomer(LookupMap<CustomerId, CustomerRow>),
    /// Payments received per virtual day.
    RevenuePerDay(LookupMap<u64, Cents>),
}

impl ReadModel {
    /// An empty read model of this projection.
    pub fn empty(name: ProjectionName) -> Self {
        match name {
            ProjectionName::OrderSummary => ReadModel::OrderSummary(LookupMap::default()),
            ProjectionName::OrdersPerCustomer => ReadModel::OrdersPerCustomer(LookupMap::default()),
            ProjectionName::RevenuePerDay => ReadModel::RevenuePerDay(LookupMap::default()),
        }
    }

    /// Applies one event, whatever was applied before (the naive step); returns true
    /// when a row changed (`changed_row` names it).
    pub fn apply(&mut self, e: &EventEnvelope) -> bool {
        match (self, &e.event) {
            (ReadModel::OrderSummary(rows), event) => {
                upsert(rows, &e.stream_id, |row| summarize(row, event));
                true
            }
            (
                ReadModel::OrdersPerCustomer(rows),
                OrderEvent::OrderCreated {
                    customer_id,
                    personal,
                    ..
                },
            ) => {
                upsert(rows, customer_id, |row| {
                    row.orders += 1;
                    // Latest wins by position, so the row is the same in any delivery order.
                    if personal.is_some() && e.global_position > row.personal_at {
                        row.personal = personal.as_deref().cloned();
                        row.personal_at = e.global_position;
                    }
                });
                true
            }
            (ReadModel::RevenuePerDay(rows), OrderEvent::PaymentReceived { amount, .. }) => {
                upsert(rows, &(e.recorded_at.0 / DAY_MS), |revenue| {
                    *revenue = Cents(revenue.0.saturating_add(amount.0));
                });
                true
            }
            _ => false,
        }
    }

    /// The key of the row an event changes in this model (when `apply` says it did).
    pub fn changed_row(&self, e: &EventEnvelope) -> Option<RowKey> {
        match (self, &e.event) {
            (ReadModel::OrderSummary(_), _) => Some(RowKey::Order(e.stream_id.clone())),
            (ReadModel::OrdersPerCustomer(_), OrderEvent::OrderCreated { customer_id, .. }) => {
                Some(RowKey::Customer(customer_id.clone()))
            }
            (ReadModel::RevenuePerDay(_), OrderEvent::PaymentReceived { .. }) => {
                Some(RowKey::Day(e.recorded_at.0 / DAY_MS))
            }
            _ => None,
        }
    }

    /// One row as the store keeps it (`None` for a key this model has no row for).
    pub fn stored_row(&self, key: &RowKey) -> Option<StoredRow> {
        match (self, key) {
            (ReadModel::OrderSummary(rows), RowKey::Order(id)) => {
                rows.get(id).map(|row| stored_summary(id, row))
            }
            (ReadModel::OrdersPerCustomer(rows), RowKey::Customer(id)) => {
                rows.get(id).map(|row| stored_customer(id, row))
            }
            (ReadModel::RevenuePerDay(rows), RowKey::Day(day)) => {
                rows.get(day).map(|revenue| StoredRow::Day {
                    day: *day,
                    revenue: *revenue,
                })
            }
            _ => None,
        }
    }

    /// Every row as the store keeps it.
    pub fn stored_rows(&self) -> Vec<StoredRow> {
        match self {
            ReadModel::OrderSummary(rows) => rows
                .iter()
                .map(|(id, row)| stored_summary(id, row))
                .collect(),
            ReadModel::OrdersPerCustomer(rows) => rows
                .iter()
                .map(|(id, row)| stored_customer(id, row))
                .collect(),
            ReadModel::RevenuePerDay(rows) => rows
                .iter()
                .map(|(day, revenue)| StoredRow::Day {
                    day: *day,
                    revenue: *revenue,
                })
                .collect(),
        }
    }

    /// Every row as the store keeps it, sorted by key: a typed view for tests and tools
    /// (the model's own order differs between platforms).
    pub fn sorted_rows(&self) -> Vec<StoredRow> {
        let mut rows = self.stored_rows();
        crate::collections::sort::sort_by_key(&mut rows, StoredRow::key);
        rows
    }

    /// Takes a stored row back in (one of another model's kind is skipped).
    pub fn restore_row(&mut self, row: StoredRow) {
        match (self, row) {
            (
                ReadModel::OrderSummary(rows),
                StoredRow::Order {
                    order_id,
                    status,
                    currency,
                    lines,
                },
            ) => {
                let mut row = SummaryRow {
                    status,
                    currency,
                    lines: Vec::with_capacity(lines.len()),
                };
                for line in lines {
                    *row.line_mut(&line.product_id) = (line.unit_price, line.quantity);
                }
                rows.insert(order_id, row);
            }
            (
                ReadModel::OrdersPerCustomer(rows),
                StoredRow::Customer {
                    customer_id,
                    orders,
                    personal,
                    personal_at,
                },
            ) => {
                rows.insert(
                    customer_id,
                    CustomerRow {
                        orders,
                        personal,
                        personal_at,
                    },
                );
            }
            (ReadModel::RevenuePerDay(rows), StoredRow::Day { day, revenue }) => {
                rows.insert(day, revenue);
            }
            _ => {}
        }
    }

    /// How many rows it holds.
    pub fn len(&self) -> usize {
        match self {
            ReadModel::OrderSummary(rows) => rows.len(),
            ReadModel::OrdersPerCustomer(rows) => rows.len(),
            ReadModel::RevenuePerDay(rows) => rows.len(),
        }
    }

    /// True when it holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when both models hold the same row under `key` (or neither holds one):
    /// compared as data, not as text, since two rows can read alike with different
    /// lines.
    pub fn same_row(&self, other: &ReadModel, key: &RowKey) -> bool {
        match (self, other, key) {
            (ReadModel::OrderSummary(a), ReadModel::OrderSummary(b), RowKey::Order(id)) => {
                a.get(id) == b.get(id)
            }
            // What the row holds, not where its data came from (rows saved before
            // that was kept read as position 0).
            (
                ReadModel::OrdersPerCustomer(a),
                ReadModel::OrdersPerCustomer(b),
                RowKey::Customer(id),
            ) => match (a.get(id), b.get(id)) {
                (Some(x), Some(y)) => x.orders == y.orders && x.personal == y.personal,
                (x, y) => x.is_none() && y.is_none(),
            },
            (ReadModel::RevenuePerDay(a), ReadModel::RevenuePerDay(b), RowKey::Day(day)) => {
                a.get(day) == b.get(day)
            }
            _ => true,
        }
    }

    /// The keys of its rows, in the model's own (platform-dependent) order.
    pub fn keys(&self) -> Vec<RowKey> {
        match self {
            ReadModel::OrderSummary(rows) => rows
                .iter()
                .map(|row| RowKey::Order(row.0.clone()))
                .collect(),
            ReadModel::OrdersPerCustomer(rows) => rows
                .iter()
                .map(|row| RowKey::Customer(row.0.clone()))
                .collect(),
            ReadModel::RevenuePerDay(rows) => rows.iter().map(|row| RowKey::Day(*row.0)).collect(),
        }
    }

    /// One row's text (as `rows` gives it), if the model has that row.
    pub fn row_text(&self, key: &RowKey) -> Option<String> {
        match (self, key) {
            (ReadModel::OrderSummary(rows), RowKey::Order(id)) => rows.get(id).map(summary_text),
            (ReadModel::OrdersPerCustomer(rows), RowKey::Customer(id)) => {
                rows.get(id).map(customer_text)
            }
            (ReadModel::RevenuePerDay(rows), RowKey::Day(day)) => {
                rows.get(day).map(|c| c.to_string())
            }
            _ => None,
        }
    }

    /// Rows as (key, value) text, for display and comparison.
    pub fn rows(&self) -> BTreeMap<String, String> {
        // Inserted one by one, not collected: a collected map sorts first, and that sort
        // is code of its own in the page; keys are unique, so the map is the same.
        let mut map = BTreeMap::new();
        let mut put = |key: String, value: String| {
            map.insert(key, value);
        };
        match self {
            ReadModel::OrderSummary(rows) => {
                for (id, r) in rows.iter() {
                    put(id.to_string(), summary_text(r));
                }
            }
            ReadModel::OrdersPerCustomer(rows) => {
                for (id, row) in rows.iter() {
                    put(id.to_string(), customer_text(row));
                }
            }
            ReadModel::RevenuePerDay(rows) => {
                for (day, c) in rows.iter() {
                    put(format!("day {day}"), c.to_string());
                }
            }
        }
        map
    }
}

/// Updates the row for a key, creating it empty first if missing. One lookup when the
/// row exists and a key clone only when it is new: replay touches a row per event.
pub(super) fn upsert<K: Hash + Eq + Clone, V: Default>(
    rows: &mut LookupMap<K, V>,
    key: &K,
    f: impl FnOnce(&mut V),
) {
    match rows.get_mut(key) {
        Some(row) => f(row),
        None => {
            let mut row = V::default();
            f(&mut row);
            rows.insert(key.clone(), row);
        }
    }
}

/// An order-summary row for people: "Submitted, 3 items, $25.00".
fn summary_text(r: &SummaryRow) -> String {
    let status = r.status.map_or("?".to_owned(), |s| s.to_string());
    let currency = r
        .currency
        .as_ref()
        .map_or(String::new(), |c| format!(" {c}"));
    let items = r.item_count();
    format!(
        "{status}, {items} item{}, {}{currency}",
        if items == 1 { "" } else { "s" },
        r.total()
    )
}

/// An order-summary row as the store keeps it (lines by product id).
fn stored_summary(id: &OrderId, row: &SummaryRow) -> StoredRow {
    let lines = row
        .lines
        .iter()
        .map(|(product_id, (unit_price, quantity))| StoredLine {
            product_id: product_id.clone(),
            unit_price: *unit_price,
            quantity: *quantity,
        })
        .collect();
    StoredRow::Order {
        order_id: id.clone(),
        status: row.status,
        currency: row.currency.clone(),
        lines,
    }
}

/// A customer's row as the store keeps it.
fn stored_customer(id: &CustomerId, row: &CustomerRow) -> StoredRow {
    StoredRow::Customer {
        customer_id: id.clone(),
        orders: row.orders,
        personal: row.personal.clone(),
        personal_at: row.personal_at,
    }
}

/// One event's effect on an order-summary row.
fn summarize(row: &mut SummaryRow, event: &OrderEvent) {
    match event {
        OrderEvent::OrderCreated { currency, .. } => {
            row.status = Some(OrderStatus::Draft);
            row.currency = currency.clone();
        }
        OrderEvent::ItemAdded {
            product_id,
            unit_price,
            quantity,
            ..
        } => {
            let line = row.line_mut(product_id);
            if line.1 == 0 {
                line.0 = *unit_price;
            }
            line.1 += u64::from(*quantity);
        }
        OrderEvent::ItemRemoved { product_id } => {
            if let Ok(index) = row.lines.binary_search_by(|(p, _)| p.cmp(product_id)) {
                row.lines.remove(index);
            }
        }
        OrderEvent::OrderSubmitted { .. } => row.status = Some(OrderStatus::Submitted),
        OrderEvent::PaymentReceived { .. } => row.status = Some(OrderStatus::Paid),
        OrderEvent::OrderShipped { .. } => row.status = Some(OrderStatus::Shipped),
        OrderEvent::OrderCancelled { .. } => row.status = Some(OrderStatus::Cancelled),
    }
}

/// A stream's applied version as a stored row.
pub(super) fn seen(order_id: &OrderId, version: StreamVersion) -> StoredRow {
    StoredRow::Seen {
        order_id: order_id.clone(),
        version,
    }
}

/// A read-model row that differs from the fold of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongRow {
    /// The row's key.
    pub key: String,
    /// What the store says it should be (`None`: it should not exist).
    pub expected: Option<String>,
    /// What the read model holds (`None`: missing).
    pub actual: Option<String>,
}
