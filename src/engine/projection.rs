//! Projections: read models built from delivered events, each with a checkpoint, a lag,
//! a mode (naive or idempotent), and a divergence check against a fold of the *store*.

use super::config::ProjectionMode;
use crate::collections::LookupMap;
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{
    CustomerId, GlobalPosition, OrderId, ProductId, SchemaVersion, StreamVersion,
};
use crate::domain::money::{Cents, Currency};
use crate::domain::order::{OrderEvent, OrderStatus};
use crate::domain::privacy::Sealed;
use crate::domain::upcast::{upcast, LATEST_SCHEMA};
use crate::store::{
    ProjectionName, ProjectionSave, RowKey, StoredLine, StoredProgress, StoredProjection, StoredRow,
};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::rc::Rc;

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
        rows.sort_unstable_by_key(StoredRow::key);
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
        // Pairs first, then one map: a single sorted build for the three models (the
        // page's code holds one copy of it rather than three).
        let pairs: Vec<(String, String)> = match self {
            ReadModel::OrderSummary(rows) => rows
                .iter()
                .map(|(id, r)| (id.to_string(), summary_text(r)))
                .collect(),
            ReadModel::OrdersPerCustomer(rows) => rows
                .iter()
                .map(|(id, row)| (id.to_string(), customer_text(row)))
                .collect(),
            ReadModel::RevenuePerDay(rows) => rows
                .iter()
                .map(|(day, c)| (format!("day {day}"), c.to_string()))
                .collect(),
        };
        pairs.into_iter().collect()
    }
}

/// Updates the row for a key, creating it empty first if missing. One lookup when the
/// row exists and a key clone only when it is new: replay touches a row per event.
fn upsert<K: Hash + Eq + Clone, V: Default>(
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
fn seen(order_id: &OrderId, version: StreamVersion) -> StoredRow {
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

/// An exact replay of what a projection received: each position applied once, in
/// position order. Kept while the projection may have drifted from it (since it last
/// handled deliveries naively, until a rebuild); idempotent handling applies each
/// stream's events once and in order, and the read models' cross-stream rows only add
/// up, so an idempotent projection equals its reference and needs none.
#[derive(Debug, Clone)]
struct Reference {
    model: ReadModel,
    /// Applied positions past the checkpoint, waiting for the gap before them.
    held: BTreeMap<GlobalPosition, SharedEvent>,
    /// Rows where the projection's model differs from the reference.
    wrong: BTreeSet<RowKey>,
}

impl Reference {
    fn of(model: &ReadModel) -> Self {
        Reference {
            model: model.clone(),
            held: BTreeMap::new(),
            wrong: BTreeSet::new(),
        }
    }
}

/// What a projection did with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied to the read model.
    Applied,
    /// Already applied (idempotent mode): ignored.
    Ignored,
    /// An earlier event of the stream is missing (idempotent mode): try again once
    /// this version of the stream is applied.
    Gap {
        /// The stream version applied next.
        awaited: StreamVersion,
    },
    /// The event's schema is newer than this projection understands: it fails.
    UnknownSchema,
}

/// A projection: its read model, checkpoint and mode.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Which projection.
    pub name: ProjectionName,
    /// Naive or idempotent.
    pub mode: ProjectionMode,
    /// The newest event schema this projection's code understands.
    pub schema: SchemaVersion,
    /// Reads old events through the upcaster (only when it understands the latest schema).
    pub upcast: bool,
    model: ReadModel,
    /// Every position ≤ the checkpoint has been applied.
    checkpoint: GlobalPosition,
    /// Applied positions above the checkpoint (deliveries arrive out of order).
    ahead: BTreeSet<GlobalPosition>,
    /// Highest version applied per stream (idempotent mode's memory).
    versions: LookupMap<OrderId, StreamVersion>,
    /// Rows changed since the last save (duplicates possible).
    dirty: Vec<RowKey>,
    /// Streams whose applied version changed since the last save (their `Seen` rows),
    /// a stream's run of events noted once.
    dirty_seen: Vec<OrderId>,
    /// True when emptied since the last save: the next save replaces every row.
    emptied: bool,
    /// The exact replay this projection is checked against, while it may drift.
    reference: Option<Box<Reference>>,
}

