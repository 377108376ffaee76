//! Lookup tables for the core. `std`'s default hasher is seeded at random per process;
//! these use a fixed one (rustc's Fx hash), so a run does the same work every time.
//!
//! Their iteration order is *not* meaningful: the hash is word-sized, so it differs
//! between wasm32 and 64-bit hosts. Only look things up in them; whatever shows,
//! compares or folds their contents in order must sort first (or use a `BTreeMap`).

/// A map used only for lookups by key.
pub type LookupMap<K, V> = rustc_hash::FxHashMap<K, V>;

mod list_map;
mod place_index;
mod position_map;
pub mod sort;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use list_map::ListMap;
pub use place_index::PlaceIndex;
pub use position_map::PositionMap;
