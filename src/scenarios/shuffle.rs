//! The order a quiz attempt shows a question's choices in: a permutation drawn from the
//! attempt's seed (kept with the study progress, so an attempt reads the same after a
//! reload) and the question's place. The library lists the right answer anywhere; what
//! a student sees is this order, never the library's.

/// splitmix64's step: neighbouring inputs give unrelated outputs.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The displayed order of the `n` choices of question `question` in the attempt `seed`:
/// the library's index of each choice shown, first to last.
pub fn choice_order(seed: u64, question: usize, n: usize) -> Vec<usize> {
    permutation(mix(seed ^ mix(question as u64)), n)
}

/// A permutation of `0..n` drawn from `seed` (a Fisher–Yates shuffle; the modulo's bias
/// is below 10⁻¹⁵ for n up to a few hundred).
pub fn permutation(seed: u64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        state = mix(state);
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}
