//! The in-memory store: carries out the contract synchronously. Native tests and the
//! simulation run on it; the IndexedDB adapter must behave the same.

use super::contract::{
    AppendError, AppendRequest, Appended, LoadedStream, ProjectionName, Snapshot,
};
use super::read_models::{ProjectionSave, RowKey, StoredProgress, StoredProjection, StoredRow};
use crate::collections::{Hashed, LookupMap, PositionMap};
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::rc::Rc;

/// Positions a new stream has room for: a typical order's life, so that its appends
/// seldom grow the list.
const STREAM_ROOM: usize = 16;

/// Events, outbox, snapshots, processed command ids and checkpoints, all in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    log: Vec<SharedEvent>,
    /// Per stream, the global position of each version (version v at index v - 1).
    streams: LookupMap<OrderId, Vec<GlobalPosition>>,
    snapshots: LookupMap<OrderId, Snapshot>,
    /// Outbox rows not yet published (written in position order, published mostly in it).
    unpublished: PositionMap<()>,
    /// Per processed command, the first position it stored and how many (an append's
    /// positions are contiguous).
    processed: ProcessedIds,
    projections: BTreeMap<ProjectionName, KeptProjection>,
}

/// A projection's progress and rows: those of its last full save (kept as saved, so a
/// rebuild's save costs no per-row work) and those changed since.
#[derive(Debug, Clone, Default)]
struct KeptProjection {
    progress: StoredProgress,
    saved: Vec<StoredRow>,
    changed: LookupMap<Hashed<RowKey>, StoredRow>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends atomically: every event, its outbox row and the command id, or nothing.
    pub fn append(&mut self, mut request: AppendRequest) -> Result<Appended, AppendError> {
        self.append_into(&mut request, Vec::new())
    }

    /// `append`, taking the request's events out of it (its list is left empty, to be
    /// used again) and returning the stored events in `into` (emptied first).
    pub fn append_into(
        &mut self,
        request: &mut AppendRequest,
        into: Vec<SharedEvent>,
    ) -> Result<Appended, AppendError> {
        if request.events.is_empty() {
            return Err(AppendError::Empty);
        }
        if self.processed.get(&request.command_id).is_some() {
            return Err(AppendError::AlreadyProcessed {
                command_id: request.command_id.clone(),
            });
        }
        let positions = match self.streams.get_mut(&request.stream_id) {
            Some(positions) => positions,
            // A new stream is made only by a write that expects it to be new.
            None if request.expected_version == StreamVersion(0) => self
                .streams
                .entry(request.stream_id.clone())
                .or_insert_with(|| Vec::with_capacity(request.events.len().max(STREAM_ROOM))),
            None => {
                return Err(AppendError::Conflict {
                    stream_id: request.stream_id.clone(),
                    expected: request.expected_version,
                    actual: StreamVersion(0),
                })
            }
        };
        let actual = StreamVersion(positions.len() as u64);
        if actual != request.expected_version {
            return Err(AppendError::Conflict {
                stream_id: request.stream_id.clone(),
                expected: request.expected_version,
                actual,
            });
        }
        // Nothing below can fail: the write is all-or-nothing by construction.
        let mut stored = into;
        stored.clear();
        stored.reserve(request.events.len());
        let mut version = actual;
        for new in request.events.drain(..) {
            version = version.next();
            let position = GlobalPosition(self.log.len() as u64).next();
            positions.push(position);
            if request.with_outbox {
                self.unpublished.insert(position, ());
            }
            let envelope = Rc::new(new.stored_as(&request.stream_id, version, position));
            self.log.push(Rc::clone(&envelope));
            stored.push(envelope);
        }
        let first = stored
            .first()
            .map(|e| e.global_position)
            .unwrap_or_default();
        let count = u32::try_from(stored.len()).unwrap_or(u32::MAX);
        self.processed
            .insert(request.command_id.clone(), first, count);
        Ok(Appended { events: stored })
    }

