//! A lab checked field by field (the first bad one named), and turned into what the
//! engine takes: its configuration and its script.

use super::lab::{Action, Lab, Line, MAX_ACTIONS, MAX_SCRIPT, MAX_TIME};
use crate::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::domain::privacy::{KeyVault, Personal};
use crate::engine::config::page_config;
use crate::engine::config::{Backpressure, ConflictPolicy, EngineConfig};
use crate::engine::fulfilment::Fulfilment;
use crate::engine::script::{ClientId, ScriptedCommand};
use thiserror::Error;

/// What is wrong with a lab, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LabError {
    /// A number out of its range.
    #[error("{field} is {value}, but must be from {min} to {max}")]
    OutOfRange {
        /// The field.
        field: String,
        /// Its value.
        value: u64,
        /// Least allowed.
        min: u64,
        /// Most allowed.
        max: u64,
    },
    /// An id that is not one.
    #[error("{field}: {reason}")]
    BadId {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// A list too long.
    #[error("{field} has {len} entries; at most {max} are allowed")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// A saga setup that does not check.
    #[error("saga: {0}")]
    Saga(String),
    /// Actions out of time order.
    #[error("actions[{index}] is at {at} ms, before the action above it")]
    Unordered {
        /// Which action.
        index: usize,
        /// Its time.
        at: u64,
    },
}

fn range(field: impl Into<String>, value: u64, min: u64, max: u64) -> Result<(), LabError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(LabError::OutOfRange {
            field: field.into(),
            value,
            min,
            max,
        })
    }
}

impl Lab {
    /// Checks every field; the first bad one is named.
    pub fn check(&self) -> Result<(), LabError> {
        let k = &self.knobs;
        range(
            "knobs.duplicatePercent",
            u64::from(k.duplicate_percent),
            0,
            100,
        )?;
        range("knobs.snapshotEvery", k.snapshot_every, 1, 1000)?;
        self.check_command_side()?;
        self.check_script()?;
        self.check_actions()?;
        if let Some(saga) = &self.saga {
            Fulfilment::new(saga.config.clone(), &saga.orders)
                .map_err(|e| LabError::Saga(e.to_string()))?;
        }
        Ok(())
    }

    /// The command side's settings, each within its bounds.
    fn check_command_side(&self) -> Result<(), LabError> {
        let c = &self.command_side;
        range("commandSide.handlers", u64::from(c.handlers), 1, 4)?;
        range("commandSide.handlingTime", c.handling_time, 0, 10_000)?;
        range("commandSide.handlingJitter", c.handling_jitter, 0, 10_000)?;
        range(
            "commandSide.queueCapacity",
            u64::from(c.queue_capacity),
            1,
            1000,
        )?;
        if let Some(lane) = c.priority_lane {
            range("commandSide.priorityLane", u64::from(lane), 1, 1000)?;
        }
        if let ConflictPolicy::Retry {
            max_retries,
            backoff,
        } = c.on_conflict
        {
            range(
                "commandSide.onConflict.maxRetries",
                u64::from(max_retries),
                0,
                10,
            )?;
            range("commandSide.onConflict.backoff", backoff.0, 0, 10_000)?;
        }
        match c.backpressure {
            Backpressure::Reject => {}
            Backpressure::Wait {
                retry_after,
                max_retries,
            } => {
                range(
                    "commandSide.backpressure.retryAfter",
                    retry_after.0,
                    1,
                    10_000,
                )?;
                range(
                    "commandSide.backpressure.maxRetries",
                    u64::from(max_retries),
                    0,
                    20,
                )?;
            }
            Backpressure::Overflow { capacity } => {
                range(
                    "commandSide.backpressure.capacity",
                    u64::from(capacity),
                    1,
                    1000,
                )?;
            }
        }
        Ok(())
    }

