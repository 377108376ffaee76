//! The timeline (swimlane) of the newest hops: one lane per component, each hop a mark
//! at its virtual time with the same shapes as the diagram, and a sentence saying
//! what happened.

use crate::domain::ids::VirtualMillis;
use crate::engine::trace::{Hop, HopKind};
use crate::engine::Engine;
use crate::store::ProjectionName;

/// How a pulse looks: each kind differs in shape, not colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PulseKind {
    /// A command or event on its way (circle).
    Normal,
    /// An extra copy: at-least-once delivery, a publisher retry, a client retry (diamond).
    Duplicate,
    /// A failed delivery going round again (triangle).
    Retry,
    /// A message given up on, into the dead-letter queue (square).
    DeadLetter,
    /// A command refused: rejected by the aggregate or by a full bus (cross).
    Rejected,
    /// Another writer appended first (ring).
    Conflict,
}

/// Most hops the timeline shows (the newest).
pub const TIMELINE_HOPS: usize = 160;

/// A lane of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The bounded command bus.
    CommandBus,
    /// The command handler.
    Handler,
    /// The event store.
    Store,
    /// The outbox relay (or the handler's direct publish when the outbox is off).
    Outbox,
    /// The event bus (the broker).
    EventBus,
    /// A subscription's projection.
    Projection(ProjectionName),
    /// The whole system (crashes, deployments).
    System,
}

impl Component {
    /// Every lane, top to bottom.
    pub const ALL: [Component; 9] = [
        Component::CommandBus,
        Component::Handler,
        Component::Store,
        Component::Outbox,
        Component::EventBus,
        Component::Projection(ProjectionName::OrderSummary),
        Component::Projection(ProjectionName::OrdersPerCustomer),
        Component::Projection(ProjectionName::RevenuePerDay),
        Component::System,
    ];

    /// The lane's name.
    pub fn title(self) -> &'static str {
        match self {
            Component::CommandBus => "Command bus",
            Component::Handler => "Handler",
            Component::Store => "Event store",
            Component::Outbox => "Outbox relay",
            Component::EventBus => "Event bus",
            Component::Projection(name) => name.title(),
            Component::System => "System",
        }
    }

    /// The lane's index in `ALL`.
    pub fn lane(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// One hop on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub at: VirtualMillis,
    /// Where.
    pub component: Component,
    /// Its look (shape and colour).
    pub kind: PulseKind,
    /// What happened, in a sentence.
    pub text: String,
}

/// The newest hops, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineView {
    /// The hops shown, oldest first.
    pub marks: Vec<Mark>,
    /// Virtual time now (the right edge).
    pub now: VirtualMillis,
}

impl TimelineView {
    /// The newest `TIMELINE_HOPS` hops of the engine's trace.
    pub fn of(engine: &Engine) -> Self {
        let mut marks: Vec<Mark> = engine
            .trace()
            .hops()
            .rev()
            .filter_map(mark)
            .take(TIMELINE_HOPS)
            .collect();
        marks.reverse();
        TimelineView {
            marks,
            now: engine.now(),
        }
    }

    /// The time the left edge stands for: the oldest hop shown (or now).
    pub fn start(&self) -> VirtualMillis {
        self.marks.first().map(|m| m.at).unwrap_or(self.now)
    }

    /// The time the right edge stands for: the newest hop shown (or now).
    pub fn end(&self) -> VirtualMillis {
        self.marks.last().map(|m| m.at).unwrap_or(self.now)
    }
}

