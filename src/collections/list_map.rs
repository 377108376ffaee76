//! `ListMap`: entries in insertion order behind a `PlaceIndex`.

use super::PlaceIndex;

/// A map for tables that grow with the run (a store's saved read-model rows): the
/// entries sit in a list in the order they came, and an index of 8-byte slots, each
/// holding 32 bits of a key's hash and the key's place in the list, leads to them
/// (`PlaceIndex`). A lookup reads one run of neighbouring slots (open addressing,
/// linear probing, at most half full), usually one cache line, and growing the index
/// moves slots, not entries, without hashing any key again. Iteration follows the list:
/// insertion order.
#[derive(Debug, Clone)]
pub struct ListMap<K, V> {
    pub(super) index: PlaceIndex,
    pub(super) entries: Vec<(K, V)>,
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
    pub(super) fn hash_bits(key: &K) -> u32 {
        PlaceIndex::hash_bits(key)
    }

    pub(super) fn place(&self, key: &K, hash_bits: u32) -> Option<usize> {
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

    pub(super) fn push(&mut self, key: K, value: V, hash_bits: u32) {
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