    /// A store holding exactly these events (an import, already checked by
    /// `transfer::import_json`: positions 1, 2, 3…, versions contiguous per stream), each
    /// command id processed, no outbox rows, snapshots or checkpoints.
    pub fn from_events(events: Vec<EventEnvelope>) -> Self {
        let mut store = MemoryStore::new();
        for e in events {
            let e = Rc::new(e);
            store
                .streams
                .entry(e.stream_id.clone())
                .or_default()
                .push(e.global_position);
            match store.processed.get_mut(&e.causation_id) {
                // Only the command's first run of positions counts (an append's are
                // contiguous).
                Some(run) if run.first.0 + u64::from(run.count) == e.global_position.0 => {
                    run.count += 1;
                }
                Some(_) => {}
                None => store
                    .processed
                    .insert(e.causation_id.clone(), e.global_position, 1),
            }
            store.log.push(e);
        }
        store
    }

    /// The newest snapshot of a stream and the events after it.
    pub fn load_stream(&self, stream_id: &OrderId) -> LoadedStream {
        self.load_stream_into(stream_id, Vec::new())
    }

    /// `load_stream`, with the events in `into` (emptied first).
    pub fn load_stream_into(
        &self,
        stream_id: &OrderId,
        mut into: Vec<SharedEvent>,
    ) -> LoadedStream {
        let snapshot = self.snapshots.get(stream_id).cloned().map(Box::new);
        let after = snapshot.as_ref().map(|s| s.version).unwrap_or_default();
        into.clear();
        self.read_stream_into(stream_id, after, &mut into);
        LoadedStream {
            events: into,
            snapshot,
        }
    }

    /// A stream's events after a version, in version order.
    pub fn read_stream(&self, stream_id: &OrderId, after: StreamVersion) -> Vec<SharedEvent> {
        let mut events = Vec::new();
        self.read_stream_into(stream_id, after, &mut events);
        events
    }

    /// Adds a stream's events after a version to `events`, in version order.
    fn read_stream_into(
        &self,
        stream_id: &OrderId,
        after: StreamVersion,
        events: &mut Vec<SharedEvent>,
    ) {
        let Some(positions) = self.streams.get(stream_id) else {
            return;
        };
        let skip = usize::try_from(after.0).unwrap_or(usize::MAX);
        events.reserve_exact(positions.len().saturating_sub(skip));
        events.extend(positions.iter().skip(skip).filter_map(|p| self.shared(*p)));
    }

    /// Up to `limit` events after a global position: the change feed.
    pub fn read_all(&self, after: GlobalPosition, limit: u64) -> &[SharedEvent] {
        let start = usize::try_from(after.0)
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        let end = usize::try_from(after.0.saturating_add(limit))
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        &self.log[start..end]
    }

    /// One event by its global position.
    pub fn event(&self, position: GlobalPosition) -> Option<&EventEnvelope> {
        let index = usize::try_from(position.0.checked_sub(1)?).ok()?;
        self.log.get(index).map(|e| &**e)
    }

    /// One event by its global position, shared.
    pub fn shared(&self, position: GlobalPosition) -> Option<SharedEvent> {
        let index = usize::try_from(position.0.checked_sub(1)?).ok()?;
        self.log.get(index).cloned()
    }

    /// Every event, in global order.
    pub fn events(&self) -> &[SharedEvent] {
        &self.log
    }

    /// The position of the newest event (0 when empty).
    pub fn head(&self) -> GlobalPosition {
        GlobalPosition(self.log.len() as u64)
    }

    /// A stream's version (0 when it has no events).
    pub fn stream_version(&self, stream_id: &OrderId) -> StreamVersion {
        StreamVersion(self.streams.get(stream_id).map_or(0, |p| p.len() as u64))
    }

    /// Every stream id, in order.
    pub fn stream_ids(&self) -> Vec<&OrderId> {
        let mut ids: Vec<&OrderId> = self.streams.keys().collect();
        ids.sort_unstable();
        ids
    }

