//! `PositionMap`: values keyed by global position, in a sliding window of slots.

use crate::domain::ids::GlobalPosition;
use std::collections::VecDeque;

/// Values keyed by global position, for keys that arrive and leave roughly in position
/// order (outbox rows, events awaiting acknowledgement, recently sent message ids): a
/// window of slots from the oldest key held to the newest. Adding, finding and removing
/// a key are O(1), and keys iterate in order. A key held long keeps the window (one slot
/// per position after it) open until it leaves.
#[derive(Debug, Clone)]
pub struct PositionMap<V> {
    /// The position of `slots[0]`.
    pub(super) base: u64,
    /// One per position from `base` on; the first is always filled.
    pub(super) slots: VecDeque<Option<V>>,
    pub(super) len: usize,
}

impl<V> Default for PositionMap<V> {
    fn default() -> Self {
        PositionMap {
            base: 0,
            slots: VecDeque::new(),
            len: 0,
        }
    }
}

impl<V> PositionMap<V> {
    pub(super) fn index(&self, key: GlobalPosition) -> Option<usize> {
        usize::try_from(key.0.checked_sub(self.base)?).ok()
    }

    /// Sets a key's value, returning the one it replaces.
    pub fn insert(&mut self, key: GlobalPosition, value: V) -> Option<V> {
        if self.slots.is_empty() {
            self.base = key.0;
        }
        while key.0 < self.base {
            self.slots.push_front(None);
            self.base -= 1;
        }
        let index = self.index(key)?;
        if index == self.slots.len() {
            // The common case: the next position.
            self.slots.push_back(Some(value));
            self.len += 1;
            return None;
        }
        if index > self.slots.len() {
            self.slots.resize_with(index + 1, || None);
        }
        let old = self.slots.get_mut(index)?.replace(value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// A key's value.
    pub fn get(&self, key: GlobalPosition) -> Option<&V> {
        self.slots.get(self.index(key)?)?.as_ref()
    }

    /// A key's value, to change.
    pub fn get_mut(&mut self, key: GlobalPosition) -> Option<&mut V> {
        let index = self.index(key)?;
        self.slots.get_mut(index)?.as_mut()
    }

    /// True when the key has a value.
    pub fn contains_key(&self, key: GlobalPosition) -> bool {
        self.get(key).is_some()
    }

    /// Removes a key, returning its value.
    pub fn remove(&mut self, key: GlobalPosition) -> Option<V> {
        let index = self.index(key)?;
        let old = self.slots.get_mut(index)?.take();
        if old.is_some() {
            self.len -= 1;
        }
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        old
    }

    /// The smallest key held.
    pub fn first_key(&self) -> Option<GlobalPosition> {
        self.slots.front().map(|_| GlobalPosition(self.base))
    }

    /// Keys after `after`, in order.
    pub fn keys_after(&self, after: GlobalPosition) -> impl Iterator<Item = GlobalPosition> + '_ {
        let skip = after
            .0
            .saturating_add(1)
            .saturating_sub(self.base)
            .try_into()
            .unwrap_or(usize::MAX);
        self.slots
            .iter()
            .enumerate()
            .skip(skip)
            .filter(|(_, slot)| slot.is_some())
            .map(|(i, _)| GlobalPosition(self.base + i as u64))
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.len = 0;
    }
}
