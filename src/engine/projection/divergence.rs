//! Where a projection's rows differ from the truth: its exact replay (the reference)
//! while it may have drifted, and the fold of the store.

use super::read_model::{ReadModel, WrongRow};
use super::Projection;
use crate::domain::envelope::SharedEvent;
use crate::store::{RowKey, StoredRow};
use std::collections::BTreeSet;
use std::rc::Rc;

impl Projection {
    /// Feeds the reference after a delivery: a position applied for the first time
    /// joins it in position order; a duplicate changed only the model.
    #[inline]
    pub(super) fn check(&mut self, e: &SharedEvent, first_time: bool) {
        if self.reference.is_some() {
            self.check_reference(e, first_time);
        }
    }

    pub(super) fn check_reference(&mut self, e: &SharedEvent, first_time: bool) {
        let Some(reference) = self.reference.as_mut() else {
            return;
        };
        let mut touched: Vec<RowKey> = self.model.changed_row(e).into_iter().collect();
        if first_time {
            reference.held.insert(e.global_position, Rc::clone(e));
        }
        while let Some(entry) = reference.held.first_entry() {
            if *entry.key() > self.checkpoint {
                break;
            }
            let event = entry.remove();
            reference.model.apply(&event);
            touched.extend(reference.model.changed_row(&event));
        }
        for key in touched {
            // Typed rows, not their text: two rows can read alike ("4 items, $4.00")
            // with different lines.
            if self.model.same_row(&reference.model, &key) {
                reference.wrong.remove(&key);
            } else {
                reference.wrong.insert(key);
            }
        }
    }

    /// The rows of a naive projection that differ from an exact replay of what it
    /// received (each event once, in position order), in key order. Rows touched by
    /// events applied ahead of a gap are not judged until it fills.
    pub fn known_wrong(&self) -> Vec<&RowKey> {
        let Some(reference) = self.reference.as_ref() else {
            return Vec::new();
        };
        // Inserted rather than collected: a collected set sorts first, and each sort is
        // code of its own in the page.
        let mut pending = BTreeSet::new();
        pending.extend(
            reference
                .held
                .values()
                .filter_map(|e| reference.model.changed_row(e)),
        );
        reference
            .wrong
            .iter()
            .filter(|k| !pending.contains(*k))
            .collect()
    }

    /// True when a naive projection's row is known to differ from an exact replay of
    /// what it applied (a duplicate applied twice).
    pub fn is_known_wrong(&self, key: &RowKey) -> bool {
        self.reference
            .as_ref()
            .is_some_and(|r| r.wrong.contains(key))
    }

    /// Rows that differ from a fresh fold of the store's events this projection has
    /// applied (each once, in position order): duplicates and reordering show here,
    /// lag does not. To compare with the whole log (the head), events not yet applied
    /// included, use `truth::StoreFold::differing_rows`.
    pub fn divergence(&self, store: &[SharedEvent]) -> Vec<WrongRow> {
        let mut fresh = ReadModel::empty(self.name);
        for e in store {
            if e.global_position <= self.checkpoint || self.ahead.contains(&e.global_position) {
                fresh.apply(&self.read(e));
            }
        }
        let mut keys = BTreeSet::new();
        keys.extend(
            fresh
                .stored_rows()
                .iter()
                .chain(self.model.stored_rows().iter())
                .map(StoredRow::key),
        );
        // Typed rows, not their text: two rows can read alike with different lines.
        keys.into_iter()
            .filter(|k| !fresh.same_row(&self.model, k))
            .map(|k| WrongRow {
                key: k.label(),
                expected: fresh.row_text(&k),
                actual: self.model.row_text(&k),
            })
            .collect()
    }
}
