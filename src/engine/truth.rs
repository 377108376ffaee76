//! The truth a read model is checked against: a fold of the stored events, each applied
//! exactly once in global-position order. It is kept apart from the projections (it
//! shares their row code, never their state), so a projection that kept the wrong row
//! cannot also make the truth wrong.

use super::projection::{Projection, ReadModel, WrongRow};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::GlobalPosition;
use crate::domain::upcast::upcast;
use crate::store::{ProjectionName, RowKey};

/// Every stored event up to `head`, folded once each in position order into the three
/// read models.
#[derive(Debug, Clone)]
pub struct StoreFold {
    head: GlobalPosition,
    /// The read models, events as stored.
    models: [ReadModel; 3],
    /// The order summary with old events read through the upcaster (the only model an
    /// upcast changes: it gives v1 orders their currency).
    upcast_summary: ReadModel,
    /// Positions left out (unreadable records).
    left_out: u64,
}

impl Default for StoreFold {
    fn default() -> Self {
        StoreFold {
            head: GlobalPosition(0),
            models: ProjectionName::ALL.map(ReadModel::empty),
            upcast_summary: ReadModel::empty(ProjectionName::OrderSummary),
            left_out: 0,
        }
    }
}

impl StoreFold {
    /// The fold of an empty store.
    pub fn new() -> Self {
        StoreFold::default()
    }

    /// The fold of a whole log (events in position order from position 1).
    pub fn of(events: &[SharedEvent]) -> Self {
        let mut fold = StoreFold::new();
        fold.extend(events);
        fold
    }

    /// Folds in the events that follow `head` (in position order). Positions already
    /// folded are skipped; at a gap the fold stops and returns false, so the caller
    /// reads the missing events first (it never folds past an event it lacks).
    pub fn extend<'a>(&mut self, events: impl IntoIterator<Item = &'a SharedEvent>) -> bool {
        for e in events {
            if e.global_position <= self.head {
                continue;
            }
            if e.global_position != self.head.next() {
                return false;
            }
            for model in &mut self.models {
                model.apply(e);
            }
            self.upcast_summary.apply(&upcast(e));
            self.head = e.global_position;
        }
        true
    }

    /// Folds in events read from the store in position order from `head` on: a
    /// position missing between them (a record set aside as unreadable) is left out
    /// and counted, not waited for.
    pub fn extend_over_gaps<'a>(&mut self, events: impl IntoIterator<Item = &'a SharedEvent>) {
        for e in events {
            if e.global_position > self.head.next() {
                self.left_out += e.global_position.0 - self.head.next().0;
                self.head = GlobalPosition(e.global_position.0 - 1);
            }
            self.extend(std::iter::once(e));
        }
    }

    /// Positions left out of the fold (unreadable records).
    pub fn left_out(&self) -> u64 {
        self.left_out
    }

    /// Every event up to this position is folded in.
    pub fn head(&self) -> GlobalPosition {
        self.head
    }

    /// A read model as the fold gives it, events read as stored or through the upcaster.
    pub fn model(&self, name: ProjectionName, upcasting: bool) -> &ReadModel {
        match name {
            ProjectionName::OrderSummary if upcasting => &self.upcast_summary,
            _ => &self.models[name as usize],
        }
    }

    /// The rows of a projection's model that differ from the fold (when the projection
    /// has applied every event the fold holds, none may).
    pub fn differing_rows(&self, projection: &Projection) -> Vec<RowKey> {
        let truth = self.model(projection.name, projection.reads_upcast());
        let model = projection.model();
        let mut keys = std::collections::BTreeSet::new();
        keys.extend(truth.keys().into_iter().chain(model.keys()));
        keys.into_iter()
            .filter(|key| !truth.same_row(model, key))
            .collect()
    }
}

