//! The timeline (swimlane) of the newest hops: one lane per component, each hop a mark
//! at its virtual time with the same shapes as the diagram, and a sentence saying
//! what happened.

use super::component::Component;
use crate::domain::ids::VirtualMillis;
use crate::engine::trace::{Hop, HopKind};
use crate::engine::Engine;

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

/// The mark of a hop, if the timeline shows it: its component, its shape, its words.
pub fn mark(hop: &Hop) -> Option<Mark> {
    use Component as C;
    use PulseKind::*;
    let (component, kind) = match &hop.kind {
        HopKind::CommandQueued { .. } => (C::CommandBus, Normal),
        HopKind::CommandRefused { .. } => (C::CommandBus, Rejected),
        HopKind::AggregateLoaded { .. } => (C::Handler, Normal),
        HopKind::CommandDuplicate { .. } => (C::Handler, Duplicate),
        HopKind::CommandRejected { .. } => (C::Handler, Rejected),
        HopKind::ConcurrencyConflict { .. } => (C::Handler, Conflict),
        HopKind::EventsAppended { .. } => (C::Store, Normal),
        HopKind::SnapshotSaved { .. } => (C::Store, Normal),
        HopKind::Published { .. } => (C::Outbox, Normal),
        HopKind::PublishedAgain { .. } => (C::Outbox, Duplicate),
        HopKind::DuplicateDetected { .. } => (C::EventBus, Duplicate),
        HopKind::LockExpired { subscription, .. } => (C::Projection(*subscription), Retry),
        HopKind::Applied {
            subscription,
            duplicate,
            ..
        } => (
            C::Projection(*subscription),
            if *duplicate { Duplicate } else { Normal },
        ),
        HopKind::Ignored { subscription, .. } => (C::Projection(*subscription), Duplicate),
        HopKind::Redelivering { subscription, .. } => (C::Projection(*subscription), Retry),
        HopKind::DeadLettered { subscription, .. } => (C::Projection(*subscription), DeadLetter),
        HopKind::Deferred { subscription, .. } => (C::Projection(*subscription), Retry),
        HopKind::Dropped { subscription, .. } => (C::Projection(*subscription), Rejected),
        HopKind::ResumedFromCheckpoint { subscription, .. } => {
            (C::Projection(*subscription), Retry)
        }
        HopKind::RebuildStarted { projection, .. } => (C::Projection(*projection), Normal),
        HopKind::RebuildFinished { projection, .. } => (C::Projection(*projection), Normal),
        HopKind::RebuildFailed { projection, .. } => (C::Projection(*projection), DeadLetter),
        HopKind::RebuildAborted { projection, .. } => (C::Projection(*projection), Rejected),
        HopKind::WriteSchemaDeployed { .. } => (C::System, Normal),
        HopKind::ProjectionDeployed { projection, .. } => (C::Projection(*projection), Normal),
        HopKind::Crashed { .. } => (C::System, Rejected),
        HopKind::Recovered => (C::System, Normal),
        HopKind::SchedulerFull { .. } => (C::System, Rejected),
        HopKind::RebuildProgress { .. } => return None,
    };
    Some(Mark {
        at: hop.at,
        component,
        kind,
        text: hop.kind.to_string(),
    })
}