impl Projection {
    /// An empty projection that understands schema v1 and does not upcast.
    pub fn new(name: ProjectionName, mode: ProjectionMode) -> Self {
        Projection {
            name,
            mode,
            schema: SchemaVersion(1),
            upcast: false,
            model: ReadModel::empty(name),
            checkpoint: GlobalPosition(0),
            ahead: BTreeSet::new(),
            versions: LookupMap::default(),
            dirty: Vec::new(),
            dirty_seen: Vec::new(),
            emptied: false,
            reference: (mode == ProjectionMode::Naive)
                .then(|| Box::new(Reference::of(&ReadModel::empty(name)))),
        }
    }

    /// The same projection (code, mode, schema support), with no data: for rebuilds.
    pub fn emptied(&self) -> Self {
        // A rebuild replays each event once, in order: exact, whatever the mode.
        Projection {
            schema: self.schema,
            upcast: self.upcast,
            emptied: true,
            ..Projection::new(self.name, self.mode)
        }
    }

    /// The same projection (code, mode, schema support) resumed from what the store
    /// kept: its rows, its checkpoint and what it applied past it.
    pub fn restored(&self, stored: StoredProjection) -> Self {
        let mut p = Projection {
            schema: self.schema,
            upcast: self.upcast,
            ..Projection::new(self.name, self.mode)
        };
        p.checkpoint = stored.progress.checkpoint;
        // Inserted, not collected: a collected set sorts first (more code in the page).
        p.ahead.extend(stored.progress.ahead);
        for row in stored.rows {
            match row {
                StoredRow::Seen { order_id, version } => {
                    p.versions.insert(order_id, version);
                }
                row => p.model.restore_row(row),
            }
        }
        // A naive projection is checked from the saved rows on (what it got wrong
        // before the reload is not known any more; a rebuild makes it exact).
        if p.reference.is_some() {
            p.reference = Some(Box::new(Reference::of(&p.model)));
        }
        p
    }

    /// What to save now: the progress and the rows changed since the last save (all of
    /// them, replacing what is stored, after the model was emptied).
    pub fn take_save(&mut self) -> ProjectionSave {
        let progress = StoredProgress {
            checkpoint: self.checkpoint,
            ahead: self.ahead.iter().copied().collect(),
        };
        let replace = std::mem::take(&mut self.emptied);
        let mut keys = std::mem::take(&mut self.dirty);
        let rows = if replace {
            let mut rows = self.model.stored_rows();
            rows.extend(self.versions.iter().map(|(id, v)| seen(id, *v)));
            rows
        } else {
            keys.extend(self.dirty_seen.drain(..).map(RowKey::Seen));
            keys.sort_unstable();
            keys.dedup();
            keys.iter()
                .filter_map(|key| match key {
                    RowKey::Seen(id) => self.versions.get(id).map(|v| seen(id, *v)),
                    key => self.model.stored_row(key),
                })
                .collect()
        };
        // Both lists are kept for their capacity.
        keys.clear();
        self.dirty = keys;
        self.dirty_seen.clear();
        ProjectionSave {
            projection: self.name,
            progress,
            replace,
            rows,
        }
    }

    /// The event as this projection reads it: upcast to the latest shape when it can.
    pub fn read(&self, e: &SharedEvent) -> SharedEvent {
        if self.reads_upcast() {
            upcast(e)
        } else {
            std::rc::Rc::clone(e)
        }
    }

    /// True when it reads old events through the upcaster.
    pub fn reads_upcast(&self) -> bool {
        self.upcast && self.schema >= LATEST_SCHEMA
    }

