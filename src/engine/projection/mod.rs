//! Projections: read models built from delivered events, each with a checkpoint, a lag,
//! a mode (naive or idempotent), and a divergence check against a fold of the *store*.

use crate::collections::LookupMap;
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{GlobalPosition, OrderId, SchemaVersion, StreamVersion};
use crate::domain::upcast::{upcast, LATEST_SCHEMA};
use crate::engine::config::ProjectionMode;
use crate::store::{
    ProjectionName, ProjectionSave, RowKey, StoredProgress, StoredProjection, StoredRow,
};
use std::collections::{BTreeMap, BTreeSet};

mod divergence;
mod read_model;

pub use read_model::{
    sealed_token, CustomerRow, ReadModel, SummaryRow, WrongRow, DAY_MS, SEALED_CLOSE, SEALED_OPEN,
};
use read_model::{seen, upsert};

/// An exact replay of what a projection received: each position applied once, in
/// position order. Kept while the projection may have drifted from it (since it last
/// handled deliveries naively, until a rebuild); idempotent handling applies each
/// stream's events once and in order, and the read models' cross-stream rows only add
/// up, so an idempotent projection equals its reference and needs none.
#[derive(Debug, Clone)]
struct Reference {
    model: ReadModel,
    /// Applied positions past the checkpoint, waiting for the gap before them.
    held: BTreeMap<GlobalPosition, SharedEvent>,
    /// Rows where the projection's model differs from the reference.
    wrong: BTreeSet<RowKey>,
}

impl Reference {
    fn of(model: &ReadModel) -> Self {
        Reference {
            model: model.clone(),
            held: BTreeMap::new(),
            wrong: BTreeSet::new(),
        }
    }
}

/// What a projection did with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied to the read model.
    Applied,
    /// Already applied (idempotent mode): ignored.
    Ignored,
    /// An earlier event of the stream is missing (idempotent mode): try again once
    /// this version of the stream is applied.
    Gap {
        /// The stream version applied next.
        awaited: StreamVersion,
    },
    /// The event's schema is newer than this projection understands: it fails.
    UnknownSchema,
}

/// A projection: its read model, checkpoint and mode.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Which projection.
    pub name: ProjectionName,
    /// Naive or idempotent.
    pub mode: ProjectionMode,
    /// The newest event schema this projection's code understands.
    pub schema: SchemaVersion,
    /// Reads old events through the upcaster (only when it understands the latest schema).
    pub upcast: bool,
    model: ReadModel,
    /// Every position ≤ the checkpoint has been applied.
    checkpoint: GlobalPosition,
    /// Applied positions above the checkpoint (deliveries arrive out of order).
    ahead: BTreeSet<GlobalPosition>,
    /// Highest version applied per stream (idempotent mode's memory).
    versions: LookupMap<OrderId, StreamVersion>,
    /// Rows changed since the last save (duplicates possible).
    dirty: Vec<RowKey>,
    /// Streams whose applied version changed since the last save (their `Seen` rows),
    /// a stream's run of events noted once.
    dirty_seen: Vec<OrderId>,
    /// True when emptied since the last save: the next save replaces every row.
    emptied: bool,
    /// The exact replay this projection is checked against, while it may drift.
    reference: Option<Box<Reference>>,
}

impl Projection {
    /// An empty projection that understands schema v1 and does not upcast.
    pub fn new(name: ProjectionName, mode: ProjectionMode) -> Self {
        Projection {
            name,
            mode,
            schema: SchemaVersion(1),
            upcast: false,
            model: ReadModel::empty(name),
            checkpoint: GlobalPosition(0),
            ahead: BTreeSet::new(),
            versions: LookupMap::default(),
            dirty: Vec::new(),
            dirty_seen: Vec::new(),
            emptied: false,
            reference: (mode == ProjectionMode::Naive)
                .then(|| Box::new(Reference::of(&ReadModel::empty(name)))),
        }
    }

    /// The same projection (code, mode, schema support), with no data: for rebuilds.
    pub fn emptied(&self) -> Self {
        // A rebuild replays each event once, in order: exact, whatever the mode.
        Projection {
            schema: self.schema,
            upcast: self.upcast,
            emptied: true,
            ..Projection::new(self.name, self.mode)
        }
    }

    /// The same projection (code, mode, schema support) resumed from what the store
    /// kept: its rows, its checkpoint and what it applied past it.
    pub fn restored(&self, stored: StoredProjection) -> Self {
        let mut p = Projection {
            schema: self.schema,
            upcast: self.upcast,
            ..Projection::new(self.name, self.mode)
        };
        p.checkpoint = stored.progress.checkpoint;
        // Inserted, not collected: a collected set sorts first (more code in the page).
        p.ahead.extend(stored.progress.ahead);
        for row in stored.rows {
            match row {
                StoredRow::Seen { order_id, version } => {
                    p.versions.insert(order_id, version);
                }
                row => p.model.restore_row(row),
            }
        }
        // A naive projection is checked from the saved rows on (what it got wrong
        // before the reload is not known any more; a rebuild makes it exact).
        if p.reference.is_some() {
            p.reference = Some(Box::new(Reference::of(&p.model)));
        }
        p
    }

