//! The fault knobs as the user sets them, and what they mean for the engine.

use crate::domain::ids::{SchemaVersion, VirtualMillis};
use crate::domain::upcast::LATEST_SCHEMA;
use crate::engine::config::{
    EngineConfig, LagDistribution, ProjectionMode, DEFAULT_SNAPSHOT_EVERY,
};
use crate::engine::rng::PerMillion;
use crate::engine::transport::choice::{with, TransportOption};
use crate::engine::transport::{Subscriptions, Transport};
use crate::engine::Engine;
use crate::store::ProjectionName;
use serde::{Deserialize, Serialize};

/// How long the event bus takes to deliver.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lag {
    /// At once.
    None,
    /// 20 ms every time (the default).
    #[default]
    Fixed,
    /// Anywhere from 10 to 200 ms.
    Uniform,
    /// Usually 5 ms, one delivery in ten up to 2 s late.
    LongTail,
    /// 2 s every time: a busy system, where a user does not see their own write.
    Seconds,
}

impl Lag {
    /// Every choice, in menu order.
    pub const ALL: [Lag; 5] = [
        Lag::None,
        Lag::Fixed,
        Lag::Uniform,
        Lag::LongTail,
        Lag::Seconds,
    ];

    /// The menu's text.
    pub fn label(self) -> &'static str {
        match self {
            Lag::None => "none (0 ms)",
            Lag::Fixed => "20 ms, always",
            Lag::Uniform => "10–200 ms, uniform",
            Lag::LongTail => "long tail: 5 ms, 1 in 10 up to 2 s",
            Lag::Seconds => "2 s, always (a busy system)",
        }
    }

    /// A stable value for the menu.
    pub fn key(self) -> &'static str {
        match self {
            Lag::None => "none",
            Lag::Fixed => "fixed",
            Lag::Uniform => "uniform",
            Lag::LongTail => "long-tail",
            Lag::Seconds => "seconds",
        }
    }

    /// The choice a menu value names.
    pub fn from_key(key: &str) -> Option<Lag> {
        Lag::ALL.into_iter().find(|lag| lag.key() == key)
    }

    /// The engine's distribution.
    pub fn distribution(self) -> LagDistribution {
        match self {
            Lag::None => LagDistribution::Fixed(VirtualMillis(0)),
            Lag::Fixed => LagDistribution::Fixed(VirtualMillis(20)),
            Lag::Uniform => LagDistribution::Uniform(VirtualMillis(10), VirtualMillis(200)),
            Lag::LongTail => LagDistribution::LongTail {
                base: VirtualMillis(5),
                tail: VirtualMillis(2_000),
                tail_rate: PerMillion::percent(10),
            },
            Lag::Seconds => LagDistribution::Fixed(VirtualMillis(2_000)),
        }
    }
}

/// The fault knobs (as a shared link or a scenario writes them: any knob left out
/// keeps its default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Knobs {
    /// Percent of deliveries the bus sends twice (at-least-once delivery).
    pub duplicate_percent: u32,
    /// Delivery lag.
    pub lag: Lag,
    /// True: messages of one order may overtake each other (no per-partition order).
    pub reorder: bool,
    /// True: appends write outbox rows and a relay publishes them.
    pub outbox: bool,
    /// A projection whose handler fails every delivery.
    pub failing: Option<ProjectionName>,
    /// Each projection's handling, in `ProjectionName::ALL` order.
    pub modes: [ProjectionMode; 3],
    /// Schema v2 deployed on the write side: new orders record a currency.
    pub schema_v2: bool,
    /// Projection code that reads schema v2, and older events through the upcaster.
    pub upcaster: bool,
    /// The handlers save a snapshot each time a stream crosses a multiple of this.
    pub snapshot_every: u64,
    /// What carries events to the projections (the lab's bus, or an Azure service with
    /// its documented behaviour).
    pub transport: Transport,
    /// Each subscription's own settings of that service, in `ProjectionName::ALL` order
    /// (`None`: the bus's; settings of another service are ignored).
    pub subscriptions: Subscriptions,
}