    /// Handles one delivered event according to the mode.
    pub fn deliver(&mut self, e: &SharedEvent) -> Applied {
        let upcasted;
        let e = if self.reads_upcast() {
            upcasted = upcast(e);
            &upcasted
        } else {
            e
        };
        if e.schema_version > self.schema {
            return Applied::UnknownSchema;
        }
        // One lookup of the stream's version: to check, then to move it on.
        let slot = self.versions.get_mut(&e.stream_id);
        let seen = slot.as_deref().copied().unwrap_or_default();
        if self.mode == ProjectionMode::Idempotent {
            if e.stream_version <= seen {
                return Applied::Ignored;
            }
            if e.stream_version > seen.next() {
                return Applied::Gap {
                    awaited: seen.next(),
                };
            }
        }
        match slot {
            Some(version) => *version = seen.max(e.stream_version),
            None => {
                self.versions.insert(e.stream_id.clone(), e.stream_version);
            }
        }
        let position = e.global_position;
        let first_time = position > self.checkpoint && !self.ahead.contains(&position);
        self.apply_to_rows(e);
        self.mark_applied(position);
        self.check(e, first_time);
        Applied::Applied
    }

    /// Switches between naive and idempotent handling. Going naive starts checking the
    /// model against an exact replay (from the model as it is now).
    pub fn set_mode(&mut self, mode: ProjectionMode) {
        if mode == ProjectionMode::Naive && self.reference.is_none() {
            self.reference = Some(Box::new(Reference::of(&self.model)));
        }
        self.mode = mode;
    }

    /// Feeds the reference after a delivery: a position applied for the first time
    /// joins it in position order; a duplicate changed only the model.
    #[inline]
    fn check(&mut self, e: &SharedEvent, first_time: bool) {
        if self.reference.is_some() {
            self.check_reference(e, first_time);
        }
    }

    fn check_reference(&mut self, e: &SharedEvent, first_time: bool) {
        let Some(reference) = self.reference.as_mut() else {
            return;
        };
        let mut touched: Vec<RowKey> = self.model.changed_row(e).into_iter().collect();
        if first_time {
            reference.held.insert(e.global_position, Rc::clone(e));
        }
        while let Some(entry) = reference.held.first_entry() {
            if *entry.key() > self.checkpoint {
                break;
            }
            let event = entry.remove();
            reference.model.apply(&event);
            touched.extend(reference.model.changed_row(&event));
        }
        for key in touched {
            // Typed rows, not their text: two rows can read alike ("4 items, $4.00")
            // with different lines.
            if self.model.same_row(&reference.model, &key) {
                reference.wrong.remove(&key);
            } else {
                reference.wrong.insert(key);
            }
        }
    }

    /// The rows of a naive projection that differ from an exact replay of what it
    /// received (each event once, in position order), in key order. Rows touched by
    /// events applied ahead of a gap are not judged until it fills.
    pub fn known_wrong(&self) -> Vec<&RowKey> {
        let Some(reference) = self.reference.as_ref() else {
            return Vec::new();
        };
        // Inserted rather than collected: a collected set sorts first, and each sort is
        // code of its own in the page.
        let mut pending = BTreeSet::new();
        pending.extend(
            reference
                .held
                .values()
                .filter_map(|e| reference.model.changed_row(e)),
        );
        reference
            .wrong
            .iter()
            .filter(|k| !pending.contains(*k))
            .collect()
    }

    /// The highest version of a stream this projection applied (0: none).
    pub fn applied_version(&self, stream: &OrderId) -> StreamVersion {
        self.versions.get(stream).copied().unwrap_or_default()
    }

    /// True when this position was applied past the checkpoint.
    pub fn is_applied_ahead(&self, position: GlobalPosition) -> bool {
        self.ahead.contains(&position)
    }