    /// Keeps a snapshot if it is newer than the one held and within the stream.
    pub fn save_snapshot(&mut self, snapshot: Snapshot) {
        let newer = self
            .snapshots
            .get(&snapshot.stream_id)
            .is_none_or(|held| held.version < snapshot.version);
        if newer && snapshot.version <= self.stream_version(&snapshot.stream_id) {
            self.snapshots.insert(snapshot.stream_id.clone(), snapshot);
        }
    }

    /// The newest snapshot of a stream.
    pub fn snapshot(&self, stream_id: &OrderId) -> Option<&Snapshot> {
        self.snapshots.get(stream_id)
    }

    /// Positions of events whose outbox row is not yet published, oldest first.
    pub fn unpublished(&self, limit: u64) -> Vec<GlobalPosition> {
        self.unpublished_after(GlobalPosition(0), limit)
    }

    /// Unpublished outbox rows after a position (a relay's cursor), oldest first.
    pub fn unpublished_after(&self, after: GlobalPosition, limit: u64) -> Vec<GlobalPosition> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut rows = Vec::with_capacity(limit.min(self.unpublished.len()));
        rows.extend(self.unpublished.keys_after(after).take(limit));
        rows
    }

    /// The events of up to `limit` unpublished outbox rows after a position (what a
    /// relay publishes next), oldest first, and whether more rows wait beyond them.
    pub fn outbox_after(&self, after: GlobalPosition, limit: u64) -> (Vec<SharedEvent>, bool) {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut rows = self.unpublished.keys_after(after);
        let mut events = Vec::with_capacity(limit.min(self.unpublished.len()));
        events.extend(rows.by_ref().take(limit).filter_map(|p| self.shared(p)));
        (events, rows.next().is_some())
    }

    /// Marks outbox rows as published.
    pub fn mark_published(&mut self, positions: &[GlobalPosition]) {
        for position in positions {
            self.unpublished.remove(*position);
        }
    }

    /// True when a command id was processed (its append is stored).
    pub fn is_processed(&self, command_id: &CommandId) -> bool {
        self.processed.get(command_id).is_some()
    }

    /// The positions a processed command stored, if it was processed.
    pub fn processed(&self, command_id: &CommandId) -> Option<Vec<GlobalPosition>> {
        let ProcessedRun { first, count, .. } = *self.processed.get(command_id)?;
        Some(
            (0..u64::from(count))
                .map(|i| GlobalPosition(first.0 + i))
                .collect(),
        )
    }

    /// Saves a projection's progress and changed rows, all at once.
    pub fn save_projection(&mut self, save: ProjectionSave) {
        let kept = self.projections.entry(save.projection).or_default();
        kept.progress = save.progress;
        if save.replace {
            kept.saved = save.rows;
            kept.changed.clear();
            return;
        }
        for row in save.rows {
            kept.changed.insert(Hashed::new(row.key()), row);
        }
    }

    /// A projection as saved, if it ever was (rows in key order).
    pub fn stored_projection(&self, projection: ProjectionName) -> Option<StoredProjection> {
        let kept = self.projections.get(&projection)?;
        let mut rows: BTreeMap<RowKey, &StoredRow> =
            kept.saved.iter().map(|row| (row.key(), row)).collect();
        rows.extend(
            kept.changed
                .iter()
                .map(|(key, row)| (key.key().clone(), row)),
        );
        Some(StoredProjection {
            progress: kept.progress.clone(),
            rows: rows.into_values().cloned().collect(),
        })
    }

    /// A projection's checkpoint (0 when it has none).
    pub fn checkpoint(&self, projection: ProjectionName) -> GlobalPosition {
        self.projections
            .get(&projection)
            .map(|p| p.progress.checkpoint)
            .unwrap_or_default()
    }

    /// The oldest position still in the outbox, if any.
    pub fn oldest_unpublished(&self) -> Option<GlobalPosition> {
        self.unpublished.first_key()
    }
}

/// Processed command ids and what each stored, kept compact because the table grows
/// with every command: 32 bits of the id's hash map to the id's place in a list (8 bytes
/// a slot, so growing the table moves little, and more of it stays in cache), and the
/// list holds the ids in the order they came. Ids that share their 32 bits (about 30
/// among 500,000) are chained through the list, newest first.
#[derive(Debug, Clone, Default)]
struct ProcessedIds {
    by_hash: LookupMap<u32, u32>,
    runs: Vec<ProcessedRun>,
}

