//! Lookup tables for the core. `std`'s default hasher is seeded at random per process;
//! these use a fixed one (rustc's Fx hash), so a run does the same work every time.
//!
//! Their iteration order is *not* meaningful: the hash is word-sized, so it differs
//! between wasm32 and 64-bit hosts. Only look things up in them; whatever shows,
//! compares or folds their contents in order must sort first (or use a `BTreeMap`).

/// A map used only for lookups by key.
pub type LookupMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A `LookupMap` key with its hash worked out once. For tables that grow large with
/// keys that point elsewhere (ids' text): growing a table rehashes every key, which would
/// otherwise read each one's text from wherever it lies in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed<K> {
    hash: u64,
    key: K,
}

impl<K: std::hash::Hash> Hashed<K> {
    /// The key with its hash.
    pub fn new(key: K) -> Self {
        Hashed {
            hash: std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &key),
            key,
        }
    }
}

impl<K> Hashed<K> {
    /// The key.
    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K> std::hash::Hash for Hashed<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

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
    base: u64,
    /// One per position from `base` on; the first is always filled.
    slots: VecDeque<Option<V>>,
    len: usize,
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
    fn index(&self, key: GlobalPosition) -> Option<usize> {
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

// Property tests run natively only (proptest is not built for wasm).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    proptest::proptest! {
        /// Keys added mostly in order (some skipped, some going back), removed in any
        /// order: the map answers exactly as an ordered map would.
        #[test]
        fn a_position_map_behaves_as_an_ordered_map(
            ops in proptest::collection::vec((0u8..6, 0u64..40), 0..300)
        ) {
            let mut map = PositionMap::default();
            let mut model = BTreeMap::new();
            let mut next = 1;
            for (i, (op, n)) in ops.into_iter().enumerate() {
                match op {
                    0 | 1 => {
                        let key = if op == 0 { next } else { n + 1 };
                        next = next.max(key) + 1;
                        proptest::prop_assert_eq!(
                            map.insert(GlobalPosition(key), i),
                            model.insert(key, i)
                        );
                    }
                    2 => next += 1 + n % 3,
                    3 => {
                        if let Some(v) = map.get_mut(GlobalPosition(n)) {
                            *v += 1000;
                        }
                        if let Some(v) = model.get_mut(&n) {
                            *v += 1000;
                        }
                    }
                    _ => proptest::prop_assert_eq!(
                        map.remove(GlobalPosition(n)),
                        model.remove(&n)
                    ),
                }
                let after = n % (next + 1);
                let got: Vec<u64> = map.keys_after(GlobalPosition(after)).map(|p| p.0).collect();
                let want: Vec<u64> = model.range(after + 1..).map(|(k, _)| *k).collect();
                proptest::prop_assert_eq!(got, want);
                proptest::prop_assert_eq!(map.first_key().map(|p| p.0), model.keys().next().copied());
                proptest::prop_assert_eq!(map.len(), model.len());
                proptest::prop_assert_eq!(map.get(GlobalPosition(n)), model.get(&n));
                proptest::prop_assert_eq!(map.contains_key(GlobalPosition(n)), model.contains_key(&n));
            }
            map.clear();
            proptest::prop_assert!(map.is_empty() && map.first_key().is_none());
        }
    }
}
