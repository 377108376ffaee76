//! A hop in words, as the timeline and the traces say it.

use super::trace::HopKind;
use std::fmt;

impl fmt::Display for HopKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HopKind::CommandQueued {
                command_id,
                client,
                depth,
                ..
            } => {
                write!(
                    f,
                    "client {} sent {command_id}; queue depth {depth}",
                    client.0
                )
            }
            HopKind::CommandRefused {
                command_id,
                will_retry,
            } => {
                write!(
                    f,
                    "{command_id} refused: the queue is full{}",
                    if *will_retry {
                        "; the client will offer it again"
                    } else {
                        ""
                    }
                )
            }
            HopKind::AggregateLoaded {
                command_id,
                stream_id,
                snapshot,
                replayed,
            } => {
                write!(
                    f,
                    "{command_id}: loaded {stream_id} from {} and {replayed} event{} replayed",
                    snapshot.map_or("the start".to_owned(), |v| format!("the snapshot at v{v}")),
                    if *replayed == 1 { "" } else { "s" }
                )
            }
            HopKind::CommandDuplicate { command_id } => {
                write!(
                    f,
                    "{command_id} was processed before: acknowledged, not applied again"
                )
            }
            HopKind::CommandRejected {
                command_id,
                rejection,
            } => {
                write!(f, "{command_id} rejected: {rejection}")
            }
            HopKind::ConcurrencyConflict {
                command_id,
                expected,
                actual,
                will_retry,
            } => {
                write!(
                    f,
                    "{command_id}: conflict, read v{expected} but the stream is at v{actual}{}",
                    if *will_retry {
                        "; retrying"
                    } else {
                        "; given up"
                    }
                )
            }
            HopKind::EventsAppended {
                command_id,
                first,
                count,
            } => {
                write!(
                    f,
                    "{command_id}: {count} event{} appended at position {first}",
                    if *count == 1 { "" } else { "s" }
                )
            }
            HopKind::SnapshotSaved { stream_id, version } => {
                write!(f, "snapshot of {stream_id} saved at v{version}")
            }
            HopKind::Published { position } => {
                write!(f, "event {position} published")
            }
            HopKind::PublishedAgain { position } => {
                write!(f, "event {position} published again (same message id)")
            }
            HopKind::DuplicateDetected { position } => {
                write!(
                    f,
                    "duplicate detection dropped a second send of event {position}"
                )
            }
            HopKind::LockExpired { position, .. } => {
                write!(
                    f,
                    "event {position}: the handler outlived its lock; the broker delivers it again"
                )
            }
            HopKind::Applied {
                position,
                duplicate,
                ..
            } => {
                write!(
                    f,
                    "event {position} applied{}",
                    if *duplicate { " (an extra copy)" } else { "" }
                )
            }
            HopKind::Ignored { position, .. } => {
                write!(f, "event {position} ignored: applied before (idempotent)")
            }
            HopKind::Redelivering {
                position,
                delivery_count,
                reason,
                ..
            } => {
                write!(
                    f,
                    "event {position} failed (delivery {delivery_count}): {reason}; redelivering"
                )
            }
            HopKind::DeadLettered {
                position,
                reason,
                deliveries,
                ..
            } => {
                write!(
                    f,
                    "event {position} dead-lettered after {}: {reason}",
                    deliveries_word(*deliveries)
                )
            }
            HopKind::Dropped {
                position,
                cause,
                deliveries,
                ..
            } => {
                write!(
                    f,
                    "event {position} lost after {}: {cause}",
                    deliveries_word(*deliveries)
                )
            }
            HopKind::ResumedFromCheckpoint { events, .. } => {
                write!(f, "the consumer resumes from its checkpoints: {events} event(s) after them delivered again")
            }
            HopKind::Deferred {
                position, awaited, ..
            } => {
                write!(f, "event {position} deferred: it waits for version {awaited} of its order, not applied yet")
            }
            HopKind::RebuildStarted { .. } => f.write_str("rebuild started"),
            HopKind::RebuildFinished { .. } => f.write_str("rebuild reached the head of the store"),
            HopKind::RebuildFailed { position, .. } => {
                write!(f, "rebuild stopped at event {position}: it cannot read it")
            }
            HopKind::RebuildAborted { .. } => f.write_str("rebuild stopped by a crash"),
            HopKind::WriteSchemaDeployed { schema } => {
                write!(f, "the write side now records schema v{}", schema.0)
            }
            HopKind::ProjectionDeployed { schema, .. } => {
                write!(f, "new code deployed: reads schema v{}", schema.0)
            }
            HopKind::Crashed {
                lost_commands,
                lost_messages,
                lost_publications,
                ..
            } => {
                write!(f, "crash: {lost_commands} command(s), {lost_messages} message(s) and {lost_publications} publication(s) lost")
            }
            HopKind::Recovered => f.write_str("recovered from durable state"),
            HopKind::SchedulerFull { limit } => {
                write!(f, "the scheduler held {limit} tasks and dropped an input")
            }
            HopKind::RebuildProgress { .. } => f.write_str("rebuild in progress"),
        }
    }
}

/// "no delivery", "1 delivery", "3 deliveries".
fn deliveries_word(n: u32) -> String {
    match n {
        0 => "no delivery".to_owned(),
        1 => "1 delivery".to_owned(),
        n => format!("{n} deliveries"),
    }
}
