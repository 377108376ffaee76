//! `IdbStore`: the store contract carried out on IndexedDB.

pub use super::error::StoreError;
use super::records::{
    processed_record, CorruptRecord, EventRecord, MetaRecord, OutboxRecord, ProcessedRecord,
    ProgressRecord, QuarantinedRecord, QueueRecord, ReadModelRecord, SnapshotRecord,
};
use super::schema::{
    self, BY_STREAM, CHECKPOINTS, COMMAND_QUEUE, DEAD_LETTERS, EVENTS, META, OUTBOX, PROCESSED,
    READ_MODELS, SCHEMA_VERSION, SNAPSHOTS,
};
use crate::app::session::QueuedCommand;
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use crate::engine::effects::{Effect, EffectResult};
use crate::store::transfer::{import_json, ImportError};
use crate::store::{
    AppendError, AppendRequest, Appended, LoadedStream, ProjectionName, ProjectionSave, Snapshot,
    StoredProjection,
};
use indexed_db_futures::database::Database;
use indexed_db_futures::error::{DomException, Error};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use indexed_db_futures::KeyRange;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

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

/// How many times an append is tried while other tabs move the head.
const APPEND_ATTEMPTS: usize = 4;

/// What one append transaction came to.
enum Attempt {
    /// Appended, or refused by the contract.
    Done(Result<Appended, AppendError>),
    /// The log no longer ends where this connection thought: nothing was written.
    HeadMoved,
}

