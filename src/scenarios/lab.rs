//! A lab as a scenario or a shared link describes it: the seed, every knob, the
//! command script and the actions taken at set virtual times. The same lab always
//! gives the same timeline. Read from a link or a file, it is checked field by field.

use crate::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::domain::privacy::{KeyVault, Personal};
use crate::engine::config::page_config;
use crate::engine::config::{Backpressure, ConflictPolicy, EngineConfig, ProjectionMode};
use crate::engine::faults::{describe_crash, Faults};
use crate::engine::fulfilment::{Fulfilment, FulfilmentConfig, PlacedOrder};
use crate::engine::rebuild::RebuildStrategy;
use crate::engine::script::{ClientId, ScriptedCommand};
use crate::engine::sim::Simulation;
use crate::engine::Engine;
use crate::store::ProjectionName;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Most commands a lab's script holds.
pub const MAX_SCRIPT: usize = 300;
/// Most actions a lab takes.
pub const MAX_ACTIONS: usize = 50;
/// Latest virtual time a command or an action may be set at: one hour.
pub const MAX_TIME: u64 = 3_600_000;

/// The command side's settings (the page's defaults where left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct CommandSide {
    /// Handler instances working in parallel (1–4).
    pub handlers: u32,
    /// Virtual ms a handler spends deciding (0–10,000).
    pub handling_time: u64,
    /// Up to this many extra virtual ms per command (0–10,000).
    pub handling_jitter: u64,
    /// What a handler does on a concurrency conflict.
    pub on_conflict: ConflictPolicy,
    /// What the command bus does when its queue is full.
    pub backpressure: Backpressure,
    /// The command bus's capacity (1–1,000).
    pub queue_capacity: u32,
    /// Queued commands survive a crash.
    pub durable_queue: bool,
    /// A priority lane of this capacity for payments (1–1,000), or one lane for all.
    pub priority_lane: Option<u32>,
}

impl Default for CommandSide {
    fn default() -> Self {
        let page = page_config();
        CommandSide {
            handlers: page.handlers,
            handling_time: page.handling_time.0,
            handling_jitter: page.handling_jitter.0,
            on_conflict: page.on_conflict,
            backpressure: page.backpressure,
            queue_capacity: page.queue_capacity,
            durable_queue: page.durable_queue,
            priority_lane: page.priority_lane,
        }
    }
}

/// One command of the script: sent by `client` at `at`; `id` (default `c<n>` for the
/// n-th line) is its idempotency key, so a retry names the id it repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// Virtual ms.
    pub at: u64,
    /// The simulated client (1–99).
    #[serde(default = "first_client")]
    pub client: u32,
    /// The command id, when it repeats an earlier one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The order it targets.
    pub order: String,
    /// The command.
    pub command: OrderCommand,
    /// For `CreateOrder`: the customer's name and address, sealed with their key when
    /// the lab runs (the log never holds them in plaintext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<PersonalLine>,
}

/// A customer's name and address, as a lab's script gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonalLine {
    /// Full name.
    pub name: String,
    /// Postal address.
    #[serde(default)]
    pub address: String,
}

fn first_client() -> u32 {
    1
}

/// Knobs an action changes; the others keep their value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct KnobChange {
    /// New duplicate rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_percent: Option<u32>,
    /// Reordering on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reorder: Option<bool>,
    /// The outbox on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<bool>,
    /// One projection's handling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<(ProjectionName, ProjectionMode)>,
    /// Every projection's handling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_modes: Option<ProjectionMode>,
    /// The failing projection (`null` inside: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing: Option<Option<ProjectionName>>,
    /// Deploys schema v2 on the write side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_v2: Option<bool>,
    /// The upcaster on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upcaster: Option<bool>,
    /// Snapshot every.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_every: Option<u64>,
}

