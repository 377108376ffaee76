//! Lookup tables for the core. `std`'s default hasher is seeded at random per process;
//! these use a fixed one (rustc's Fx hash), so a run does the same work every time.
//!
//! Their iteration order is *not* meaningful: the hash is word-sized, so it differs
//! between wasm32 and 64-bit hosts. Only look things up in them; whatever shows,
//! compares or folds their contents in order must sort first (or use a `BTreeMap`).

/// A map used only for lookups by key.
pub type LookupMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A map for tables that grow with the run (a store's saved read-model rows): the
/// entries sit in a list in the order they came, and an index of 8-byte slots, each
/// holding 32 bits of a key's hash and the key's place in the list, leads to them
/// (`PlaceIndex`). A lookup reads one run of neighbouring slots (open addressing,
/// linear probing, at most half full), usually one cache line, and growing the index
/// moves slots, not entries, without hashing any key again. Iteration follows the list:
/// insertion order.
#[derive(Debug, Clone)]
pub struct ListMap<K, V> {
    index: PlaceIndex,
    entries: Vec<(K, V)>,
}

impl<K, V> Default for ListMap<K, V> {
    fn default() -> Self {
        ListMap {
            index: PlaceIndex::default(),
            entries: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq, V> ListMap<K, V> {
    fn hash_bits(key: &K) -> u32 {
        PlaceIndex::hash_bits(key)
    }

    fn place(&self, key: &K, hash_bits: u32) -> Option<usize> {
        let entries = &self.entries;
        let same = |place: usize| entries.get(place).is_some_and(|(k, _)| k == key);
        if let Some(place) = self.index.find(hash_bits, same) {
            return Some(place);
        }
        // Places past what the slots can name (4 billion entries: never reached in
        // practice) are searched one by one.
        let unnamed = entries.get(PlaceIndex::MAX_PLACES..)?;
        let found = unnamed.iter().position(|(k, _)| k == key)?;
        Some(PlaceIndex::MAX_PLACES + found)
    }

    /// The value of a key.
    pub fn get(&self, key: &K) -> Option<&V> {
        let place = self.place(key, Self::hash_bits(key))?;
        self.entries.get(place).map(|(_, v)| v)
    }

    /// The value of a key, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let place = self.place(key, Self::hash_bits(key))?;
        self.entries.get_mut(place).map(|(_, v)| v)
    }

    /// True when the key is in the map.
    pub fn contains_key(&self, key: &K) -> bool {
        self.place(key, Self::hash_bits(key)).is_some()
    }

    /// Sets a key's value (in its place, when the key is held): the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash_bits = Self::hash_bits(&key);
        if let Some((_, held)) = self
            .place(&key, hash_bits)
            .and_then(|place| self.entries.get_mut(place))
        {
            return Some(std::mem::replace(held, value));
        }
        self.push(key, value, hash_bits);
        None
    }

    fn push(&mut self, key: K, value: V, hash_bits: u32) {
        self.index.add(hash_bits, self.entries.len());
        self.entries.push((key, value));
    }
}

impl<K, V> ListMap<K, V> {
    /// Every key and value, in the order the keys came.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
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
        self.index.clear();
        self.entries.clear();
    }
}

/// An index from keys to their places in a list kept elsewhere (`ListMap`'s entries,
/// or a store's log for the command ids its events name), built so that looking up a
/// key that is not there (a new command id, a new row: the common case) reads only
/// memory that stays in cache:
/// - `recent`: the latest places, in a small table;
/// - `main`: every older place, in a table that outgrows the cache;
/// - `filter`: a Bloom filter of `main`'s hash bits (a sixteenth of `main`'s size): a
///   key it has not seen is not in `main`, so `main` is read only for keys that are
///   there (and a few percent of others).
///
/// When `recent` fills, its places move to `main` together, the lines they land on read
/// first, so that those cache misses overlap instead of each waiting for the last.
///
/// It holds only places and 32 bits of each key's hash: the caller tells whether the key
/// at a place is the one sought. Places from `MAX_PLACES` on are not held.
#[derive(Debug, Clone, Default)]
pub struct PlaceIndex {
    main: Slots,
    recent: Slots,
    filter: Filter,
    /// The slots moving from `recent` to `main` (kept for its room).
    moving: Vec<u64>,
}

impl PlaceIndex {
    /// How many places `recent` holds before they move to `main`.
    const RECENT: usize = 1024;

    /// Places from here on are not held (the slots name 4 billion).
    pub const MAX_PLACES: usize = Slots::MAX_PLACES;

    /// The 32 bits of a key's hash that lead to it.
    pub fn hash_bits<K: std::hash::Hash + ?Sized>(key: &K) -> u32 {
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, key);
        (hash >> 32) as u32 ^ hash as u32
    }

    /// The first place added with these hash bits that `same` accepts.
    pub fn find(&self, hash_bits: u32, mut same: impl FnMut(usize) -> bool) -> Option<usize> {
        if let Some(place) = self.recent.find(hash_bits, &mut same) {
            return Some(place);
        }
        if !self.filter.may_hold(hash_bits) {
            return None;
        }
        self.main.find(hash_bits, same)
    }

    /// Adds the place of a key with these hash bits.
    pub fn add(&mut self, hash_bits: u32, place: usize) {
        let Some(slot) = Slots::slot(hash_bits, place) else {
            return;
        };
        self.recent.add(slot);
        if self.recent.used >= Self::RECENT {
            self.move_recent();
        }
    }

    fn move_recent(&mut self) {
        self.moving.clear();
        self.moving
            .extend(self.recent.slots.iter().copied().filter(|s| *s != 0));
        self.recent.clear();
        if self.main.reserve(self.moving.len()) {
            self.filter.rebuild(&self.main);
        }
        // First read where each slot lands: the reads do not wait for one another, so
        // their cache misses overlap, and the writes below find the lines in cache.
        let touched = self.moving.iter().fold(0, |acc, slot| {
            let at = self.main.start(Slots::hash_bits(*slot));
            acc ^ self.main.slots.get(at).copied().unwrap_or(0)
        });
        std::hint::black_box(touched);
        for slot in self.moving.drain(..) {
            self.main.put(slot);
            self.main.used += 1;
            self.filter.set(Slots::hash_bits(slot));
        }
    }

    /// Forgets every place (keeping the room).
    pub fn clear(&mut self) {
        self.main.clear();
        self.recent.clear();
        self.filter.clear();
    }
}

