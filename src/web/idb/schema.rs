//! The database's object stores and the versioned migrations that create them. Each
//! version's step runs once, in order, from whatever version the browser holds.

use indexed_db_futures::database::Database;
use indexed_db_futures::error::Error;
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyPath;

/// Events, keyed by global position, with a unique `[streamId, streamVersion]` index.
pub const EVENTS: &str = "events";
/// The unique index on `[streamId, streamVersion]`.
pub const BY_STREAM: &str = "byStreamVersion";
/// Newest snapshot per stream.
pub const SNAPSHOTS: &str = "snapshots";
/// Unpublished outbox rows, keyed by global position.
pub const OUTBOX: &str = "outbox";
/// Processed command ids (idempotency keys).
pub const PROCESSED: &str = "processed";
/// Projection progress: checkpoint and positions applied past it (schema v3 shape).
pub const CHECKPOINTS: &str = "checkpoints";
/// One row: the schema version.
pub const META: &str = "meta";
/// The durable command queue (schema v2).
pub const COMMAND_QUEUE: &str = "commandQueue";
/// Read-model rows, keyed `<projection>/<row key>` (schema v3 shape).
pub const READ_MODELS: &str = "readModels";
/// Dead letters and quarantined records (schema v2).
pub const DEAD_LETTERS: &str = "deadLetters";

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 3;

/// Applies every migration step from `old` (exclusive) to `new` (inclusive).
pub fn migrate(db: &Database, old: u32, new: u32) -> Result<(), Error> {
    for version in (old + 1)..=new {
        match version {
            1 => version_1(db)?,
            2 => version_2(db)?,
            3 => version_3(db)?,
            _ => {}
        }
    }
    Ok(())
}

/// v1: the event store with its outbox, snapshots, processed ids and checkpoints.
fn version_1(db: &Database) -> Result<(), Error> {
    let events = db
        .create_object_store(EVENTS)
        .with_key_path(KeyPath::One("globalPosition"))
        .build()?;
    events
        .create_index(
            BY_STREAM,
            KeyPath::Sequence(["streamId", "streamVersion"].into_iter().collect()),
        )
        .with_unique(true)
        .build()?;
    for (name, key) in [
        (SNAPSHOTS, "streamId"),
        (OUTBOX, "globalPosition"),
        (PROCESSED, "commandId"),
        (CHECKPOINTS, "projection"),
        (META, "key"),
    ] {
        db.create_object_store(name)
            .with_key_path(KeyPath::One(key))
            .build()?;
    }
    Ok(())
}

/// v2: the durable command queue, read models and dead letters.
fn version_2(db: &Database) -> Result<(), Error> {
    db.create_object_store(COMMAND_QUEUE)
        .with_key_path(KeyPath::One("seq"))
        .build()?;
    db.create_object_store(READ_MODELS)
        .with_key_path(KeyPath::One("projection"))
        .build()?;
    db.create_object_store(DEAD_LETTERS)
        .with_key_path(KeyPath::One("id"))
        .build()?;
    Ok(())
}

/// v3: read models are kept row by row beside their projection's progress. A v2
/// database kept checkpoints without rows, so both stores start over; the page then
/// rebuilds each projection from the log once.
fn version_3(db: &Database) -> Result<(), Error> {
    db.delete_object_store(CHECKPOINTS)?;
    db.delete_object_store(READ_MODELS)?;
    db.create_object_store(CHECKPOINTS)
        .with_key_path(KeyPath::One("projection"))
        .build()?;
    db.create_object_store(READ_MODELS)
        .with_key_path(KeyPath::One("id"))
        .build()?;
    Ok(())
}