impl KnobChange {
    /// `faults` with this change made.
    pub fn applied_to(&self, faults: Faults) -> Faults {
        let mut f = faults;
        if let Some(v) = self.duplicate_percent {
            f.duplicate_percent = v;
        }
        if let Some(v) = self.reorder {
            f.reorder = v;
        }
        if let Some(v) = self.outbox {
            f.outbox = v;
        }
        if let Some(mode) = self.all_modes {
            f.modes = [mode; 3];
        }
        if let Some((name, mode)) = self.mode {
            f = f.with_mode(name, mode);
        }
        if let Some(v) = self.failing {
            f.failing = v;
        }
        if let Some(v) = self.schema_v2 {
            f.schema_v2 = v;
        }
        if let Some(v) = self.upcaster {
            f.upcaster = v;
        }
        if let Some(v) = self.snapshot_every {
            f.snapshot_every = v;
        }
        f
    }
}

/// Something done to the running system at a set time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Action {
    /// Crash and restart at once (what a reload does).
    Crash,
    /// Change knobs.
    Set {
        /// The change.
        knobs: KnobChange,
    },
    /// Wipe a read model and rebuild it from the store.
    Rebuild {
        /// Which one.
        projection: ProjectionName,
    },
    /// Resubmit a projection's dead letters.
    Resubmit {
        /// Whose.
        projection: ProjectionName,
    },
    /// Forget a customer: delete their key (crypto-shredding).
    Forget {
        /// The customer id.
        customer: String,
    },
}

/// An action and its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timed {
    /// Virtual ms.
    pub at: u64,
    /// What happens.
    #[serde(rename = "do")]
    pub action: Action,
}

/// A whole lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Lab {
    /// Seed of the RNG.
    pub seed: u64,
    /// Fault knobs at the start.
    pub knobs: Faults,
    /// The command side.
    pub command_side: CommandSide,
    /// The commands.
    pub script: Vec<Line>,
    /// The actions, in time order.
    pub actions: Vec<Timed>,
    /// A fulfilment saga run beside the order system (the saga scenarios).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saga: Option<SagaSetup>,
}

/// A fulfilment saga's world and the orders it fulfils.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SagaSetup {
    /// Timeouts, lag, duplicates, stock, how each participant behaves, crashes.
    #[serde(default)]
    pub config: FulfilmentConfig,
    /// The orders placed, each with its time.
    pub orders: Vec<PlacedOrder>,
}

