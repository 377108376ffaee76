//! `IdbStore`: the store contract carried out on IndexedDB.

pub use super::error::StoreError;
use super::records::MetaRecord;
use super::schema::{self, META, SCHEMA_VERSION};
use crate::engine::effects::{Effect, EffectResult};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use std::cell::Cell;
use std::rc::Rc;

mod append;
mod queue;
mod read_models;
mod replace;
mod scan;

/// The event store in IndexedDB. Cheap to share: clone the `Rc`.
#[derive(Debug)]
pub struct IdbStore {
    db: Database,
    /// Set when another tab asked to upgrade and this connection closed for it.
    superseded: Rc<Cell<bool>>,
    /// The newest position as this connection last saw it: an append assumes it and
    /// checks it in the same transaction (another tab may have appended since).
    head_hint: Cell<Option<u64>>,
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name` at this build's schema version.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        Self::open_at(name, SCHEMA_VERSION).await
    }

    /// Opens at an explicit schema version: the current one, or an older one to test
    /// a migration from it.
    pub async fn open_at(name: &str, version: u32) -> Result<Self, StoreError> {
        Self::open_with(name, version, || {}, || {}).await
    }

    /// Opens at `version`. `on_blocked` runs if an older connection in another tab
    /// holds the upgrade up (the open then waits for it to close); `on_superseded` runs
    /// if, later, a newer version asks this connection to close, which it does.
    pub async fn open_with(
        name: &str,
        version: u32,
        on_blocked: impl Fn() + 'static,
        on_superseded: impl FnOnce() + 'static,
    ) -> Result<Self, StoreError> {
        let db = Database::open(name)
            .with_version(version)
            .with_on_blocked(move |_| {
                on_blocked();
                Ok(())
            })
            .with_on_upgrade_needed(move |event, db| {
                // Versions are small integers stored as doubles.
                let old = event.old_version() as u32;
                let new = event.new_version().map_or(version, |v| v as u32);
                schema::migrate(&db, old, new)
            })
            .await?;
        let superseded = Rc::new(Cell::new(false));
        if let Ok(mut changes) = db.version_changes() {
            let (db, flag) = (db.clone(), Rc::clone(&superseded));
            wasm_bindgen_futures::spawn_local(async move {
                if changes.recv().await.is_some() {
                    flag.set(true);
                    db.close();
                    on_superseded();
                }
            });
        }
        let store = IdbStore {
            db,
            superseded,
            head_hint: Cell::new(None),
        };
        // Opening only reads: a full disk must not hide the stored log.
        Ok(store)
    }

    /// Whether the store can take a write now: writes the schema version in the meta
    /// row (a few bytes). Fails with `QuotaExceeded` when the browser's storage is full.
    pub async fn probe_write(&self) -> Result<(), StoreError> {
        let tx = self.write(&[META])?;
        let meta = tx.object_store(META)?;
        meta.put(MetaRecord {
            key: "database".into(),
            schema_version: SCHEMA_VERSION,
        })
        .serde()?
        .await?;
        super::quota::commit(tx).await
    }

    /// True once this connection closed for a newer version in another tab.
    pub fn is_superseded(&self) -> bool {
        self.superseded.get()
    }

    /// Deletes the database `name` with everything in it.
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        Database::delete_by_name(name)?.await?;
        Ok(())
    }

    /// Closes the connection (another open at a newer version may then proceed).
    pub fn close(self) {
        self.db.close();
    }

    /// Names of the object stores, sorted.
    pub fn object_stores(&self) -> Vec<String> {
        let mut names: Vec<String> = self.db.object_store_names().collect();
        crate::collections::sort::sort(&mut names); // names are unique
        names
    }

    /// A strict-durability readwrite transaction: committed means on disk.
    fn write<'a>(&'a self, scope: &[&str]) -> Result<Transaction<'a>, StoreError> {
        if self.is_superseded() {
            return Err(StoreError::Superseded);
        }
        Ok(self
            .db
            .transaction(scope)
            .with_mode(TransactionMode::Readwrite)
            .with_options(TransactionOptions::new().with_durability(TransactionDurability::Strict))
            .build()?)
    }

    fn read<'a>(&'a self, scope: &[&str]) -> Result<Transaction<'a>, StoreError> {
        if self.is_superseded() {
            return Err(StoreError::Superseded);
        }
        Ok(self.db.transaction(scope).build()?)
    }

    /// Carries out one engine effect, as `engine::sim::execute` does in memory.
    pub async fn execute(&self, effect: Effect) -> Result<EffectResult, StoreError> {
        Ok(match effect {
            Effect::LoadStream {
                handler,
                stream_id,
                command_id,
                into: _,
            } => EffectResult::StreamLoaded {
                handler,
                already_processed: self.is_processed(&command_id).await?,
                stream: self.load_stream(&stream_id).await?,
            },
            Effect::Append {
                handler, request, ..
            } => EffectResult::Appended {
                handler,
                result: self.append(request).await?,
                spent: Vec::new(),
            },
            Effect::SaveSnapshot(snapshot) => {
                self.save_snapshot(&snapshot).await?;
                EffectResult::Done
            }
            Effect::ReadOutbox { after, limit } => {
                let limit = u32::try_from(limit).unwrap_or(u32::MAX);
                let mut events = self
                    .unpublished_after(after, limit.saturating_add(1))
                    .await?;
                let more = events.len() > limit as usize;
                events.truncate(limit as usize);
                EffectResult::OutboxRead { events, more }
            }
            Effect::ReadAll {
                projection,
                after,
                limit,
            } => {
                let limit = u32::try_from(limit).unwrap_or(u32::MAX);
                let (events, corrupt) = self.read_all(after, limit).await?;
                // Not recorded (a full disk) fails no read: the record is skipped either way.
                let _ = self.quarantine(&corrupt).await;
                EffectResult::EventsRead { projection, events }
            }
            Effect::MarkPublished(positions) => {
                self.mark_published(&positions).await?;
                EffectResult::Done
            }
            Effect::SaveProjection(save) => {
                self.save_projection(&save).await?;
                EffectResult::Done
            }
        })
    }
}