    /// True when a naive projection's row is known to differ from an exact replay of
    /// what it applied (a duplicate applied twice).
    pub fn is_known_wrong(&self, key: &RowKey) -> bool {
        self.reference
            .as_ref()
            .is_some_and(|r| r.wrong.contains(key))
    }

    /// Applies an event read from the store (a rebuild), exactly once by position.
    pub fn replay(&mut self, e: &SharedEvent) -> Applied {
        let position = e.global_position;
        if position <= self.checkpoint || self.ahead.contains(&position) {
            return Applied::Ignored;
        }
        let e = &self.read(e);
        if e.schema_version > self.schema {
            return Applied::UnknownSchema;
        }
        self.apply(e);
        self.mark_applied(position);
        self.check(e, true);
        Applied::Applied
    }

    /// Applies an event to the model and notes its stream's version, remembering which
    /// rows changed (unless the next save writes them all anyway).
    fn apply(&mut self, e: &EventEnvelope) {
        upsert(&mut self.versions, &e.stream_id, |seen| {
            *seen = (*seen).max(e.stream_version);
        });
        self.apply_to_rows(e);
    }

    /// Applies an event to the model (its stream's version already moved on) and notes
    /// the rows to save.
    fn apply_to_rows(&mut self, e: &EventEnvelope) {
        let changed = self.model.apply(e);
        if !self.emptied {
            if let Some(key) = self.model.changed_row(e).filter(|_| changed) {
                self.mark_dirty(key);
            }
            if self.dirty_seen.last() != Some(&e.stream_id) {
                self.dirty_seen.push(e.stream_id.clone());
            }
        }
    }

    /// Notes a row to save; a batch's events of one stream touch the same few rows in a
    /// row, so those repeats are skipped here (`take_save` removes the rest).
    fn mark_dirty(&mut self, key: RowKey) {
        if !self.dirty.iter().rev().take(4).any(|k| *k == key) {
            self.dirty.push(key);
        }
    }

    fn mark_applied(&mut self, position: GlobalPosition) {
        if position == self.checkpoint.next() && self.ahead.is_empty() {
            self.checkpoint = position; // the in-order common case
            return;
        }
        if position > self.checkpoint {
            self.ahead.insert(position);
        }
        while self.ahead.remove(&self.checkpoint.next()) {
            self.checkpoint = self.checkpoint.next();
        }
    }

    /// The read model.
    pub fn model(&self) -> &ReadModel {
        &self.model
    }

    /// Every position up to this one has been applied.
    pub fn checkpoint(&self) -> GlobalPosition {
        self.checkpoint
    }

    /// Positions applied past the checkpoint (out-of-order arrivals).
    pub fn applied_ahead(&self) -> impl Iterator<Item = GlobalPosition> + '_ {
        self.ahead.iter().copied()
    }

    /// Rows that differ from a fresh fold of the store's events this projection has
    /// applied (each once, in position order): duplicates and reordering show here,
    /// lag does not. To compare with the whole log (the head), events not yet applied
    /// included, use `truth::StoreFold::differing_rows`.
    pub fn divergence(&self, store: &[SharedEvent]) -> Vec<WrongRow> {
        let mut fresh = ReadModel::empty(self.name);
        for e in store {
            if e.global_position <= self.checkpoint || self.ahead.contains(&e.global_position) {
                fresh.apply(&self.read(e));
            }
        }
        let mut keys = BTreeSet::new();
        keys.extend(
            fresh
                .stored_rows()
                .iter()
                .chain(self.model.stored_rows().iter())
                .map(StoredRow::key),
        );
        // Typed rows, not their text: two rows can read alike with different lines.
        keys.into_iter()
            .filter(|k| !fresh.same_row(&self.model, k))
            .map(|k| WrongRow {
                key: k.label(),
                expected: fresh.row_text(&k),
                actual: self.model.row_text(&k),
            })
            .collect()
    }
}