/// Every store an append writes, in one transaction.
const APPEND_SCOPE: [&str; 3] = [EVENTS, OUTBOX, PROCESSED];

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
        names.sort();
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

    /// Appends atomically: every event, its outbox row and the command id, or nothing.
    /// A writer that lost a race gets `AppendError::Conflict`, from the version check or,
    /// failing that, from the unique `[streamId, streamVersion]` index.
    pub async fn append(
        &self,
        request: AppendRequest,
    ) -> Result<Result<Appended, AppendError>, StoreError> {
        if request.events.is_empty() {
            return Ok(Err(AppendError::Empty));
        }
        // Positions follow the head this connection last saw; if another tab moved it,
        // the transaction says so, writes nothing, and the append is tried again on the
        // head read afresh.
        for _ in 0..APPEND_ATTEMPTS {
            let head = match self.head_hint.get() {
                Some(head) => head,
                None => self.head().await?.0,
            };
            match self.append_at(&request, head).await? {
                Attempt::Done(result) => return Ok(result),
                Attempt::HeadMoved => self.head_hint.set(None),
            }
        }
        Err(StoreError::Failed(
            "other tabs kept appending while this one tried; send the command again".into(),
        ))
    }

    /// One append transaction assuming the log ends at `head`. Its checks (stream at the
    /// expected version, log ending at `head`) and its writes go out together, one round
    /// trip; a failed check aborts it before it can commit (the checks answer before the
    /// writes, which come after them). A command already processed is caught by the
    /// processed store's key (its `add` fails) or, when its stream has moved on since,
    /// by the version check; either way [`Self::refusal`] tells the two apart, so the
    /// path every new command takes reads nothing it does not need.
    async fn append_at(&self, request: &AppendRequest, head: u64) -> Result<Attempt, StoreError> {
        let tx = self.write(&APPEND_SCOPE)?;
        let (events, outbox, processed) = (
            tx.object_store(EVENTS)?,
            tx.object_store(OUTBOX)?,
            tx.object_store(PROCESSED)?,
        );
        let index = events.index(BY_STREAM)?;
        let count = index
            .count()
            .with_query(stream_range(&request.stream_id, StreamVersion(0)))
            .serde()?;
        // Keys at or after `head`: exactly `head` itself (none for an empty log).
        let from_head = events
            .count()
            .with_query::<f64, _>(KeyRange::LowerBound(head as f64, false))
            .primitive()?;
        let mut position = GlobalPosition(head);
        let mut version = request.expected_version;
        let stored: Vec<SharedEvent> = request
            .events
            .iter()
            .map(|new| {
                position = position.next();
                version = version.next();
                Rc::new(new.clone().stored_as(&request.stream_id, version, position))
            })
            .collect();
        // The writes go out now; their answers are never awaited one by one (a listener
        // per request costs more than the write). A failed one aborts the transaction,
        // and the commit below reports it.
        for e in &stored {
            events.add(EventRecord::from_envelope(e)).serde()?;
            if request.with_outbox {
                outbox
                    .add(OutboxRecord {
                        global_position: e.global_position.0,
                    })
                    .serde()?;
            }
        }
        processed
            .add(processed_record(&request.command_id, &stored))
            .serde()?;
        // Versions are contiguous from 1, so the count of a stream's rows is its version.
        let actual = StreamVersion(u64::from(count.await?));
        let from_head = from_head.await?;
        if actual != request.expected_version {
            drop(tx); // aborts it
            return Ok(Attempt::Done(Err(self.refusal(request).await?)));
        }
        if from_head != u32::from(head > 0) {
            return Ok(Attempt::HeadMoved); // dropping `tx` aborts it
        }
        match super::quota::finish(tx).await {
            Ok(()) => {}
            // The unique stream index (another writer took the version) or the processed
            // store's key (this command was appended before): nothing was kept.
            Err(Error::DomException(DomException::ConstraintError(_))) => {
                self.head_hint.set(None);
                return Ok(Attempt::Done(Err(self.refusal(request).await?)));
            }
            Err(e) => return Err(super::quota::aborted(e).await),
        }
        self.head_hint.set(Some(position.0));
        Ok(Attempt::Done(Ok(Appended { events: stored })))
    }

    /// Why an append that failed its checks was refused, read after its transaction
    /// ended: the command was processed before (whatever version it expected), or
    /// another writer moved the stream.
    async fn refusal(&self, request: &AppendRequest) -> Result<AppendError, StoreError> {
        if self.is_processed(&request.command_id).await? {
            return Ok(AppendError::AlreadyProcessed {
                command_id: request.command_id.clone(),
            });
        }
        Ok(AppendError::Conflict {
            stream_id: request.stream_id.clone(),
            expected: request.expected_version,
            actual: self.stream_version(&request.stream_id).await?,
        })
    }

    /// A stream's version (0 when it has no events).
    pub async fn stream_version(&self, stream_id: &OrderId) -> Result<StreamVersion, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        stream_version_in(&events, stream_id).await
    }

    /// The position of the newest event (0 when empty).
    pub async fn head(&self) -> Result<GlobalPosition, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        head_in(&events).await
    }

    /// A stream's events after a version, in version order; unreadable ones are skipped
    /// and reported.
    pub async fn read_stream(
        &self,
        stream_id: &OrderId,
        after: StreamVersion,
    ) -> Result<(Vec<SharedEvent>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        let index = events.index(BY_STREAM)?;
        let records: Vec<EventRecord> = index
            .get_all()
            .with_query(stream_range(stream_id, after))
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        Ok(decode(records.into_iter()))
    }

    /// The newest snapshot of a stream and the events after it.
    pub async fn load_stream(&self, stream_id: &OrderId) -> Result<LoadedStream, StoreError> {
        let snapshot = self.snapshot(stream_id).await?;
        let after = snapshot.as_ref().map(|s| s.version).unwrap_or_default();
        let (events, _) = self.read_stream(stream_id, after).await?;
        Ok(LoadedStream {
            snapshot: snapshot.map(Box::new),
            events,
        })
    }

    /// Up to `limit` events after a global position (the change feed), in one request.
    pub async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<(Vec<SharedEvent>, Vec<CorruptRecord>), StoreError> {
        let records = self.fetch(after, limit)?.await?;
        Ok(decode(records.iter().map(EventRecord::from_js)))
    }

    /// Sends a `getAll` of up to `limit` raw event records after a position at once;
    /// the returned future only waits for it (so a scan decodes one batch while the
    /// browser reads the next).
    fn fetch(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        // A number key (a `u64` would go out as a BigInt, which is no valid key).
        self.fetch_in(KeyRange::LowerBound(after.0 as f64, true), limit)
    }

    /// Sends a `getAll` of the raw event records at positions `after + 1 ..= upto`
    /// (at most `SCAN_BATCH` of them).
    fn fetch_range(
        &self,
        after: u64,
        upto: u64,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        let range = KeyRange::Bound(after as f64, true, upto as f64, false);
        self.fetch_in(range, SCAN_BATCH)
    }

    fn fetch_in(
        &self,
        range: KeyRange<f64>,
        limit: u32,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        // Raw values, not serde-converted records: only the envelope text is read out
        // of each, then parsed once (the record's key fields are checked against it).
        let request = events
            .get_all()
            .with_query::<f64, _>(range)
            .with_limit(limit)
            .primitive()?;
        Ok(async move {
            let _keep_open = tx;
            let records: Vec<JsValue> = request.await?.collect::<Result<_, _>>()?;
            Ok(records)
        })
    }

    /// True when a command id was processed.
    pub async fn is_processed(&self, command_id: &CommandId) -> Result<bool, StoreError> {
        let tx = self.read(&[PROCESSED])?;
        let seen: Option<ProcessedRecord> = tx
            .object_store(PROCESSED)?
            .get(command_id.as_str())
            .serde()?
            .await?;
        Ok(seen.is_some())
    }

    /// The newest snapshot of a stream, if one is readable.
    pub async fn snapshot(&self, stream_id: &OrderId) -> Result<Option<Snapshot>, StoreError> {
        let tx = self.read(&[SNAPSHOTS])?;
        let record: Option<SnapshotRecord> = tx
            .object_store(SNAPSHOTS)?
            .get(stream_id.as_str())
            .serde()?
            .await?;
        // An unreadable snapshot only costs replay time: load from the events instead.
        Ok(record.and_then(|r| r.to_snapshot().ok()))
    }

    /// Keeps a snapshot if it is newer than the one held.
    pub async fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let tx = self.write(&[SNAPSHOTS])?;
        let snapshots = tx.object_store(SNAPSHOTS)?;
        let held: Option<SnapshotRecord> =
            snapshots.get(snapshot.stream_id.as_str()).serde()?.await?;
        if held.is_none_or(|h| h.version < snapshot.version.0) {
            snapshots
                .put(SnapshotRecord::from_snapshot(snapshot))
                .serde()?
                .await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// Events of unpublished outbox rows after the relay's cursor, oldest first.
    pub async fn unpublished_after(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<Vec<SharedEvent>, StoreError> {
        let tx = self.read(&[OUTBOX, EVENTS])?;
        let rows: Vec<OutboxRecord> = tx
            .object_store(OUTBOX)?
            .get_all()
            .with_query::<u64, _>(KeyRange::LowerBound(after.0, true))
            .with_limit(limit)
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let events = tx.object_store(EVENTS)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let record: Option<EventRecord> = events.get(row.global_position).serde()?.await?;
            if let Some(Ok(e)) = record.map(|r| r.to_event()) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Keeps commands in the durable queue until they are handled, in one transaction.
    pub async fn enqueue(&self, commands: &[(u64, QueuedCommand)]) -> Result<(), StoreError> {
        let tx = self.write(&[COMMAND_QUEUE])?;
        let queue = tx.object_store(COMMAND_QUEUE)?;
        for (seq, command) in commands {
            queue
                .put(QueueRecord {
                    seq: *seq,
                    command: serde_json::to_string(command).unwrap_or_default(),
                })
                .serde()?
                .await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// Removes a handled command from the durable queue.
    pub async fn dequeue(&self, seq: u64) -> Result<(), StoreError> {
        let tx = self.write(&[COMMAND_QUEUE])?;
        tx.object_store(COMMAND_QUEUE)?.delete(seq).serde()?.await?;
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// The durable queue, oldest first, with its keys; unreadable rows are reported.
    pub async fn queued(
        &self,
    ) -> Result<(Vec<(u64, QueuedCommand)>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[COMMAND_QUEUE])?;
        let rows: Vec<QueueRecord> = tx
            .object_store(COMMAND_QUEUE)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        let mut queued = Vec::with_capacity(rows.len());
        let mut corrupt = Vec::new();
        for row in rows {
            match serde_json::from_str(&row.command) {
                Ok(command) => queued.push((row.seq, command)),
                Err(e) => corrupt.push(CorruptRecord {
                    store: COMMAND_QUEUE,
                    key: row.seq.to_string(),
                    reason: format!("command: {e}"),
                }),
            }
        }
        Ok((queued, corrupt))
    }

    /// How many events the store holds up to `position` (with the events read up to
    /// it, a count of the same log though another tab appends meanwhile).
    pub async fn count_upto(&self, position: GlobalPosition) -> Result<u64, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let count = tx
            .object_store(EVENTS)?
            .count()
            .with_query::<f64, _>(KeyRange::UpperBound(position.0 as f64, false))
            .primitive()?
            .await?;
        Ok(u64::from(count))
    }

    /// How many outbox rows wait to be published.
    pub async fn outbox_len(&self) -> Result<u64, StoreError> {
        let tx = self.read(&[OUTBOX])?;
        let count = tx.object_store(OUTBOX)?.count().primitive()?.await?;
        Ok(u64::from(count))
    }

    /// Marks outbox rows published (deletes them), in one transaction.
    pub async fn mark_published(&self, positions: &[GlobalPosition]) -> Result<(), StoreError> {
        let tx = self.write(&[OUTBOX])?;
        let outbox = tx.object_store(OUTBOX)?;
        let deletes = positions
            .iter()
            .map(|p| outbox.delete(p.0).serde())
            .collect::<Result<Vec<_>, _>>()?;
        for delete in deletes {
            delete.await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// Saves a projection's progress and changed rows in one transaction, so what a
    /// reload finds is always a state the projection was in.
    pub async fn save_projection(&self, save: &ProjectionSave) -> Result<(), StoreError> {
        let tx = self.write(&[CHECKPOINTS, READ_MODELS])?;
        let rows = tx.object_store(READ_MODELS)?;
        let mut writes = Vec::with_capacity(save.rows.len() + 2);
        if save.replace {
            rows.delete::<String, _>(projection_rows(save.projection))
                .serde()?
                .await?;
        }
        for row in &save.rows {
            writes.push(
                rows.put(ReadModelRecord::new(save.projection, row))
                    .serde()?,
            );
        }
        writes.push(
            tx.object_store(CHECKPOINTS)?
                .put(ProgressRecord::new(save.projection, &save.progress))
                .serde()?,
        );
        for write in writes {
            write.await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// A projection's checkpoint (0 when it has none).
    pub async fn checkpoint(
        &self,
        projection: ProjectionName,
    ) -> Result<GlobalPosition, StoreError> {
        let tx = self.read(&[CHECKPOINTS])?;
        let record: Option<ProgressRecord> = tx
            .object_store(CHECKPOINTS)?
            .get(KeyRange::Only(projection))
            .serde()?
            .await?;
        Ok(record.map_or(GlobalPosition(0), |r| GlobalPosition(r.checkpoint)))
    }

    /// Every projection as saved (those that never saved are missing), and unreadable
    /// rows. Reads rows, not events: its cost follows the read models' size.
    pub async fn stored_projections(
        &self,
    ) -> Result<(Vec<(ProjectionName, StoredProjection)>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[CHECKPOINTS, READ_MODELS])?;
        let progress = tx.object_store(CHECKPOINTS)?.get_all().serde()?;
        let rows = tx.object_store(READ_MODELS)?.get_all().serde()?;
        let progress: Vec<ProgressRecord> = progress.await?.collect::<Result<_, _>>()?;
        let rows: Vec<ReadModelRecord> = rows.await?.collect::<Result<_, _>>()?;
        let mut stored: Vec<(ProjectionName, StoredProjection)> = progress
            .iter()
            .map(|p| {
                let projection = StoredProjection {
                    progress: p.progress(),
                    rows: Vec::new(),
                };
                (p.projection, projection)
            })
            .collect();
        let mut corrupt: Vec<CorruptRecord> = Vec::new();
        let mut damaged = Vec::new();
        for record in rows {
            match record.to_row() {
                Ok(row) => {
                    if let Some((_, p)) = stored.iter_mut().find(|(n, _)| *n == record.projection) {
                        p.rows.push(row);
                    }
                }
                Err(c) => {
                    damaged.push(record.projection);
                    corrupt.push(c);
                }
            }
        }
        // A model missing a row would be wrong: it is rebuilt from the log instead.
        stored.retain(|(name, _)| !damaged.contains(name));
        Ok((stored, corrupt))
    }

    /// The oldest position still in the outbox, if any.
    pub async fn oldest_unpublished(&self) -> Result<Option<GlobalPosition>, StoreError> {
        let tx = self.read(&[OUTBOX])?;
        let outbox = tx.object_store(OUTBOX)?;
        let cursor = outbox.open_key_cursor().serde()?.await?;
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        let key: Option<u64> = cursor.primary_key_ser()?;
        Ok(key.map(GlobalPosition))
    }

    /// Sets unreadable records aside in the dead letters, with the reason.
    pub async fn quarantine(&self, corrupt: &[CorruptRecord]) -> Result<(), StoreError> {
        if corrupt.is_empty() {
            return Ok(());
        }
        let tx = self.write(&[DEAD_LETTERS])?;
        let dead = tx.object_store(DEAD_LETTERS)?;
        for c in corrupt {
            dead.put(QuarantinedRecord {
                id: format!("{}/{}", c.store, c.key),
                store: c.store.to_owned(),
                key: c.key.clone(),
                reason: c.reason.clone(),
            })
            .serde()?
            .await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
    }

    /// The quarantined records, by store and key.
    pub async fn quarantined(&self) -> Result<Vec<QuarantinedRecord>, StoreError> {
        let tx = self.read(&[DEAD_LETTERS])?;
        let records = tx
            .object_store(DEAD_LETTERS)?
            .get_all()
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        Ok(records)
    }

    /// Every readable event, read in batches (export, startup).
    pub async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreError> {
        self.events_after(GlobalPosition(0)).await
    }

    /// Every readable event past a position, read in batches of `getAll`; unreadable
    /// ones are quarantined and skipped.
    pub async fn events_after(
        &self,
        after: GlobalPosition,
    ) -> Result<Vec<SharedEvent>, StoreError> {
        let mut events = Vec::new();
        // Up to the head, positions are dense: ranges of them are asked for a few at a
        // time, so the browser reads the next while this decodes (a request that had to
        // wait for the last key of the one before would leave it idle meanwhile). An
        // unreadable head (a damaged key) leaves it all to the loop below.
        let head = self.head().await.map_or(after.0, |h| h.0);
        let mut asked = after.0;
        let mut pending = std::collections::VecDeque::new();
        loop {
            while pending.len() < SCAN_AHEAD && asked < head {
                let upto = head.min(asked.saturating_add(u64::from(SCAN_BATCH)));
                pending.push_back(self.fetch_range(asked, upto)?);
                asked = upto;
            }
            let Some(batch) = pending.pop_front() else {
                break;
            };
            let records = batch.await?;
            let (batch, corrupt) = decode(records.iter().map(EventRecord::from_js));
            // Not recorded (a full disk) fails no read: the record is skipped either way.
            let _ = self.quarantine(&corrupt).await;
            events.extend(batch);
        }
        // Then whatever lies past that head (appended since, or keys that are no
        // position), a batch after the last key of the one before.
        let mut after = GlobalPosition(asked.max(after.0));
        let mut records = self.fetch(after, SCAN_BATCH)?.await?;
        loop {
            let full = records.len() == SCAN_BATCH as usize;
            // Ask for the next batch (after this one's last key) before decoding this
            // one; a key that does not move on (a damaged record) ends the scan.
            let last = records
                .last()
                .map(|r| GlobalPosition(EventRecord::from_js(r).global_position));
            let next = match last {
                Some(last) if full && last > after => {
                    after = last;
                    Some(self.fetch(last, SCAN_BATCH)?)
                }
                _ => None,
            };
            let (batch, corrupt) = decode(records.iter().map(EventRecord::from_js));
            // Not recorded (a full disk) fails no read: the record is skipped either way.
            let _ = self.quarantine(&corrupt).await;
            events.extend(batch);
            match next {
                Some(next) => records = next.await?,
                None => break,
            }
        }
        Ok(events)
    }

    /// Imports an export file in place of everything stored, in one transaction. The
    /// file is checked first (`store::transfer::import_json`): a bad file changes
    /// nothing and the error names the record and the field.
    pub async fn import(&self, text: &str) -> Result<Result<usize, ImportError>, StoreError> {
        let events = match import_json(text) {
            Ok(events) => events,
            Err(e) => return Ok(Err(e)),
        };
        self.replace_all(&events).await?;
        Ok(Ok(events.len()))
    }

    /// Deletes every event and everything derived from them (outbox, processed ids,
    /// snapshots, checkpoints, read models, the queue, dead letters), atomically.
    pub async fn clear(&self) -> Result<(), StoreError> {
        self.replace_all(&[]).await
    }

    /// Replaces everything stored with `events` (already checked), in one transaction.
    async fn replace_all(&self, events: &[EventEnvelope]) -> Result<(), StoreError> {
        self.head_hint.set(None);
        let tx = self.write(&REPLACE_SCOPE)?;
        for name in REPLACE_SCOPE {
            tx.object_store(name)?.clear()?.await?;
        }
        let (store, processed) = (tx.object_store(EVENTS)?, tx.object_store(PROCESSED)?);
        let mut writes = Vec::with_capacity(events.len() + 1);
        for e in events {
            writes.push(store.add(EventRecord::from_envelope(e)).serde()?);
        }
        for record in processed_runs(events) {
            writes.push(processed.add(record).serde()?);
        }
        for write in writes {
            write.await?;
        }
        super::quota::commit(tx).await?;
        Ok(())
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

/// Events per request when scanning the whole log.
const SCAN_BATCH: u32 = 5_000;
/// Batches of a scan asked for before the first of them is decoded.
const SCAN_AHEAD: usize = 3;

/// Everything an import replaces.
const REPLACE_SCOPE: [&str; 8] = [
    EVENTS,
    OUTBOX,
    PROCESSED,
    SNAPSHOTS,
    CHECKPOINTS,
    schema::READ_MODELS,
    schema::COMMAND_QUEUE,
    DEAD_LETTERS,
];

/// Processed-command rows for imported events: each command's run of positions.
fn processed_runs(events: &[EventEnvelope]) -> Vec<ProcessedRecord> {
    let mut runs: Vec<ProcessedRecord> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in events {
        match runs.last_mut() {
            Some(run)
                if run.command_id == e.causation_id().as_str()
                    && run.first_position + u64::from(run.count) == e.global_position.0 =>
            {
                run.count += 1;
            }
            // A command's events are one append: a later run of the same id is not.
            _ if !seen.insert(e.causation_id().clone()) => {}
            _ => runs.push(ProcessedRecord {
                command_id: e.causation_id().as_str().to_owned(),
                first_position: e.global_position.0,
                count: 1,
            }),
        }
    }
    runs
}

/// The key range of every row a projection keeps in the `readModels` store.
fn projection_rows(projection: ProjectionName) -> KeyRange<String> {
    let prefix = format!("{}/", projection.key());
    KeyRange::Bound(prefix.clone(), false, format!("{prefix}\u{ffff}"), false)
}

/// The key range of a stream's versions after `after`.
fn stream_range(stream_id: &OrderId, after: StreamVersion) -> KeyRange<(String, u64)> {
    let id = stream_id.as_str().to_owned();
    // Versions are integers below 2^53, as JavaScript numbers must be.
    KeyRange::Bound((id.clone(), after.0), true, (id, MAX_SAFE), false)
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE: u64 = (1 << 53) - 1;

async fn stream_version_in(
    events: &indexed_db_futures::object_store::ObjectStore<'_>,
    stream_id: &OrderId,
) -> Result<StreamVersion, StoreError> {
    // Versions are contiguous from 1, so the count of a stream's rows is its version.
    let count = events
        .index(BY_STREAM)?
        .count()
        .with_query(stream_range(stream_id, StreamVersion(0)))
        .serde()?
        .await?;
    Ok(StreamVersion(u64::from(count)))
}

async fn head_in(
    events: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<GlobalPosition, StoreError> {
    let cursor = events
        .open_key_cursor()
        .with_direction(indexed_db_futures::cursor::CursorDirection::Prev)
        .serde()?
        .await?;
    let Some(cursor) = cursor else {
        return Ok(GlobalPosition(0));
    };
    let key: Option<u64> = cursor.primary_key_ser()?;
    Ok(GlobalPosition(key.unwrap_or(0)))
}

/// Decodes records, keeping the readable ones and reporting the rest.
fn decode(
    records: impl ExactSizeIterator<Item = EventRecord>,
) -> (Vec<SharedEvent>, Vec<CorruptRecord>) {
    let mut events = Vec::with_capacity(records.len());
    let mut corrupt = Vec::new();
    for record in records {
        match record.to_event() {
            Ok(e) => events.push(e),
            Err(c) => corrupt.push(c),
        }
    }
    (events, corrupt)
}
