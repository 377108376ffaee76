//! What the architecture diagram shows, read from the engine: each component's queue
//! depth or count, and the hops of the last moments as pulses moving along the edges.
//! Built in O(components + pulses shown), never O(events).

use super::component::Component;
pub use super::timeline::PulseKind;
use super::timeline::TimelineView;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, VirtualMillis};
use crate::engine::config::{BusConfig, ProjectionMode};
use crate::engine::message::DeadLetter;
use crate::engine::projection::Projection;
use crate::engine::projection::WrongRow;
use crate::engine::trace::HopKind;
use crate::engine::transport::Transport;
use crate::engine::truth::{row_checks, wrong_rows, RowCheck, StoreFold};
use crate::engine::Engine;
use crate::store::ProjectionName;

/// Most pulses drawn at once (the newest), so the diagram's size stays bounded.
pub const MAX_PULSES: usize = 60;

/// One hop drawn on the arrow into a part (each part has one arrow leading into it);
/// `progress` runs from 0 (just happened) to 1000 (gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pulse {
    /// The part the arrow leads into.
    pub to: Component,
    /// What.
    pub kind: PulseKind,
    /// How far along the arrow, in thousandths.
    pub progress: u16,
}

/// One subscription and its projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// The projection.
    pub name: ProjectionName,
    /// Naive or idempotent.
    pub mode: ProjectionMode,
    /// Messages waiting for delivery (redeliveries included).
    pub queued: u64,
    /// Messages in its dead-letter queue.
    pub dead_letters: u64,
    /// Messages set aside until an earlier event of their order is applied.
    pub deferred: u64,
    /// Messages the transport let go (dropped, not dead-lettered).
    pub lost: u64,
    /// Every position up to this one is applied.
    pub checkpoint: GlobalPosition,
    /// Read-model rows.
    pub rows: usize,
    /// The oldest messages in its dead-letter queue (at most `DEAD_LETTERS_SHOWN`).
    pub dead: Vec<DeadLetterView>,
    /// Events replayed so far when a rebuild is under way.
    pub rebuilding: Option<u64>,
    /// Read-model rows that differ from an exact replay of what it received (at most
    /// `WRONG_SHOWN`)...
    pub wrong: Vec<WrongRow>,
    /// The rows the newest events touched, beside the truth (at most `ROWS_CHECKED`).
    pub checks: Vec<RowCheck>,
    /// ...and how many there are.
    pub wrong_count: usize,
}

/// Most wrong rows listed per projection.
pub const WRONG_SHOWN: usize = 10;

/// Most dead letters listed per subscription.
pub const DEAD_LETTERS_SHOWN: usize = 20;
/// Read-model rows checked against the truth per projection (those the newest events touched).
pub const ROWS_CHECKED: usize = 10;

/// A dead letter as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterView {
    /// The event's position.
    pub position: GlobalPosition,
    /// Its type.
    pub event_type: &'static str,
    /// Its stream.
    pub stream: String,
    /// Why it was dead-lettered, in words.
    pub reason: String,
    /// The cause in two or three words (for the diagram's node).
    pub cause: &'static str,
    /// When it was dead-lettered.
    pub at: VirtualMillis,
    /// True for a duplicate copy.
    pub duplicate: bool,
}

/// Everything the diagram shows at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramView {
    /// Virtual time now.
    pub now: VirtualMillis,
    /// Commands waiting in the command bus (primary and overflow queues).
    pub commands_queued: u64,
    /// Commands accepted, rejected and refused so far.
    pub accepted: u64,
    /// Commands the aggregate rejected.
    pub rejected: u64,
    /// Concurrency conflicts.
    pub conflicts: u64,
    /// Events appended by this session.
    pub appended: u64,
    /// Events published to the bus.
    pub published: u64,
    /// One lane per projection, in `ProjectionName::ALL` order.
    pub lanes: Vec<Lane>,
    /// The transport's box: its title and a line of what it is.
    pub transport: (&'static str, String),
    /// The newest hops, newest first.
    pub pulses: Vec<Pulse>,
    /// The newest hops on the timeline, one lane per component.
    pub timeline: TimelineView,
}

impl DiagramView {
    /// The diagram of `engine` now; hops younger than `window` (virtual ms) are pulses;
    /// `recent` are the newest stored events (position order) and `fold` the fold of
    /// the store, for the row checks.
    pub fn of(
        engine: &Engine,
        window: VirtualMillis,
        recent: &[SharedEvent],
        fold: &StoreFold,
    ) -> Self {
        let now = engine.now();
        let (primary, overflow) = engine.queue_depths();
        let metrics = engine.metrics();
        let lanes = ProjectionName::ALL
            .iter()
            .filter_map(|name| engine.projection(*name))
            .map(|p| lane(engine, p, fold, recent))
            .collect();
        let window = window.0.max(1);
        let pulses = engine
            .trace()
            .hops()
            .rev()
            .take_while(|hop| now.0.saturating_sub(hop.at.0) < window)
            .filter_map(|hop| {
                let (to, kind) = pulse_of(&hop.kind)?;
                let age = now.0.saturating_sub(hop.at.0);
                Some(Pulse {
                    to,
                    kind,
                    progress: u16::try_from(age.saturating_mul(1000) / window).unwrap_or(1000),
                })
            })
            .take(MAX_PULSES)
            .collect();
        DiagramView {
            now,
            commands_queued: u64::from(primary) + u64::from(overflow),
            accepted: metrics.commands_accepted,
            rejected: metrics.commands_rejected + metrics.commands_refused,
            conflicts: metrics.conflicts,
            appended: metrics.events_appended,
            published: metrics.events_published,
            lanes,
            pulses,
            transport: transport_box(&engine.config().bus),
            timeline: TimelineView::of(engine),
        }
    }
}