/// A processed command: the first position it stored and how many.
#[derive(Debug, Clone)]
struct ProcessedRun {
    command_id: CommandId,
    first: GlobalPosition,
    count: u32,
    /// The place of the previous id with the same hash bits, or `NO_RUN`.
    same_hash: u32,
}

/// No run: the end of a chain.
const NO_RUN: u32 = u32::MAX;

impl ProcessedIds {
    fn hash(command_id: &CommandId) -> u32 {
        let hash = BuildHasher::hash_one(&rustc_hash::FxBuildHasher, command_id);
        (hash >> 32) as u32 ^ hash as u32
    }

    fn index(&self, command_id: &CommandId) -> Option<usize> {
        let mut index = self
            .by_hash
            .get(&Self::hash(command_id))
            .copied()
            .unwrap_or(NO_RUN);
        while let Some(run) = self.runs.get(index as usize) {
            if run.command_id == *command_id {
                return Some(index as usize);
            }
            index = run.same_hash;
        }
        // Places past what 32 bits can name (never reached: that is 4 billion commands)
        // are not in the table; they are searched one by one.
        let unnamed = self.runs.get(NO_RUN as usize..)?;
        let found = unnamed.iter().position(|r| r.command_id == *command_id)?;
        Some(NO_RUN as usize + found)
    }

    fn get(&self, command_id: &CommandId) -> Option<&ProcessedRun> {
        self.runs.get(self.index(command_id)?)
    }

    fn get_mut(&mut self, command_id: &CommandId) -> Option<&mut ProcessedRun> {
        let index = self.index(command_id)?;
        self.runs.get_mut(index)
    }

    /// Records an id not recorded yet.
    fn insert(&mut self, command_id: CommandId, first: GlobalPosition, count: u32) {
        let mut same_hash = NO_RUN;
        if let Ok(index) = u32::try_from(self.runs.len()) {
            if index != NO_RUN {
                let head = self
                    .by_hash
                    .entry(Self::hash(&command_id))
                    .or_insert(NO_RUN);
                same_hash = std::mem::replace(head, index);
            }
        }
        self.runs.push(ProcessedRun {
            command_id,
            first,
            count,
            same_hash,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ids whose 32 hash bits are the same (found by search: about 80,000 ids in).
    fn colliding_ids() -> (CommandId, CommandId) {
        let mut seen: LookupMap<u32, CommandId> = LookupMap::default();
        for n in 0..2_000_000 {
            let id = CommandId::numbered("c", n);
            if let Some(earlier) = seen.insert(ProcessedIds::hash(&id), id.clone()) {
                return (earlier, id);
            }
        }
        panic!("no two of 2,000,000 ids share their 32 hash bits");
    }

    #[test]
    fn ids_sharing_their_hash_bits_are_told_apart_by_their_text() {
        let (first, second) = colliding_ids();
        let mut processed = ProcessedIds::default();
        processed.insert(first.clone(), GlobalPosition(1), 1);
        assert!(processed.get(&second).is_none(), "same bits, different id");
        processed.insert(second.clone(), GlobalPosition(2), 3);
        processed.insert(CommandId::numbered("c", 9_999_999), GlobalPosition(5), 1);
        let run = |id| {
            processed
                .get(id)
                .map(|r| (r.command_id.clone(), r.first, r.count))
        };
        assert_eq!(run(&first), Some((first.clone(), GlobalPosition(1), 1)));
        assert_eq!(run(&second), Some((second.clone(), GlobalPosition(2), 3)));
        assert!(processed.get(&CommandId::numbered("other", 1)).is_none());
        if let Some(run) = processed.get_mut(&second) {
            run.count += 1;
        }
        assert_eq!(processed.get(&second).map(|r| r.count), Some(4));
        assert_eq!(processed.get(&first).map(|r| r.count), Some(1));
    }
}
