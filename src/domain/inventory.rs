//! The Inventory aggregate (one stream per product's stock, e.g. `stock-espresso`) as a
//! pure decider, the third aggregate: stock is reserved per order (at most once each)
//! and released only as reserved, and never goes below zero. A saga reserves stock
//! before taking payment and releases it when it compensates.

use crate::domain::ids::OrderId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most units stocked or reserved at once.
pub const MAX_UNITS: u32 = 1_000_000;

/// A request to a product's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "commandType", content = "data", rename_all_fields = "camelCase")]
pub enum InventoryCommand {
    /// Units arrive.
    Restock {
        /// How many.
        units: u32,
    },
    /// Hold units for an order.
    Reserve {
        /// The order.
        order_id: OrderId,
        /// How many.
        units: u32,
    },
    /// Give an order's reservation back (a saga's compensation).
    Release {
        /// The order.
        order_id: OrderId,
    },
}

/// What happened to a product's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "eventType", content = "data", rename_all_fields = "camelCase")]
pub enum InventoryEvent {
    /// Units arrived.
    StockRestocked {
        /// How many.
        units: u32,
    },
    /// Units held for an order.
    StockReserved {
        /// The order.
        order_id: OrderId,
        /// How many.
        units: u32,
    },
    /// An order's units given back.
    StockReleased {
        /// The order.
        order_id: OrderId,
        /// How many.
        units: u32,
    },
}

/// A product's stock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stock {
    /// Units free to reserve.
    pub available: u32,
    /// Units held, by order.
    pub reserved: BTreeMap<OrderId, u32>,
}

/// Why a stock command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryRejection {
    /// Zero units, or more than the limit.
    #[error("units must be from 1 to {MAX_UNITS} (got {units})")]
    InvalidUnits {
        /// What was asked.
        units: u32,
    },
    /// More than is free.
    #[error("only {available} units are free, {wanted} were asked for")]
    NotEnoughStock {
        /// Free units.
        available: u32,
        /// Asked for.
        wanted: u32,
    },
    /// A second reservation for the same order.
    #[error("this order already holds a reservation")]
    AlreadyReserved,
    /// A release for an order that holds none.
    #[error("this order holds no reservation to release")]
    NothingReserved,
    /// Restocking past the limit.
    #[error("the stock would exceed {MAX_UNITS} units")]
    TooMuchStock,
}

/// Decides a stock command: the events to record, or why not.
pub fn decide(
    stock: &Stock,
    command: &InventoryCommand,
) -> Result<Vec<InventoryEvent>, InventoryRejection> {
    let valid = |units: u32| {
        if units == 0 || units > MAX_UNITS {
            Err(InventoryRejection::InvalidUnits { units })
        } else {
            Ok(units)
        }
    };
    let event = match command {
        InventoryCommand::Restock { units } => {
            let units = valid(*units)?;
            let held: u64 = stock.reserved.values().map(|u| u64::from(*u)).sum();
            if u64::from(stock.available) + held + u64::from(units) > u64::from(MAX_UNITS) {
                return Err(InventoryRejection::TooMuchStock);
            }
            InventoryEvent::StockRestocked { units }
        }
        InventoryCommand::Reserve { order_id, units } => {
            let units = valid(*units)?;
            if stock.reserved.contains_key(order_id) {
                return Err(InventoryRejection::AlreadyReserved);
            }
            if units > stock.available {
                return Err(InventoryRejection::NotEnoughStock {
                    available: stock.available,
                    wanted: units,
                });
            }
            InventoryEvent::StockReserved {
                order_id: order_id.clone(),
                units,
            }
        }
        InventoryCommand::Release { order_id } => {
            let units = *stock
                .reserved
                .get(order_id)
                .ok_or(InventoryRejection::NothingReserved)?;
            InventoryEvent::StockReleased {
                order_id: order_id.clone(),
                units,
            }
        }
    };
    Ok(vec![event])
}

/// Folds one event into the stock; total (an event that does not fit is ignored, and
/// counts saturate rather than wrap).
pub fn evolve(mut stock: Stock, event: &InventoryEvent) -> Stock {
    match event {
        InventoryEvent::StockRestocked { units } => {
            stock.available = stock.available.saturating_add(*units);
        }
        InventoryEvent::StockReserved { order_id, units } => {
            if *units <= stock.available && !stock.reserved.contains_key(order_id) {
                stock.available -= units;
                stock.reserved.insert(order_id.clone(), *units);
            }
        }
        InventoryEvent::StockReleased { order_id, .. } => {
            if let Some(units) = stock.reserved.remove(order_id) {
                stock.available = stock.available.saturating_add(units);
            }
        }
    }
    stock
}

/// Replays a product's stock events.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a InventoryEvent>) -> Stock {
    events.into_iter().fold(Stock::default(), evolve)
}