/// The part a hop's arrow leads into, and its look, if it moves something along an
/// arrow.
fn pulse_of(kind: &HopKind) -> Option<(Component, PulseKind)> {
    use PulseKind::*;
    Some(match kind {
        HopKind::CommandQueued { .. } => (Component::CommandBus, Normal),
        HopKind::CommandRefused { .. } => (Component::CommandBus, Rejected),
        HopKind::AggregateLoaded { .. } => (Component::Handler, Normal),
        HopKind::CommandDuplicate { .. } => (Component::Handler, Duplicate),
        HopKind::CommandRejected { .. } => (Component::Store, Rejected),
        HopKind::EventsAppended { .. } => (Component::Store, Normal),
        HopKind::ConcurrencyConflict { .. } => (Component::Store, Conflict),
        HopKind::Published { .. } => (Component::EventBus, Normal),
        HopKind::PublishedAgain { .. } => (Component::EventBus, Duplicate),
        HopKind::Applied {
            subscription,
            duplicate,
            ..
        } => (
            Component::Projection(*subscription),
            if *duplicate { Duplicate } else { Normal },
        ),
        HopKind::Ignored { subscription, .. } => (Component::Projection(*subscription), Duplicate),
        HopKind::Redelivering { subscription, .. } | HopKind::LockExpired { subscription, .. } => {
            (Component::Projection(*subscription), Retry)
        }
        HopKind::Deferred { subscription, .. } => (Component::Projection(*subscription), Retry),
        HopKind::DeadLettered { subscription, .. } => {
            (Component::DeadLetters(*subscription), DeadLetter)
        }
        HopKind::Dropped { subscription, .. } => (Component::Projection(*subscription), Rejected),
        _ => return None,
    })
}

/// The transport's box on the diagram: its title and what it is in a few words (how
/// many subscriptions have settings of their own, when any do: "1 has its own").
fn transport_box(bus: &BusConfig) -> (&'static str, String) {
    let (title, line) = match &bus.transport {
        Transport::Lab => ("Event bus", "topic, 3 subscriptions".into()),
        Transport::ServiceBus(sb) if sb.sessions => ("Service Bus", "topic, sessions".into()),
        Transport::ServiceBus(_) => ("Service Bus", "topic, 3 subscriptions".into()),
        Transport::EventGrid(_) => ("Event Grid", "push, 3 subscriptions".into()),
        Transport::EventHubs(hub) => (
            "Event Hubs",
            format!("{} partitions, 3 groups", hub.partitions),
        ),
        Transport::ChangeFeed(_) => ("Change feed", "no bus: 3 leases".into()),
    };
    let own = bus.transport.differing(&bus.subscriptions).count();
    let has = match own {
        0 => return (title, line),
        1 => "1 has its own".to_owned(),
        n => format!("{n} have their own"),
    };
    let what = line.split_once(',').map_or(line.as_str(), |(what, _)| what);
    (title, format!("{what}, {has}"))
}

/// A projection's lane: its queue, what it set aside, lost and dead-lettered, its rows
/// beside the truth.
fn lane(engine: &Engine, p: &Projection, fold: &StoreFold, recent: &[SharedEvent]) -> Lane {
    let bus = engine.event_bus();
    let mine = |d: &&DeadLetter| d.message.subscription == p.name;
    let (wrong, wrong_count) = wrong_rows(p, fold, WRONG_SHOWN);
    Lane {
        name: p.name,
        mode: p.mode,
        queued: bus.depth(p.name),
        deferred: engine.deferred(p.name),
        lost: bus
            .dropped()
            .iter()
            .filter(|d| d.message.subscription == p.name)
            .count() as u64,
        dead_letters: bus.dead_letters().iter().filter(mine).count() as u64,
        checkpoint: p.checkpoint(),
        rows: p.model().len(),
        dead: bus
            .dead_letters()
            .iter()
            .filter(mine)
            .take(DEAD_LETTERS_SHOWN)
            .map(|d| DeadLetterView {
                position: d.message.event.global_position,
                event_type: d.message.event.event_type(),
                stream: d.message.event.stream_id.to_string(),
                reason: d.describe(),
                cause: d.reason.short(),
                at: d.at,
                duplicate: d.message.duplicate,
            })
            .collect(),
        rebuilding: engine.rebuild(p.name).map(|r| r.replayed),
        wrong,
        wrong_count,
        checks: row_checks(p, fold, recent, ROWS_CHECKED),
    }
}