/// A table of a power-of-two number of 8-byte slots, each 0 (empty) or a key's 32 hash
/// bits (high half) and its place + 1 (low half), at most half full. Keys with the same
/// bits take separate slots; a lookup checks each slot whose bits match, from where the
/// bits lead, until it meets an empty one (linear probing).
#[derive(Debug, Clone, Default)]
struct Slots {
    slots: Vec<u64>,
    used: usize,
}

impl Slots {
    /// Places from here on are not in the table (the low half holds place + 1).
    const MAX_PLACES: usize = u32::MAX as usize - 1;

    /// The slot of a place, if the table can name it.
    fn slot(hash_bits: u32, place: usize) -> Option<u64> {
        let low = u32::try_from(place + 1)
            .ok()
            .filter(|_| place < Self::MAX_PLACES)?;
        Some(u64::from(hash_bits) << 32 | u64::from(low))
    }

    fn hash_bits(slot: u64) -> u32 {
        (slot >> 32) as u32
    }

    /// Where a key's run of slots starts: its bits spread over the table by a
    /// multiplication (Fibonacci hashing), so that nearby bits land apart.
    fn start(&self, hash_bits: u32) -> usize {
        let spread = u64::from(hash_bits).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        spread as usize & (self.slots.len().wrapping_sub(1))
    }