    /// What to save now: the progress and the rows changed since the last save (all of
    /// them, replacing what is stored, after the model was emptied).
    pub fn take_save(&mut self) -> ProjectionSave {
        let progress = StoredProgress {
            checkpoint: self.checkpoint,
            ahead: self.ahead.iter().copied().collect(),
        };
        let replace = std::mem::take(&mut self.emptied);
        let mut keys = std::mem::take(&mut self.dirty);
        let rows = if replace {
            let mut rows = self.model.stored_rows();
            rows.extend(self.versions.iter().map(|(id, v)| seen(id, *v)));
            rows
        } else {
            keys.extend(self.dirty_seen.drain(..).map(RowKey::Seen));
            crate::collections::sort::sort(&mut keys);
            keys.dedup();
            keys.iter()
                .filter_map(|key| match key {
                    RowKey::Seen(id) => self.versions.get(id).map(|v| seen(id, *v)),
                    key => self.model.stored_row(key),
                })
                .collect()
        };
        // Both lists are kept for their capacity.
        keys.clear();
        self.dirty = keys;
        self.dirty_seen.clear();
        ProjectionSave {
            projection: self.name,
            progress,
            replace,
            rows,
        }
    }

    /// The event as this projection reads it: upcast to the latest shape when it can.
    pub fn read(&self, e: &SharedEvent) -> SharedEvent {
        if self.reads_upcast() {
            upcast(e)
        } else {
            std::rc::Rc::clone(e)
        }
    }

    /// True when it reads old events through the upcaster.
    pub fn reads_upcast(&self) -> bool {
        self.upcast && self.schema >= LATEST_SCHEMA
    }

    /// Handles one delivered event according to the mode.
    pub fn deliver(&mut self, e: &SharedEvent) -> Applied {
        let upcasted;
        let e = if self.reads_upcast() {
            upcasted = upcast(e);
            &upcasted
        } else {
            e
        };
        if e.schema_version > self.schema {
            return Applied::UnknownSchema;
        }
        // One lookup of the stream's version: to check, then to move it on.
        let slot = self.versions.get_mut(&e.stream_id);
        let seen = slot.as_deref().copied().unwrap_or_default();
        if self.mode == ProjectionMode::Idempotent {
            if e.stream_version <= seen {
                return Applied::Ignored;
            }
            if e.stream_version > seen.next() {
                return Applied::Gap {
                    awaited: seen.next(),
                };
            }
        }
        match slot {
            Some(version) => *version = seen.max(e.stream_version),
            None => {
                self.versions.insert(e.stream_id.clone(), e.stream_version);
            }
        }
        let position = e.global_position;
        let first_time = position > self.checkpoint && !self.ahead.contains(&position);
        self.apply_to_rows(e);
        self.mark_applied(position);
        self.check(e, first_time);
        Applied::Applied
    }

    /// Switches between naive and idempotent handling. Going naive starts checking the
    /// model against an exact replay (from the model as it is now).
    pub fn set_mode(&mut self, mode: ProjectionMode) {
        if mode == ProjectionMode::Naive && self.reference.is_none() {
            self.reference = Some(Box::new(Reference::of(&self.model)));
        }
        self.mode = mode;
    }

    /// The highest version of a stream this projection applied (0: none).
    pub fn applied_version(&self, stream: &OrderId) -> StreamVersion {
        self.versions.get(stream).copied().unwrap_or_default()
    }

    /// True when this position was applied past the checkpoint.
    pub fn is_applied_ahead(&self, position: GlobalPosition) -> bool {
        self.ahead.contains(&position)
    }

    /// Applies an event read from the store (a rebuild), exactly once by position.
    pub fn replay(&mut self, e: &SharedEvent) -> Applied {
        let position = e.global_position;
        if position <= self.checkpoint || self.ahead.contains(&position) {
            return Applied::Ignored;
        }
        let e = &self.read(e);
        if e.schema_version > self.schema {
            return Applied::UnknownSchema;
        }
        self.apply(e);
        self.mark_applied(position);
        self.check(e, true);
        Applied::Applied
    }

    /// Applies an event to the model and notes its stream's version, remembering which
    /// rows changed (unless the next save writes them all anyway).
    fn apply(&mut self, e: &EventEnvelope) {
        upsert(&mut self.versions, &e.stream_id, |seen| {
            *seen = (*seen).max(e.stream_version);
        });
        self.apply_to_rows(e);
    }

    /// Applies an event to the model (its stream's version already moved on) and notes
    /// the rows to save.
    fn apply_to_rows(&mut self, e: &EventEnvelope) {
        let changed = self.model.apply(e);
        if !self.emptied {
            if let Some(key) = self.model.changed_row(e).filter(|_| changed) {
                self.mark_dirty(key);
            }
            if self.dirty_seen.last() != Some(&e.stream_id) {
                self.dirty_seen.push(e.stream_id.clone());
            }
        }
    }

    /// Notes a row to save; a batch's events of one stream touch the same few rows in a
    /// row, so those repeats are skipped here (`take_save` removes the rest).
    fn mark_dirty(&mut self, key: RowKey) {
        if !self.dirty.iter().rev().take(4).any(|k| *k == key) {
            self.dirty.push(key);
        }
    }

    fn mark_applied(&mut self, position: GlobalPosition) {
        if position == self.checkpoint.next() && self.ahead.is_empty() {
            self.checkpoint = position; // the in-order common case
            return;
        }
        if position > self.checkpoint {
            self.ahead.insert(position);
        }
        while self.ahead.remove(&self.checkpoint.next()) {
            self.checkpoint = self.checkpoint.next();
        }
    }

    /// The read model.
    pub fn model(&self) -> &ReadModel {
        &self.model
    }

    /// Every position up to this one has been applied.
    pub fn checkpoint(&self) -> GlobalPosition {
        self.checkpoint
    }

    /// Positions applied past the checkpoint (out-of-order arrivals).
    pub fn applied_ahead(&self) -> impl Iterator<Item = GlobalPosition> + '_ {
        self.ahead.iter().copied()
    }
}
