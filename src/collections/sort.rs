//! One small in-place sort for the whole core.
//!
//! The standard library's sorts are fast, but each element type sorted gets kilobytes
//! of code of its own in the page's wasm. This heapsort is a few hundred bytes per type:
//! O(n log n) comparisons, no allocation, not stable (give a tie-breaker when order
//! among equals matters).

/// Sorts `items` so that no item is `less` than one before it.
pub fn sort_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let len = items.len();
    // A max-heap first; then the largest goes to the end, one at a time.
    for node in (0..len / 2).rev() {
        sift_down(items, node, len, &mut less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &mut less);
    }
}

/// Sorts `items` by the key each has.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a) < key(b));
}

/// Sorts `items` in their own order.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, |a, b| a < b);
}

/// Moves `items[node]` down the heap held in `items[..end]` until neither child is
/// greater.
fn sift_down<T>(
    items: &mut [T],
    mut node: usize,
    end: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[node], &items[child]) {
            return;
        }
        items.swap(node, child);
        node = child;
    }
}