    /// The script: not too long, each line's time, client, command and personal data.
    fn check_script(&self) -> Result<(), LabError> {
        if self.script.len() > MAX_SCRIPT {
            return Err(LabError::TooLong {
                field: "script",
                len: self.script.len(),
                max: MAX_SCRIPT,
            });
        }
        for (i, line) in self.script.iter().enumerate() {
            range(format!("script[{i}].at"), line.at, 0, MAX_TIME)?;
            range(format!("script[{i}].client"), u64::from(line.client), 1, 99)?;
            self.command(i, line)?;
            if let Some(p) = &line.personal {
                let bad = |reason: String| LabError::BadId {
                    field: format!("script[{i}].personal"),
                    reason,
                };
                if !matches!(line.command, OrderCommand::CreateOrder { .. }) {
                    return Err(bad("only CreateOrder carries personal data".into()));
                }
                Personal::parse(&p.name, &p.address).map_err(|e| bad(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// The timed actions: not too many, in time order, each setting within bounds.
    fn check_actions(&self) -> Result<(), LabError> {
        if self.actions.len() > MAX_ACTIONS {
            return Err(LabError::TooLong {
                field: "actions",
                len: self.actions.len(),
                max: MAX_ACTIONS,
            });
        }
        let mut last = 0;
        for (i, timed) in self.actions.iter().enumerate() {
            range(format!("actions[{i}].at"), timed.at, 0, MAX_TIME)?;
            if timed.at < last {
                return Err(LabError::Unordered {
                    index: i,
                    at: timed.at,
                });
            }
            last = timed.at;
            if let Action::Set { knobs } = &timed.action {
                if let Some(p) = knobs.duplicate_percent {
                    range(
                        format!("actions[{i}].knobs.duplicatePercent"),
                        u64::from(p),
                        0,
                        100,
                    )?;
                }
                if let Some(n) = knobs.snapshot_every {
                    range(format!("actions[{i}].knobs.snapshotEvery"), n, 1, 1000)?;
                }
            }
        }
        for (i, timed) in self.actions.iter().enumerate() {
            if let Action::Forget { customer } = &timed.action {
                CustomerId::parse(customer).map_err(|e| LabError::BadId {
                    field: format!("actions[{i}].customer"),
                    reason: e.to_string(),
                })?;
            }
        }
        Ok(())
    }

    /// The script's `i`-th line as the engine takes it.
    fn command(&self, i: usize, line: &Line) -> Result<ScriptedCommand, LabError> {
        let bad = |field: &str, e: &dyn std::fmt::Display| LabError::BadId {
            field: format!("script[{i}].{field}"),
            reason: e.to_string(),
        };
        let id = line.id.clone().unwrap_or_else(|| format!("c{}", i + 1));
        Ok(ScriptedCommand {
            at: VirtualMillis(line.at),
            client: ClientId(line.client),
            command_id: CommandId::parse(&id).map_err(|e| bad("id", &e))?,
            correlation_id: CorrelationId::parse(&format!("corr-{id}"))
                .map_err(|e| bad("id", &e))?,
            order_id: OrderId::parse(&line.order).map_err(|e| bad("order", &e))?,
            command: line.command.clone(),
        })
    }

    /// The engine's configuration.
    pub fn config(&self) -> EngineConfig {
        let c = &self.command_side;
        let mut config = EngineConfig {
            seed: self.seed,
            handlers: c.handlers,
            handling_time: VirtualMillis(c.handling_time),
            handling_jitter: VirtualMillis(c.handling_jitter),
            on_conflict: c.on_conflict,
            backpressure: c.backpressure,
            queue_capacity: c.queue_capacity,
            durable_queue: c.durable_queue,
            priority_lane: c.priority_lane,
            ..page_config()
        };
        self.knobs.configure(&mut config);
        config
    }

    /// The script as the engine takes it, each line's name and address sealed under
    /// its customer's key from `vault`.
    pub fn sealed_script(&self, vault: &mut KeyVault) -> Vec<ScriptedCommand> {
        self.script
            .iter()
            .enumerate()
            .filter_map(|(i, line)| {
                let mut command = self.command(i, line).ok()?;
                if let (
                    Some(p),
                    OrderCommand::CreateOrder {
                        customer_id,
                        personal,
                        ..
                    },
                ) = (&line.personal, &mut command.command)
                {
                    let plain = Personal::parse(&p.name, &p.address).ok().flatten()?;
                    *personal = vault.seal(customer_id, &plain).ok();
                }
                Some(command)
            })
            .collect()
    }

    /// The script as the engine takes it (lines that do not check are left out:
    /// `check` reports them first).
    pub fn scripted(&self) -> Vec<ScriptedCommand> {
        self.script
            .iter()
            .enumerate()
            .filter_map(|(i, line)| self.command(i, line).ok())
            .collect()
    }
}
