//! The in-memory store: carries out the contract synchronously. Native tests and the
//! simulation run on it; the IndexedDB adapter must behave the same.

use super::contract::{
    AppendError, AppendRequest, Appended, LoadedStream, ProjectionName, Snapshot,
};
use super::read_models::{ProjectionSave, RowKey, StoredProgress, StoredProjection, StoredRow};
use crate::collections::{ListMap, LookupMap, PlaceIndex, PositionMap};
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{CommandId, GlobalPosition, OrderId, StreamVersion};
use std::collections::BTreeMap;
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
    /// Per processed command, the place in `log` of the first event it stored: its
    /// events are the run from there that names it as their cause (an append's events
    /// are contiguous). The id itself is not copied: the event holds it. The index grows
    /// with every command, so it is a compact one.
    processed: PlaceIndex,
    /// The last command id `check_processed` found unprocessed, with the log's length
    /// then and the id's hash bits: while nothing was stored since, its append need not
    /// look it up again (a handler checks at load and appends right after).
    known_new: Option<(CommandId, usize, u32)>,
    projections: BTreeMap<ProjectionName, KeptProjection>,
}

/// A projection's progress and rows: those of its last full save (kept as saved, so a
/// rebuild's save costs no per-row work) and those changed since: the seen rows (most
/// of them: one per stream) apart from the others, as a version per stream instead of a
/// whole row under its key.
#[derive(Debug, Clone, Default)]
struct KeptProjection {
    progress: StoredProgress,
    saved: Vec<StoredRow>,
    changed: ListMap<RowKey, StoredRow>,
    seen: LookupMap<OrderId, StreamVersion>,
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
        let known_new = self
            .known_new
            .take()
            .filter(|(id, size, _)| *size == self.log.len() && *id == request.command_id);
        let hash_bits = match known_new {
            Some((_, _, hash_bits)) => hash_bits,
            None => {
                let hash_bits = PlaceIndex::hash_bits(&request.command_id);
                if self.first_of(&request.command_id, hash_bits).is_some() {
                    return Err(AppendError::AlreadyProcessed {
                        command_id: request.command_id.clone(),
                    });
                }
                hash_bits
            }
        };
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
        // Checked above: the id is not in the index.
        self.processed.add(hash_bits, self.log.len());
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
            // A command's first event is indexed; its run (the events after it that name
            // it) counts, a later event naming it again does not.
            let hash_bits = PlaceIndex::hash_bits(e.causation_id());
            if store.first_of(e.causation_id(), hash_bits).is_none() {
                store.processed.add(hash_bits, store.log.len());
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
        crate::collections::sort::sort(&mut ids);
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
        let hash_bits = PlaceIndex::hash_bits(command_id);
        self.first_of(command_id, hash_bits).is_some()
    }

    /// `is_processed`, remembering an id found new so that its append skips the lookup
    /// (and hashing it again).
    pub fn check_processed(&mut self, command_id: &CommandId) -> bool {
        let hash_bits = PlaceIndex::hash_bits(command_id);
        let processed = self.first_of(command_id, hash_bits).is_some();
        self.known_new = (!processed).then(|| (command_id.clone(), self.log.len(), hash_bits));
        processed
    }

    /// The positions a processed command stored, if it was processed.
    pub fn processed(&self, command_id: &CommandId) -> Option<Vec<GlobalPosition>> {
        let first = self.first_of(command_id, PlaceIndex::hash_bits(command_id))?;
        let run = self.log.get(first..).unwrap_or_default();
        Some(
            run.iter()
                .take_while(|e| e.causation_id() == command_id)
                .map(|e| e.global_position)
                .collect(),
        )
    }

    /// The place in `log` of a processed command's first event (`hash_bits`: the id's).
    fn first_of(&self, command_id: &CommandId, hash_bits: u32) -> Option<usize> {
        let names = |place: usize| {
            self.log
                .get(place)
                .is_some_and(|e| e.causation_id() == command_id)
        };
        if let Some(place) = self.processed.find(hash_bits, names) {
            return Some(place);
        }
        // Places past what the index holds (4 billion events: never reached in
        // practice) are searched one by one.
        let unindexed = self.log.get(PlaceIndex::MAX_PLACES..)?;
        let found = unindexed
            .iter()
            .position(|e| e.causation_id() == command_id)?;
        Some(PlaceIndex::MAX_PLACES + found)
    }

    /// Saves a projection's progress and changed rows, all at once.
    pub fn save_projection(&mut self, save: ProjectionSave) {
        let kept = self.projections.entry(save.projection).or_default();
        kept.progress = save.progress;
        if save.replace {
            kept.saved = save.rows;
            kept.changed.clear();
            kept.seen.clear();
            return;
        }
        for row in save.rows {
            match row {
                StoredRow::Seen { order_id, version } => {
                    kept.seen.insert(order_id, version);
                }
                row => {
                    kept.changed.insert(row.key(), row);
                }
            }
        }
    }

    /// A projection as saved, if it ever was (rows in key order).
    pub fn stored_projection(&self, projection: ProjectionName) -> Option<StoredProjection> {
        let kept = self.projections.get(&projection)?;
        // Rows changed since the last full save stand in for saved ones with their keys,
        // and the versions seen for both: each key once, the newest word on it. Then in
        // key order (the read model's own sort: one sort of rows in the page's code).
        let mut merged: ListMap<RowKey, StoredRow> = ListMap::default();
        for row in &kept.saved {
            merged.insert(row.key(), row.clone());
        }
        for (key, row) in kept.changed.iter() {
            merged.insert(key.clone(), row.clone());
        }
        for (order_id, version) in kept.seen.iter() {
            let row = StoredRow::Seen {
                order_id: order_id.clone(),
                version: *version,
            };
            merged.insert(row.key(), row);
        }
        let mut rows: Vec<StoredRow> = merged.iter().map(|(_, row)| row.clone()).collect();
        crate::collections::sort::sort_by_key(&mut rows, StoredRow::key);
        Some(StoredProjection {
            progress: kept.progress.clone(),
            rows,
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