/// The mark of a hop, if the timeline shows it.
pub fn mark(hop: &Hop) -> Option<Mark> {
    use Component as C;
    use PulseKind::*;
    let (component, kind, text) = match &hop.kind {
        HopKind::CommandQueued {
            command_id,
            client,
            depth,
            ..
        } => (
            C::CommandBus,
            Normal,
            format!("client {} sent {command_id}; queue depth {depth}", client.0),
        ),
        HopKind::CommandRefused {
            command_id,
            will_retry,
        } => (
            C::CommandBus,
            Rejected,
            format!(
                "{command_id} refused: the queue is full{}",
                if *will_retry {
                    "; the client will offer it again"
                } else {
                    ""
                }
            ),
        ),
        HopKind::AggregateLoaded {
            command_id,
            stream_id,
            snapshot,
            replayed,
        } => (
            C::Handler,
            Normal,
            format!(
                "{command_id}: loaded {stream_id} from {} and {replayed} event{} replayed",
                snapshot.map_or("the start".to_owned(), |v| format!("the snapshot at v{v}")),
                if *replayed == 1 { "" } else { "s" }
            ),
        ),
        HopKind::CommandDuplicate { command_id } => (
            C::Handler,
            Duplicate,
            format!("{command_id} was processed before: acknowledged, not applied again"),
        ),
        HopKind::CommandRejected {
            command_id,
            rejection,
        } => (
            C::Handler,
            Rejected,
            format!("{command_id} rejected: {rejection}"),
        ),
        HopKind::ConcurrencyConflict {
            command_id,
            expected,
            actual,
            will_retry,
        } => (
            C::Handler,
            Conflict,
            format!(
                "{command_id}: conflict, read v{expected} but the stream is at v{actual}{}",
                if *will_retry { "; retrying" } else { "; given up" }
            ),
        ),
        HopKind::EventsAppended {
            command_id,
            first,
            count,
        } => (
            C::Store,
            Normal,
            format!(
                "{command_id}: {count} event{} appended at position {first}",
                if *count == 1 { "" } else { "s" }
            ),
        ),
        HopKind::SnapshotSaved { stream_id, version } => (
            C::Store,
            Normal,
            format!("snapshot of {stream_id} saved at v{version}"),
        ),
        HopKind::Published { position } => (
            C::Outbox,
            Normal,
            format!("event {position} published"),
        ),
        HopKind::PublishedAgain { position } => (
            C::Outbox,
            Duplicate,
            format!("event {position} published again (same message id)"),
        ),
        HopKind::DuplicateDetected { position } => (
            C::EventBus,
            Duplicate,
            format!("duplicate detection dropped a second send of event {position}"),
        ),
        HopKind::LockExpired {
            subscription,
            position,
        } => (
            C::Projection(*subscription),
            Retry,
            format!("event {position}: the handler outlived its lock; the broker delivers it again"),
        ),
        HopKind::Applied {
            subscription,
            position,
            duplicate,
        } => (
            C::Projection(*subscription),
            if *duplicate { Duplicate } else { Normal },
            format!(
                "event {position} applied{}",
                if *duplicate { " (an extra copy)" } else { "" }
            ),
        ),
        HopKind::Ignored {
            subscription,
            position,
        } => (
            C::Projection(*subscription),
            Duplicate,
            format!("event {position} ignored: applied before (idempotent)"),
        ),
        HopKind::Redelivering {
            subscription,
            position,
            delivery_count,
            reason,
        } => (
            C::Projection(*subscription),
            Retry,
            format!("event {position} failed (delivery {delivery_count}): {reason}; redelivering"),
        ),
        HopKind::DeadLettered {
            subscription,
            position,
            reason,
            deliveries,
        } => (
            C::Projection(*subscription),
            DeadLetter,
            format!("event {position} dead-lettered after {deliveries} deliveries: {reason}"),
        ),
        HopKind::Deferred {
            subscription,
            position,
            awaited,
        } => (
            C::Projection(*subscription),
            Retry,
            format!(
                "event {position} deferred: it waits for version {awaited} of its order, not applied yet"
            ),
        ),
        HopKind::RebuildStarted { projection } => (
            C::Projection(*projection),
            Normal,
            "rebuild started".to_owned(),
        ),
        HopKind::RebuildFinished { projection, .. } => (
            C::Projection(*projection),
            Normal,
            "rebuild reached the head of the store".to_owned(),
        ),
        HopKind::RebuildFailed {
            projection,
            position,
        } => (
            C::Projection(*projection),
            DeadLetter,
            format!("rebuild stopped at event {position}: it cannot read it"),
        ),
        HopKind::RebuildAborted { projection } => (
            C::Projection(*projection),
            Rejected,
            "rebuild stopped by a crash".to_owned(),
        ),
        HopKind::WriteSchemaDeployed { schema } => (
            C::System,
            Normal,
            format!("the write side now records schema v{}", schema.0),
        ),
        HopKind::ProjectionDeployed { projection, schema } => (
            C::Projection(*projection),
            Normal,
            format!("new code deployed: reads schema v{}", schema.0),
        ),
        HopKind::Crashed {
            lost_commands,
            lost_messages,
            lost_publications,
            ..
        } => (
            C::System,
            Rejected,
            format!(
                "crash: {lost_commands} command(s), {lost_messages} message(s) and {lost_publications} publication(s) lost"
            ),
        ),
        HopKind::Recovered => (
            C::System,
            Normal,
            "recovered from durable state".to_owned(),
        ),
        HopKind::SchedulerFull { limit } => (
            C::System,
            Rejected,
            format!("the scheduler held {limit} tasks and dropped an input"),
        ),
        HopKind::RebuildProgress { .. } => return None,
    };
    Some(Mark {
        at: hop.at,
        component,
        kind,
        text,
    })
}