/// The choices of "Snapshot every" (the lab's default is 100).
pub const SNAPSHOT_CHOICES: [u64; 4] = [5, 10, 25, DEFAULT_SNAPSHOT_EVERY];

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            duplicate_percent: 0,
            lag: Lag::Fixed,
            reorder: false,
            outbox: true,
            failing: None,
            modes: [ProjectionMode::Idempotent; 3],
            schema_v2: false,
            upcaster: false,
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            transport: Transport::Lab,
            subscriptions: [None; 3],
        }
    }
}

impl Knobs {
    /// The knobs with `transport` at its documented defaults: no injected duplicates,
    /// faults or reordering (the service's own behaviour shows), the outbox on,
    /// projections idempotent. Deployments (schema v2, the upcaster) stay as they are.
    pub fn profile(self, transport: Transport) -> Self {
        Knobs {
            transport,
            schema_v2: self.schema_v2,
            upcaster: self.upcaster,
            ..Knobs::default()
        }
    }

    /// The outbox in force: the change feed is the outbox, whatever the knob says.
    pub fn outbox_in_force(&self) -> bool {
        self.outbox || self.transport.is_change_feed()
    }

    /// The settings `subscription` works with (its own over the bus's).
    pub fn transport_of(&self, subscription: ProjectionName) -> Transport {
        self.transport
            .of_subscription(&self.subscriptions, subscription)
    }

    /// The knobs with one transport setting changed: the bus's (`scope` `None`, and
    /// always for a setting of the whole entity), or one subscription's own. A
    /// subscription whose own settings come back to the bus's has none of its own.
    pub fn with_transport_option(
        mut self,
        scope: Option<ProjectionName>,
        option: TransportOption,
    ) -> Self {
        match scope.filter(|_| !option.entity_wide()) {
            None => self.transport = with(self.transport, option),
            Some(name) => {
                let own = with(self.transport_of(name), option);
                if let Some(slot) = self.subscriptions.get_mut(name.index()) {
                    *slot = Some(own);
                }
            }
        }
        let bus = self.transport;
        for slot in &mut self.subscriptions {
            if slot.is_some_and(|own| bus.for_subscription(Some(own)) == bus) {
                *slot = None;
            }
        }
        self
    }