    /// The place of the first key with these bits that `same` accepts.
    fn find(&self, hash_bits: u32, mut same: impl FnMut(usize) -> bool) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = self.start(hash_bits);
        loop {
            let slot = self.slots.get(at).copied().unwrap_or(0);
            if slot == 0 {
                return None;
            }
            if Self::hash_bits(slot) == hash_bits {
                let place = (slot as u32 - 1) as usize;
                if same(place) {
                    return Some(place);
                }
            }
            at = (at + 1) & mask;
        }
    }

    fn add(&mut self, slot: u64) {
        self.reserve(1);
        self.put(slot);
        self.used += 1;
    }

    /// Makes room for `extra` more slots; true when the table grew.
    fn reserve(&mut self, extra: usize) -> bool {
        let mut size = self.slots.len().max(16);
        while (self.used + extra) * 2 > size {
            size *= 2;
        }
        if size == self.slots.len() {
            return false;
        }
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for slot in old.into_iter().filter(|s| *s != 0) {
            self.put(slot);
        }
        true
    }

    /// Writes a slot into the first empty one of its run (the table has room).
    fn put(&mut self, slot: u64) {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = self.start(Self::hash_bits(slot));
        while let Some(held) = self.slots.get_mut(at) {
            if *held == 0 {
                *held = slot;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Empties every slot, keeping the room.
    fn clear(&mut self) {
        self.slots.fill(0);
        self.used = 0;
    }
}

/// A blocked Bloom filter over 32-bit hash bits: each key sets 4 bits within one
/// cache-line block, so a query reads one line. Empty (and then holding everything)
/// while the table it covers is small enough to stay in cache.
#[derive(Debug, Clone, Default)]
struct Filter {
    blocks: Vec<Block>,
}

/// 512 bits on one cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Block([u64; 8]);

impl Filter {
    /// Tables of fewer slots (512 KB) go unfiltered.
    const FROM_SLOTS: usize = 1 << 16;
    /// Table slots per block: 4 bits a slot, so 8 to 16 bits a key at half to a quarter
    /// full (a few percent of absent keys pass).
    const SLOTS_PER_BLOCK: usize = 128;

    fn may_hold(&self, hash_bits: u32) -> bool {
        let Some(block) = self.block(hash_bits) else {
            return true;
        };
        Self::bits(hash_bits)
            .iter()
            .all(|&(word, bit)| block.0.get(word).is_some_and(|w| w & bit != 0))
    }

    fn set(&mut self, hash_bits: u32) {
        let bits = Self::bits(hash_bits);
        let Some(at) = self.block_index(hash_bits) else {
            return;
        };
        if let Some(block) = self.blocks.get_mut(at) {
            for (word, bit) in bits {
                if let Some(w) = block.0.get_mut(word) {
                    *w |= bit;
                }
            }
        }
    }

    fn block_index(&self, hash_bits: u32) -> Option<usize> {
        let mask = self.blocks.len().checked_sub(1)?;
        let spread = u64::from(hash_bits).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 32;
        Some(spread as usize & mask)
    }

    fn block(&self, hash_bits: u32) -> Option<&Block> {
        self.blocks.get(self.block_index(hash_bits)?)
    }

    /// The key's 4 bits in its block (word, mask), from bits of the hash other than
    /// those that chose the block.
    fn bits(hash_bits: u32) -> [(usize, u64); 4] {
        let mixed = u64::from(hash_bits).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        std::array::from_fn(|i| {
            let bit = (mixed >> (28 + 9 * i)) as usize & 511;
            (bit / 64, 1u64 << (bit % 64))
        })
    }

    /// Sized for `main` and filled from it (after it grew).
    fn rebuild(&mut self, main: &Slots) {
        self.blocks.clear();
        if main.slots.len() < Self::FROM_SLOTS {
            return;
        }
        self.blocks
            .resize(main.slots.len() / Self::SLOTS_PER_BLOCK, Block::default());
        for slot in main.slots.iter().filter(|s| **s != 0) {
            self.set(Slots::hash_bits(*slot));
        }
    }

    fn clear(&mut self) {
        self.blocks.fill(Block::default());
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
        map.insert(7, "seven");
        assert_eq!((map.get(&a), map.get(&b)), (Some(&"a"), Some(&"b")));
        assert_eq!(
            map.insert(a, "A"),
            Some("a"),
            "the first of the two replaced"
        );
        if let Some(v) = map.get_mut(&b) {
            *v = "B";
        }
        let all: Vec<(u64, &str)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(all, vec![(a, "A"), (b, "B"), (7, "seven")]);
        map.clear();
        assert!(map.is_empty() && map.get(&a).is_none());
        // The same with one key in the large table, behind its filter, and the other
        // among the latest.
        let (c, d) = (keys[2], keys[3]);
        let mut map = ListMap::default();
        map.insert(c, 0);
        for n in 0..200_000u64 {
            map.insert(u64::MAX - n, 1);
        }
        map.insert(d, 2);
        assert!(!map.index.filter.blocks.is_empty(), "a filter at this size");
        assert_eq!((map.get(&c), map.get(&d)), (Some(&0), Some(&2)));
        assert_eq!(map.insert(c, 3), Some(0));
        assert_eq!((map.get(&c), map.get(&d)), (Some(&3), Some(&2)));
    }

    #[test]
    fn a_list_map_finds_each_of_many_keys_as_its_table_grows() {
        let mut map = ListMap::default();
        for n in 0..100_000u64 {
            map.insert(n * 7, n);
            if n.is_power_of_two() {
                assert!((0..=n).all(|m| map.get(&(m * 7)) == Some(&m)), "after {n}");
            }
        }
        assert!((0..100_000u64).all(|n| map.get(&(n * 7)) == Some(&n)));
        assert!((0..100_000u64).all(|n| !map.contains_key(&(n * 7 + 1))));
        // The older keys sit behind the filter: it passes every one of them, and only a
        // few percent of absent keys.
        let passes = |n: &u64| map.index.filter.may_hold(ListMap::<u64, u64>::hash_bits(n));
        assert!(!map.index.filter.blocks.is_empty(), "a filter at this size");
        let older = 100_000 - map.index.recent.used as u64;
        assert!((0..older).map(|n| n * 7).all(|k| passes(&k)));
        let false_passes = (0..100_000u64).map(|n| n * 7 + 1).filter(passes).count();
        assert!(false_passes < 5_000, "{false_passes} absent keys passed");
        assert_eq!(map.insert(700, 0), Some(100), "a held key keeps its place");
        assert_eq!(map.iter().nth(100), Some((&700, &0)));
        map.clear();
        assert!(map.get(&0).is_none() && map.is_empty());
        map.insert(5, 5);
        assert_eq!(map.get(&5), Some(&5), "usable after clearing");
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
