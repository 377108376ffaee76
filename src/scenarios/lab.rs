//! A lab as a scenario or a shared link describes it: the seed, every knob, the
//! command script and the actions taken at set virtual times. The same lab always
//! gives the same timeline. Read from a link or a file, it is checked field by field.

use crate::domain::order::OrderCommand;
use crate::engine::config::page_config;
use crate::engine::config::{Backpressure, ConflictPolicy, ProjectionMode};
use crate::engine::fulfilment::{FulfilmentConfig, PlacedOrder};
use crate::engine::knobs::Knobs;
use crate::engine::transport::Transport;
use crate::store::ProjectionName;
use serde::{Deserialize, Serialize};

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
    /// The failing projection (`null`: none; absent: unchanged).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_or_value"
    )]
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
    /// The transport (its text: "event-grid max-attempts=3").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
}

/// A field that is present reads as `Some`, `null` included (`Some(None)`); an absent
/// one stays `None` (the field's default).
fn null_or_value<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl KnobChange {
    /// `faults` with this change made.
    pub fn applied_to(&self, knobs: Knobs) -> Knobs {
        let mut f = knobs;
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
        if let Some(v) = self.transport {
            f.transport = v;
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
    pub knobs: Knobs,
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
            knobs: Knobs::default(),
            command_side: CommandSide::default(),
            script: Vec::new(),
            actions: Vec::new(),
            saga: None,
        }
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
    if let Some(transport) = change.transport {
        parts.push(format!("events now travel by {}", transport.name()));
    }
    if let Some(b) = change.upcaster {
        parts.push(format!("upcaster {}", on(b)));
    }
    if let Some(n) = change.snapshot_every {
        parts.push(format!("snapshot every {n} events"));
    }
    format!("Changed: {}.", parts.join(", "))
}