/// The rows a naive projection is known to have wrong (a duplicate applied twice), at
/// most `limit`, each beside the fold of the store, with how many there are.
pub fn wrong_rows(
    projection: &Projection,
    fold: &StoreFold,
    limit: usize,
) -> (Vec<WrongRow>, usize) {
    let wrong = projection.known_wrong();
    let truth = fold.model(projection.name, projection.reads_upcast());
    let shown = wrong
        .iter()
        .take(limit)
        .map(|key| WrongRow {
            key: key.label(),
            expected: truth.row_text(key),
            actual: projection.model().row_text(key),
        })
        .collect();
    (shown, wrong.len())
}

/// A read-model row beside the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCheck {
    /// The row's key.
    pub key: String,
    /// What the read model shows (`None`: no row).
    pub shows: Option<String>,
    /// What it shows with every stored event applied exactly once (`None`: no row).
    pub truth: Option<String>,
    /// Current, stale, wrong or unknown.
    pub state: RowState,
}

/// How a read-model row stands against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// It shows the truth.
    Current,
    /// Stored events for it are not applied yet (eventual consistency).
    Stale {
        /// How many.
        behind: u64,
        /// True when that is a lower bound: unapplied events older than the newest
        /// read may touch the row too.
        at_least: bool,
    },
    /// It differs from the truth though every stored event for it was applied (a
    /// duplicate applied twice, an event applied out of order).
    Wrong,
    /// The store is still being read: the truth is not known yet.
    Unknown,
}

/// The rows the newest events touched (at most `limit`, newest first), each as the
/// projection's read model shows it beside the fold of the store. `recent` are the
/// newest stored events in position order (the whole log, or its newest part): they
/// choose the rows and say which of their events the projection has not applied.
pub fn row_checks(
    projection: &Projection,
    fold: &StoreFold,
    recent: &[SharedEvent],
    limit: usize,
) -> Vec<RowCheck> {
    let model = projection.model();
    let mut keys: Vec<RowKey> = Vec::new();
    for e in recent.iter().rev() {
        if keys.len() == limit {
            break;
        }
        if let Some(key) = model.changed_row(&projection.read(e)) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let known = recent
        .last()
        .is_none_or(|e| e.global_position <= fold.head());
    let truth = fold.model(projection.name, projection.reads_upcast());
    let checkpoint = projection.checkpoint();
    let applied = |p: GlobalPosition| p <= checkpoint || projection.is_applied_ahead(p);
    // The window reaches back to the checkpoint: every unapplied event is in it.
    let covered = recent
        .first()
        .is_none_or(|e| e.global_position <= checkpoint.next());
    // One pass over the unapplied events in the window: how many touch each row.
    let mut unapplied = vec![0u64; keys.len()];
    for e in recent.iter().filter(|e| !applied(e.global_position)) {
        if let Some(key) = model.changed_row(&projection.read(e)) {
            if let Some(i) = keys.iter().position(|k| *k == key) {
                unapplied[i] += 1;
            }
        }
    }
    keys.into_iter()
        .zip(unapplied)
        .map(|(key, counted)| {
            let shows = model.row_text(&key);
            let should = truth.row_text(&key);
            // Typed rows, not their text: two rows can read alike ("4 items, $4.00")
            // with different lines.
            let equal = model.same_row(truth, &key);
            // Unapplied events older than the window may be this row's: it may be stale.
            let maybe_older = !covered && checkpoint < fold.head();
            // With unapplied events beyond the window, a count is only a lower bound.
            let at_least = maybe_older && !equal;
            let behind = if at_least { counted.max(1) } else { counted };
            let state = if !known {
                RowState::Unknown
            } else if projection.is_known_wrong(&key) {
                RowState::Wrong
            } else if behind > 0 {
                RowState::Stale { behind, at_least }
            } else if equal {
                RowState::Current
            } else {
                RowState::Wrong
            };
            RowCheck {
                key: key.label(),
                shows,
                truth: should,
                state,
            }
        })
        .collect()
}
