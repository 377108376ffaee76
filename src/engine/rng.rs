//! The simulation's one source of randomness: a seeded, portable ChaCha generator, with
//! integer-only helpers so native and wasm32 runs draw exactly the same numbers.

use chacha20::rand_core::{Rng, SeedableRng};
use chacha20::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A probability as parts per million (0 = never, 1_000_000 = always). Never a float.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PerMillion(pub u32);

impl PerMillion {
    /// Never.
    pub const NEVER: PerMillion = PerMillion(0);
    /// Always.
    pub const ALWAYS: PerMillion = PerMillion(1_000_000);

    /// A whole percentage, clamped to 0–100.
    pub fn percent(percent: u32) -> Self {
        PerMillion(percent.min(100) * 10_000)
    }
}

/// The seeded generator the scheduler owns and lends to components.
#[derive(Debug)]
pub struct SimRng(ChaCha8Rng);

/// A copy that goes on drawing exactly the numbers the original would (an engine is
/// cloned to fork a run). The generator has no `Clone` of its own: copy its state.
impl Clone for SimRng {
    fn clone(&self) -> Self {
        SimRng(ChaCha8Rng::deserialize_state(&self.0.serialize_state()))
    }
}

impl SimRng {
    /// A generator for this seed.
    pub fn seeded(seed: u64) -> Self {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform draw from `0..n` (0 when `n` is 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's widening multiply, rejecting the few draws that would bias low values.
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.0.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// A uniform draw from `low..=high` (`low` when the range is empty).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        low + self.below(high - low + 1)
    }

    /// True with the given probability.
    pub fn chance(&mut self, probability: PerMillion) -> bool {
        match probability.0 {
            0 => false,
            p if p >= PerMillion::ALWAYS.0 => true,
            p => self.below(u64::from(PerMillion::ALWAYS.0)) < u64::from(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let draws = |seed| {
            let mut rng = SimRng::seeded(seed);
            (0..8).map(|_| rng.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = SimRng::seeded(1);
        for _ in 0..10_000 {
            assert!(rng.below(3) < 3);
            assert!((5..=9).contains(&rng.between(5, 9)));
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.between(4, 4), 4);
    }

    #[test]
    fn chance_respects_never_and_always_and_is_near_its_rate() {
        let mut rng = SimRng::seeded(2);
        assert!(!rng.chance(PerMillion::NEVER));
        assert!(rng.chance(PerMillion::ALWAYS));
        let hits = (0..100_000)
            .filter(|_| rng.chance(PerMillion::percent(30)))
            .count();
        assert!((28_000..32_000).contains(&hits), "{hits}");
    }
}

#[cfg(test)]
mod clone_tests {
    use super::*;

    #[test]
    fn a_clone_draws_what_the_original_would() {
        let mut rng = SimRng::seeded(3);
        for _ in 0..5 {
            rng.below(1000);
        }
        let mut copy = rng.clone();
        let a: Vec<u64> = (0..40).map(|_| rng.below(1 << 40)).collect();
        let b: Vec<u64> = (0..40).map(|_| copy.below(1 << 40)).collect();
        assert_eq!(a, b);
    }
}