    /// What the Duplicate rate knob does under these knobs: when every projection is
    /// idempotent, a duplicate changes nothing visible, and the note says what to change.
    pub fn duplicates_note(&self) -> &'static str {
        if self.duplicate_percent > 0 && self.all_idempotent() {
            "Sent twice, but every projection is idempotent and ignores the copy: untick Idempotent on a projection (Read models) to see a duplicate do harm."
        } else {
            "Deliveries the bus sends twice (at-least-once)."
        }
    }

    /// What Reorder does under these knobs (on the lab's bus): idempotent projections
    /// set an early event aside until the gap fills, so nothing is applied out of order.
    pub fn reorder_note(&self) -> &'static str {
        if self.reorder && self.all_idempotent() {
            "Events of one order may overtake each other; idempotent projections set an early one aside until the gap fills (\"deferred\" on the diagram): untick Idempotent to see one applied out of order."
        } else {
            "Events of one order may overtake each other (no per-partition ordering)."
        }
    }

    fn all_idempotent(&self) -> bool {
        self.modes.iter().all(|m| *m == ProjectionMode::Idempotent)
    }

    /// A projection's handling.
    pub fn mode(&self, name: ProjectionName) -> ProjectionMode {
        ProjectionName::ALL
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.modes.get(i))
            .copied()
            .unwrap_or(ProjectionMode::Idempotent)
    }

    /// The same knobs with one projection's handling changed.
    pub fn with_mode(mut self, name: ProjectionName, mode: ProjectionMode) -> Self {
        if let Some(i) = ProjectionName::ALL.iter().position(|n| *n == name) {
            self.modes[i] = mode;
        }
        self
    }

    /// Sets them in a configuration, for an engine that starts with them.
    pub fn configure(&self, config: &mut EngineConfig) {
        let bus = &mut config.bus;
        bus.duplicate_rate = PerMillion::percent(self.duplicate_percent.min(100));
        bus.lag = self.lag.distribution();
        bus.ordered_partitions = !self.reorder;
        bus.modes = ProjectionName::ALL.map(|name| (name, self.mode(name)));
        bus.failing = self.failing.into_iter().collect();
        bus.transport = self.transport;
        bus.subscriptions = self.subscriptions;
        config.outbox = self.outbox_in_force();
        config.snapshot_every = self.snapshot_every.max(1);
        config.write_schema = if self.schema_v2 {
            LATEST_SCHEMA
        } else {
            SchemaVersion(1)
        };
        config.projection_schema = if self.upcaster {
            LATEST_SCHEMA
        } else {
            SchemaVersion(1)
        };
        config.upcaster = self.upcaster;
    }

    /// Sets them on the engine.
    pub fn apply(&self, engine: &mut Engine) {
        engine.set_knobs(
            PerMillion::percent(self.duplicate_percent.min(100)),
            self.lag.distribution(),
            !self.reorder,
            self.outbox_in_force(),
        );
        engine.set_transport(self.transport, self.subscriptions);
        for (name, mode) in ProjectionName::ALL.into_iter().zip(self.modes) {
            engine.set_failing(name, self.failing == Some(name));
            engine.set_mode(name, mode);
        }
        // Deployments happen once (each is a hop in the trace), and are not undone: a
        // deployed schema stays, only the upcaster can be switched off again.
        if self.schema_v2 && engine.config().write_schema < LATEST_SCHEMA {
            engine.deploy_write_schema(LATEST_SCHEMA);
        }
        if self.upcaster {
            for name in ProjectionName::ALL {
                if engine
                    .projection(name)
                    .is_some_and(|p| p.schema < LATEST_SCHEMA)
                {
                    engine.deploy_projection(name, LATEST_SCHEMA);
                }
            }
        }
        engine.set_snapshot_every(self.snapshot_every);
        if engine.config().upcaster != self.upcaster {
            engine.set_upcaster(self.upcaster);
        }
    }
}

/// What a crash lost and kept, for people; `kept` commands wait in the durable queue;
/// `outbox` says whether the outbox relay publishes again what the bus lost; an Azure
/// `transport` keeps what it accepted, and says so.
pub fn describe_crash(
    report: &crate::engine::CrashReport,
    kept: usize,
    (outbox, transport): (bool, &Transport),
) -> String {
    let n = |count: u64, one: &str, many: &str| {
        if count == 1 {
            format!("1 {one}")
        } else {
            format!("{count} {many}")
        }
    };
    let first = match (report.read_again, transport) {
        (Some(events), _) => format!(
            "{} in flight lost (Event Hubs kept them: each consumer group resumes from its checkpoints and reads {} again)",
            n(report.lost_messages, "bus message", "bus messages"),
            n(events, "event", "events")
        ),
        (None, Transport::Lab) => format!(
            "{} in flight lost ({})",
            n(report.lost_messages, "bus message", "bus messages"),
            if outbox {
                "the outbox relay publishes their events again"
            } else {
                "without the outbox, nothing publishes them again"
            }
        ),
        (None, kept) => format!(
            "{} kept every message it had accepted and delivers them as planned",
            kept.name()
        ),
    };
    format!(
        "Crashed and restarted: {first}; {} lost for good (published without the outbox); {} kept by the durable queue and sent again.",
        n(report.lost_publications, "publication", "publications"),
        n(kept as u64, "command", "commands"),
    )
}
