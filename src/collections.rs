//! Lookup tables for the core. `std`'s default hasher is seeded at random per process;
//! these use a fixed one (rustc's Fx hash), so a run does the same work every time.
//!
//! Their iteration order is *not* meaningful: the hash is word-sized, so it differs
//! between wasm32 and 64-bit hosts. Only look things up in them; whatever shows,
//! compares or folds their contents in order must sort first (or use a `BTreeMap`).

/// A map used only for lookups by key.
pub type LookupMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A map for tables that grow with the run (a store's processed command ids, its saved
/// read-model rows): the entries sit in a list in the order they came, and 32 bits of
/// each key's hash lead to its place, 8 bytes a slot. Growing the table moves those
/// small slots, not the entries, and more of it stays in cache than a table of whole
/// entries would. Keys sharing their 32 bits (about 30 among 500,000) are chained
/// through the list, newest first. Iteration follows the list: insertion order.
#[derive(Debug, Clone)]
pub struct ListMap<K, V> {
    by_hash: LookupMap<u32, u32>,
    entries: Vec<ListEntry<K, V>>,
}

#[derive(Debug, Clone)]
struct ListEntry<K, V> {
    key: K,
    value: V,
    /// The place of the previous entry with the same hash bits, or `NO_ENTRY`.
    same_hash: u32,
}

/// No entry: the end of a chain (and the first place past what the table can name).
const NO_ENTRY: u32 = u32::MAX;

impl<K, V> Default for ListMap<K, V> {
    fn default() -> Self {
        ListMap {
            by_hash: LookupMap::default(),
            entries: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq, V> ListMap<K, V> {
    /// The 32 bits of a key's hash that lead to it.
    fn hash_bits(key: &K) -> u32 {
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, key);
        (hash >> 32) as u32 ^ hash as u32
    }

    fn place(&self, key: &K, hash_bits: u32) -> Option<usize> {
        let mut place = self.by_hash.get(&hash_bits).copied().unwrap_or(NO_ENTRY);
        while let Some(entry) = self.entries.get(place as usize) {
            if entry.key == *key {
                return Some(place as usize);
            }
            place = entry.same_hash;
        }
        // Places past what 32 bits can name (4 billion entries: never reached in
        // practice) are not in the table; they are searched one by one.
        let unnamed = self.entries.get(NO_ENTRY as usize..)?;
        let found = unnamed.iter().position(|e| e.key == *key)?;
        Some(NO_ENTRY as usize + found)
    }

    /// The value of a key.
    pub fn get(&self, key: &K) -> Option<&V> {
        let place = self.place(key, Self::hash_bits(key))?;
        self.entries.get(place).map(|e| &e.value)
    }

    /// The value of a key, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let place = self.place(key, Self::hash_bits(key))?;
        self.entries.get_mut(place).map(|e| &mut e.value)
    }

    /// True when the key is in the map.
    pub fn contains_key(&self, key: &K) -> bool {
        self.place(key, Self::hash_bits(key)).is_some()
    }

    /// Sets a key's value (in its place, when the key is held): the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash_bits = Self::hash_bits(&key);
        if let Some(entry) = self
            .place(&key, hash_bits)
            .and_then(|place| self.entries.get_mut(place))
        {
            return Some(std::mem::replace(&mut entry.value, value));
        }
        self.push(key, value, hash_bits);
        None
    }

    /// Adds a key the caller has just looked up and not found, without looking again.
    /// (Were it held after all, the new entry would hide the old one, as the newer of a
    /// chain is found first; `iter` would list both.)
    pub fn insert_absent(&mut self, key: K, value: V) {
        let hash_bits = Self::hash_bits(&key);
        debug_assert!(self.place(&key, hash_bits).is_none());
        self.push(key, value, hash_bits);
    }

    fn push(&mut self, key: K, value: V, hash_bits: u32) {
        let mut same_hash = NO_ENTRY;
        match u32::try_from(self.entries.len()) {
            Ok(place) if place != NO_ENTRY => {
                let head = self.by_hash.entry(hash_bits).or_insert(NO_ENTRY);
                same_hash = std::mem::replace(head, place);
            }
            _ => {}
        }
        self.entries.push(ListEntry {
            key,
            value,
            same_hash,
        });
    }
}

impl<K, V> ListMap<K, V> {
    /// Every key and value, in the order the keys came.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|e| (&e.key, &e.value))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every key (keeping the room).
    pub fn clear(&mut self) {
        self.by_hash.clear();
        self.entries.clear();
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

    /// Numbers whose 32 hash bits pair up (`[a, b, c, d, …]`: a and b share theirs, c
    /// and d theirs…), found once by search (the first pair is about 80,000 numbers in).
    fn colliding_keys() -> &'static [u64] {
        static KEYS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            let mut seen: LookupMap<u32, u64> = LookupMap::default();
            let mut pairs = Vec::new();
            for n in 0..50_000_000u64 {
                if let Some(earlier) = seen.insert(ListMap::<u64, ()>::hash_bits(&n), n) {
                    pairs.extend([earlier, n]);
                    if pairs.len() == 6 {
                        break;
                    }
                }
            }
            pairs
        })
    }

    #[test]
    fn keys_sharing_their_hash_bits_are_told_apart() {
        let keys = colliding_keys();
        assert_eq!(keys.len(), 6, "three pairs found");
        let (a, b) = (keys[0], keys[1]);
        assert_eq!(
            ListMap::<u64, ()>::hash_bits(&a),
            ListMap::<u64, ()>::hash_bits(&b)
        );
        let mut map = ListMap::default();
        assert_eq!(map.insert(a, "a"), None);
        assert_eq!(map.get(&b), None, "same bits, another key");
        assert_eq!(map.insert(b, "b"), None);
        map.insert_absent(7, "seven");
        assert_eq!((map.get(&a), map.get(&b)), (Some(&"a"), Some(&"b")));
        assert_eq!(
            map.insert(a, "A"),
            Some("a"),
            "the older of the chain replaced"
        );
        if let Some(v) = map.get_mut(&b) {
            *v = "B";
        }
        let all: Vec<(u64, &str)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(all, vec![(a, "A"), (b, "B"), (7, "seven")]);
        map.clear();
        assert!(map.is_empty() && map.get(&a).is_none());
    }

    proptest::proptest! {
        /// Inserts, changes and clears over a few keys, some of them sharing their hash
        /// bits: the map answers as a `BTreeMap` would, and lists keys in arrival order.
        #[test]
        fn a_list_map_behaves_as_a_map_in_arrival_order(
            ops in proptest::collection::vec((0u8..8, 0usize..12), 0..200)
        ) {
            let pool: Vec<u64> = colliding_keys().iter().copied().chain(0..6).collect();
            let mut map = ListMap::default();
            let mut model = BTreeMap::new();
            let mut arrival = Vec::new();
            for (i, (op, k)) in ops.into_iter().enumerate() {
                let key = pool[k % pool.len()];
                match op {
                    0..=3 => {
                        if !model.contains_key(&key) {
                            arrival.push(key);
                        }
                        proptest::prop_assert_eq!(map.insert(key, i), model.insert(key, i));
                    }
                    4 | 5 => {
                        if let Some(v) = map.get_mut(&key) {
                            *v += 1000;
                        }
                        if let Some(v) = model.get_mut(&key) {
                            *v += 1000;
                        }
                    }
                    6 if i % 5 == 0 => {
                        map.clear();
                        model.clear();
                        arrival.clear();
                    }
                    _ => {}
                }
                proptest::prop_assert_eq!(map.get(&key), model.get(&key));
                proptest::prop_assert_eq!(map.contains_key(&key), model.contains_key(&key));
                proptest::prop_assert_eq!(map.len(), model.len());
            }
            let listed: Vec<(u64, usize)> = map.iter().map(|(k, v)| (*k, *v)).collect();
            let expected: Vec<(u64, usize)> = arrival.iter().map(|k| (*k, model[k])).collect();
            proptest::prop_assert_eq!(listed, expected);
        }
    }

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
