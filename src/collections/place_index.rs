//! `PlaceIndex`: keys to places in a list kept elsewhere, through a small recent table,
//! a large main table and a Bloom filter over it.

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
    pub(super) main: Slots,
    pub(super) recent: Slots,
    pub(super) filter: Filter,
    /// The slots moving from `recent` to `main` (kept for its room).
    pub(super) moving: Vec<u64>,
}

impl PlaceIndex {
    /// How many places `recent` holds before they move to `main`.
    pub(super) const RECENT: usize = 1024;

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

    pub(super) fn move_recent(&mut self) {
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
pub(super) struct Slots {
    pub(super) slots: Vec<u64>,
    pub(super) used: usize,
}

impl Slots {
    /// Places from here on are not in the table (the low half holds place + 1).
    pub(super) const MAX_PLACES: usize = u32::MAX as usize - 1;

    /// The slot of a place, if the table can name it.
    pub(super) fn slot(hash_bits: u32, place: usize) -> Option<u64> {
        let low = u32::try_from(place + 1)
            .ok()
            .filter(|_| place < Self::MAX_PLACES)?;
        Some(u64::from(hash_bits) << 32 | u64::from(low))
    }

    pub(super) fn hash_bits(slot: u64) -> u32 {
        (slot >> 32) as u32
    }

    /// Where a key's run of slots starts: its bits spread over the table by a
    /// multiplication (Fibonacci hashing), so that nearby bits land apart.
    pub(super) fn start(&self, hash_bits: u32) -> usize {
        let spread = u64::from(hash_bits).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        spread as usize & (self.slots.len().wrapping_sub(1))
    }

    /// The place of the first key with these bits that `same` accepts.
    pub(super) fn find(
        &self,
        hash_bits: u32,
        mut same: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
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

    pub(super) fn add(&mut self, slot: u64) {
        self.reserve(1);
        self.put(slot);
        self.used += 1;
    }

    /// Makes room for `extra` more slots; true when the table grew.
    pub(super) fn reserve(&mut self, extra: usize) -> bool {
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
    pub(super) fn put(&mut self, slot: u64) {
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
    pub(super) fn clear(&mut self) {
        self.slots.fill(0);
        self.used = 0;
    }
}

/// A blocked Bloom filter over 32-bit hash bits: each key sets 4 bits within one
/// cache-line block, so a query reads one line. Empty (and then holding everything)
/// while the table it covers is small enough to stay in cache.
#[derive(Debug, Clone, Default)]
pub(super) struct Filter {
    pub(super) blocks: Vec<Block>,
}

/// 512 bits on one cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
pub(super) struct Block([u64; 8]);

impl Filter {
    /// Tables of fewer slots (512 KB) go unfiltered.
    pub(super) const FROM_SLOTS: usize = 1 << 16;
    /// Table slots per block: 4 bits a slot, so 8 to 16 bits a key at half to a quarter
    /// full (a few percent of absent keys pass).
    pub(super) const SLOTS_PER_BLOCK: usize = 128;

    pub(super) fn may_hold(&self, hash_bits: u32) -> bool {
        let Some(block) = self.block(hash_bits) else {
            return true;
        };
        Self::bits(hash_bits)
            .iter()
            .all(|&(word, bit)| block.0.get(word).is_some_and(|w| w & bit != 0))
    }

    pub(super) fn set(&mut self, hash_bits: u32) {
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

    pub(super) fn block_index(&self, hash_bits: u32) -> Option<usize> {
        let mask = self.blocks.len().checked_sub(1)?;
        let spread = u64::from(hash_bits).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 32;
        Some(spread as usize & mask)
    }

    pub(super) fn block(&self, hash_bits: u32) -> Option<&Block> {
        self.blocks.get(self.block_index(hash_bits)?)
    }

    /// The key's 4 bits in its block (word, mask), from bits of the hash other than
    /// those that chose the block.
    pub(super) fn bits(hash_bits: u32) -> [(usize, u64); 4] {
        let mixed = u64::from(hash_bits).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        std::array::from_fn(|i| {
            let bit = (mixed >> (28 + 9 * i)) as usize & 511;
            (bit / 64, 1u64 << (bit % 64))
        })
    }

    /// Sized for `main` and filled from it (after it grew).
    pub(super) fn rebuild(&mut self, main: &Slots) {
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

    pub(super) fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }
}
