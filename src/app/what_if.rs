//! What the scenario page can set beside a scenario's run: another variant, or a
//! what-if (a change to the knobs from a moment on, or to a saga's world from the start),
//! and the second run it makes.

use crate::engine::config::ProjectionMode;
use crate::engine::fulfilment::FulfilmentConfig;
use crate::scenarios::lab::{KnobChange, Lab};
use crate::scenarios::run::Run;

/// The changes a what-if branch can make, with their names.
pub fn what_ifs() -> Vec<(&'static str, KnobChange)> {
    let change = KnobChange::default;
    vec![
        (
            "the outbox on",
            KnobChange {
                outbox: Some(true),
                ..change()
            },
        ),
        (
            "the outbox off (dual write)",
            KnobChange {
                outbox: Some(false),
                ..change()
            },
        ),
        (
            "every projection idempotent",
            KnobChange {
                all_modes: Some(ProjectionMode::Idempotent),
                ..change()
            },
        ),
        (
            "every projection naive",
            KnobChange {
                all_modes: Some(ProjectionMode::Naive),
                ..change()
            },
        ),
        (
            "no duplicate deliveries",
            KnobChange {
                duplicate_percent: Some(0),
                ..change()
            },
        ),
        (
            "every delivery made twice",
            KnobChange {
                duplicate_percent: Some(100),
                ..change()
            },
        ),
        (
            "reordering off (order per aggregate id)",
            KnobChange {
                reorder: Some(false),
                ..change()
            },
        ),
        (
            "reordering on",
            KnobChange {
                reorder: Some(true),
                ..change()
            },
        ),
        (
            "a snapshot every 10 events",
            KnobChange {
                snapshot_every: Some(10),
                ..change()
            },
        ),
        (
            "a snapshot every 100 events",
            KnobChange {
                snapshot_every: Some(100),
                ..change()
            },
        ),
        (
            "the upcaster on",
            KnobChange {
                upcaster: Some(true),
                ..change()
            },
        ),
    ]
}

/// A change to a saga scenario's world, for a what-if beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SagaWhatIf {
    /// Every payment is declined.
    PaymentDeclines,
    /// Every payment answers after the deadline.
    PaymentLate,
    /// Every message is delivered twice and every participant answers twice.
    EverythingTwice,
    /// The saga's process crashes at 1 s and again at 3 s.
    Crashes,
    /// Only one unit of each product is in stock.
    LowStock,
}

impl SagaWhatIf {
    /// Every one, with its name, in menu order.
    pub const ALL: [(&'static str, SagaWhatIf); 5] = [
        ("every payment declined", SagaWhatIf::PaymentDeclines),
        ("every payment answered late", SagaWhatIf::PaymentLate),
        (
            "every message and answer sent twice",
            SagaWhatIf::EverythingTwice,
        ),
        (
            "the saga's process crashes at 1 s and 3 s",
            SagaWhatIf::Crashes,
        ),
        ("one unit of each product in stock", SagaWhatIf::LowStock),
    ];

    /// `config` with this change made.
    pub fn applied_to(self, config: &FulfilmentConfig) -> FulfilmentConfig {
        let mut c = config.clone();
        match self {
            SagaWhatIf::PaymentDeclines => c.payment.fail = 100,
            SagaWhatIf::PaymentLate => c.payment.slow = 100,
            SagaWhatIf::EverythingTwice => {
                c.duplicate_percent = 100;
                for b in [&mut c.inventory, &mut c.payment, &mut c.shipping] {
                    b.twice = 100;
                }
            }
            SagaWhatIf::Crashes => c.crashes = vec![1_000, 3_000],
            SagaWhatIf::LowStock => c.stock = 1,
        }
        c
    }
}

/// The names of the what-ifs a lab offers (the order system's, or a saga's).
pub fn what_if_names(lab: &Lab) -> Vec<&'static str> {
    if lab.saga.is_some() {
        SagaWhatIf::ALL.iter().map(|(name, _)| *name).collect()
    } else {
        what_ifs().into_iter().map(|(name, _)| name).collect()
    }
}

/// What the second run of the side-by-side view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Other {
    /// Another of the scenario's variants.
    Variant(usize),
    /// The lab with `what_ifs()[change]` made from the start (`at` 0) or from `at` ms:
    /// a branch forked there.
    WhatIf {
        /// Which change.
        change: usize,
        /// From when.
        at: u64,
    },
}

/// The second run, beside the first.
#[derive(Debug, Clone)]
pub struct Branch {
    /// What it is.
    pub other: Other,
    /// Its name, as the page heads it.
    pub label: String,
    pub(super) run: Run,
}

impl Branch {
    /// Its run.
    pub fn run(&self) -> &Run {
        &self.run
    }
}