impl Default for Lab {
    fn default() -> Self {
        Lab {
            seed: page_config().seed,
            knobs: Faults::default(),
            command_side: CommandSide::default(),
            script: Vec::new(),
            actions: Vec::new(),
            saga: None,
        }
    }
}

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
        if let Some(saga) = &self.saga {
            Fulfilment::new(saga.config.clone(), &saga.orders)
                .map_err(|e| LabError::Saga(e.to_string()))?;
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

/// A lab running: its simulation, the knobs in force and what its actions did.
#[derive(Debug, Clone)]
pub struct Run {
    lab: Lab,
    sim: Simulation,
    vault: KeyVault,
    saga: Option<Fulfilment>,
    knobs: Faults,
    next_action: usize,
    notes: Vec<(VirtualMillis, String)>,
}

impl Run {
    /// The lab at time 0.
    pub fn new(lab: Lab) -> Self {
        let mut vault = KeyVault::new(lab.seed);
        let engine = Engine::new(lab.config(), lab.sealed_script(&mut vault));
        Run {
            vault,
            knobs: lab.knobs,
            sim: Simulation::new(engine),
            // `check` reports a setup that does not build; such a lab runs without it.
            saga: lab
                .saga
                .as_ref()
                .and_then(|s| Fulfilment::new(s.config.clone(), &s.orders).ok()),
            lab,
            next_action: 0,
            notes: Vec::new(),
        }
    }

    /// Runs everything due up to `t`, each of the lab's actions at its time (before
    /// the tasks due then).
    pub fn advance_to(&mut self, t: VirtualMillis) {
        while let Some(timed) = self
            .lab
            .actions
            .get(self.next_action)
            .filter(|a| a.at <= t.0)
            .cloned()
        {
            // An action at `at` comes before the tasks due at `at`.
            if timed.at > 0 {
                self.sim.run_until(VirtualMillis(timed.at - 1));
            }
            // Everything due before `at` ran: the clock moves to it.
            let moved = self.sim.engine.advance_to(VirtualMillis(timed.at));
            debug_assert!(moved.is_ok(), "{moved:?}");
            self.act(&timed.action);
            self.next_action += 1;
        }
        self.sim.run_until(t);
        if let Some(saga) = self.saga.as_mut() {
            saga.run_until(t);
        }
    }

    /// The customers' keys (crypto-shredding deletes one).
    pub fn vault(&self) -> &KeyVault {
        &self.vault
    }

    /// The fulfilment saga's run, in a saga scenario.
    pub fn saga(&self) -> Option<&Fulfilment> {
        self.saga.as_ref()
    }

    fn act(&mut self, action: &Action) {
        let engine = &mut self.sim.engine;
        let note = match action {
            Action::Crash => {
                let report = engine.crash();
                engine.recover();
                describe_crash(&report, report.kept.len(), engine.config().outbox)
            }
            Action::Set { knobs } => {
                self.knobs = knobs.applied_to(self.knobs);
                self.knobs.apply(engine);
                describe_change(knobs)
            }
            Action::Rebuild { projection } => {
                engine.start_rebuild(*projection, RebuildStrategy::InPlace);
                format!("Rebuilding {} from the event store.", projection.title())
            }
            Action::Forget { customer } => match CustomerId::parse(customer) {
                Ok(id) if self.vault.forget(&id) => format!(
                    "Forgot {id}: their key is deleted. Their name and address now read [erased] in every view; every event stays."
                ),
                Ok(id) => format!("{id} had no key to delete."),
                Err(e) => format!("No customer forgotten: {e}."),
            },
            Action::Resubmit { projection } => {
                let n = engine.resubmit_dead_letters(*projection);
                format!("Resubmitted {n} dead letter(s) of {}.", projection.title())
            }
        };
        self.notes.push((self.sim.engine.now(), note));
    }

    /// The lab.
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// The simulation.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The knobs in force.
    pub fn knobs(&self) -> Faults {
        self.knobs
    }

    /// What the actions so far did, with their times.
    pub fn notes(&self) -> &[(VirtualMillis, String)] {
        &self.notes
    }
}

impl Lab {
    /// The same lab with `change` made at `at` (0: from the start, in the knobs; later:
    /// an action then, after the lab's own actions at that time): a what-if branch.
    pub fn forked(&self, at: u64, change: KnobChange) -> Lab {
        let mut lab = self.clone();
        if at == 0 {
            lab.knobs = change.applied_to(lab.knobs);
        } else {
            let index = lab.actions.partition_point(|a| a.at <= at);
            lab.actions.insert(
                index,
                Timed {
                    at,
                    action: Action::Set { knobs: change },
                },
            );
        }
        lab
    }
}

/// An action's change, in words.
pub fn describe_change(change: &KnobChange) -> String {
    let mut parts = Vec::new();
    let on = |b: bool| if b { "on" } else { "off" };
    if let Some(p) = change.duplicate_percent {
        parts.push(format!("duplicate rate {p} %"));
    }
    if let Some(b) = change.reorder {
        parts.push(format!("reordering {}", on(b)));
    }
    if let Some(b) = change.outbox {
        parts.push(format!("outbox {}", on(b)));
    }
    let mode_name = |mode| match mode {
        ProjectionMode::Naive => "naive",
        ProjectionMode::Idempotent => "idempotent",
    };
    if let Some(mode) = change.all_modes {
        parts.push(format!("every projection {}", mode_name(mode)));
    }
    if let Some((name, mode)) = change.mode {
        parts.push(format!("{} {}", name.title(), mode_name(mode)));
    }
    if let Some(failing) = change.failing {
        parts.push(match failing {
            Some(name) => format!("{} fails every delivery", name.title()),
            None => "no projection failing".to_owned(),
        });
    }
    if change.schema_v2 == Some(true) {
        parts.push("schema v2 deployed".to_owned());
    }
    if let Some(b) = change.upcaster {
        parts.push(format!("upcaster {}", on(b)));
    }
    if let Some(n) = change.snapshot_every {
        parts.push(format!("snapshot every {n} events"));
    }
    format!("Changed: {}.", parts.join(", "))
}
