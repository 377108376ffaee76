//! A fulfilment run's setup: how each participant misbehaves, the bus, the crashes,
//! and the checks a setup must pass before it runs.

use crate::domain::inventory;
use crate::domain::saga::{self, SagaStep};
use serde::{Deserialize, Serialize};

/// How one participant misbehaves, each a chance per command (whole percent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Behaviour {
    /// Answers (and acts) only after the saga's deadline (a forward step: the chance
    /// that the step the saga waits on is late; undoing is answered in time, though a
    /// crash can still make the saga send it again).
    pub slow: u32,
    /// Refuses (a forward step only: compensation always succeeds, eventually).
    pub fail: u32,
    /// Sends its answer twice.
    pub twice: u32,
}

/// The simulated world of a fulfilment run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FulfilmentConfig {
    /// Seed of the run's one random generator.
    pub seed: u64,
    /// How long the saga waits for an answer, in virtual ms.
    pub timeout_ms: u64,
    /// Longest bus delivery, in virtual ms (each delivery takes 10 ms up to this).
    pub lag_ms: u64,
    /// Chance the bus delivers a message twice (whole percent).
    pub duplicate_percent: u32,
    /// Units of each product in stock at the start.
    pub stock: u32,
    /// The inventory service.
    pub inventory: Behaviour,
    /// The payment provider.
    pub payment: Behaviour,
    /// Shipping (recorded on the order).
    pub shipping: Behaviour,
    /// Virtual times at which the saga's process crashes.
    pub crashes: Vec<u64>,
    /// How long it stays down after a crash, in virtual ms.
    pub downtime_ms: u64,
}

/// Most orders, crashes and units a run accepts (it must stay small enough to watch).
pub const MAX_ORDERS: usize = 200;
/// Most crashes in one run.
pub const MAX_CRASHES: usize = 20;
/// Longest deadline, lag or downtime, in virtual ms (ten minutes).
pub const MAX_DELAY_MS: u64 = 600_000;

impl Default for FulfilmentConfig {
    fn default() -> Self {
        FulfilmentConfig {
            seed: 1,
            timeout_ms: 2_000,
            lag_ms: 150,
            duplicate_percent: 0,
            stock: 10,
            inventory: Behaviour::default(),
            payment: Behaviour::default(),
            shipping: Behaviour::default(),
            crashes: Vec::new(),
            downtime_ms: 1_000,
        }
    }
}

/// A bad fulfilment setup, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// A field out of its range.
    #[error("{field} must be from {min} to {max} (got {got})")]
    OutOfRange {
        /// The field's name.
        field: &'static str,
        /// Lowest allowed.
        min: u64,
        /// Highest allowed.
        max: u64,
        /// What was given.
        got: u64,
    },
    /// An order the Order aggregate refuses.
    #[error("order {order}: {reason}")]
    BadOrder {
        /// Which order.
        order: String,
        /// Why.
        reason: String,
    },
}

pub(super) fn in_range(
    field: &'static str,
    got: u64,
    min: u64,
    max: u64,
) -> Result<(), SetupError> {
    if (min..=max).contains(&got) {
        Ok(())
    } else {
        Err(SetupError::OutOfRange {
            field,
            min,
            max,
            got,
        })
    }
}

impl FulfilmentConfig {
    /// Checks every field.
    pub fn check(&self) -> Result<(), SetupError> {
        in_range("timeoutMs", self.timeout_ms, 100, MAX_DELAY_MS)?;
        in_range("lagMs", self.lag_ms, 10, MAX_DELAY_MS)?;
        in_range("downtimeMs", self.downtime_ms, 1, MAX_DELAY_MS)?;
        in_range("duplicatePercent", self.duplicate_percent.into(), 0, 100)?;
        in_range(
            "stock",
            self.stock.into(),
            0,
            u64::from(inventory::MAX_UNITS),
        )?;
        in_range("crashes", self.crashes.len() as u64, 0, MAX_CRASHES as u64)?;
        for at in &self.crashes {
            in_range("crashes", *at, 0, MAX_DELAY_MS)?;
        }
        for (b, fields) in [
            (
                self.inventory,
                ["inventory.slow", "inventory.fail", "inventory.twice"],
            ),
            (
                self.payment,
                ["payment.slow", "payment.fail", "payment.twice"],
            ),
            (
                self.shipping,
                ["shipping.slow", "shipping.fail", "shipping.twice"],
            ),
        ] {
            for (field, value) in fields.into_iter().zip([b.slow, b.fail, b.twice]) {
                in_range(field, value.into(), 0, 100)?;
            }
        }
        Ok(())
    }

    pub(super) fn behaviour(&self, step: SagaStep) -> Behaviour {
        match step.participant() {
            saga::Participant::Inventory => self.inventory,
            saga::Participant::Payment => self.payment,
            saga::Participant::Order => self.shipping,
        }
    }
}
