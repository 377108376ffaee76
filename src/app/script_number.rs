//! The number "Run script" takes: the first whose orders (`burst<n>-a`, `burst<n>-b`)
//! the stored log does not hold. A page starts counting at 1 again after a reload, and
//! the log may hold the orders of many earlier scripts: numbers are used in order, so
//! the used ones form a run, found by doubling past it and halving back (a few reads of
//! the store for any log). Sans-IO: the caller reads the store for each number asked.

/// A search for the first free script number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSearch {
    /// A number known to be used (or the one before where the search started).
    used: u64,
    /// A number known to be free, once one is.
    free: Option<u64>,
    /// How far past `used` the next probe goes while no free number is known.
    step: u64,
}

impl ScriptSearch {
    /// Starts at `from` (at least 1): the number the session would take next.
    pub fn from(from: u64) -> Self {
        ScriptSearch {
            used: from.max(1) - 1,
            free: None,
            step: 1,
        }
    }

    /// The number to look up next, or `None` when `found` has the answer.
    pub fn probe(&self) -> Option<u64> {
        match self.free {
            None => Some(self.used.saturating_add(self.step)),
            Some(free) if free - self.used > 1 => Some(self.used + (free - self.used) / 2),
            Some(_) => None,
        }
    }

    /// Says whether the number `probe` gave is used (the log holds either order).
    pub fn answer(&mut self, number: u64, used: bool) {
        if used {
            self.used = number;
            if self.free.is_none() {
                self.step = self.step.saturating_mul(2);
            }
            // Past u64::MAX / 2 nothing is left to double into: the last number is
            // taken as free (no log gets near it).
            if number == u64::MAX {
                self.free = Some(u64::MAX);
                self.used = u64::MAX - 1;
            }
        } else {
            self.free = Some(number);
        }
    }

    /// The free number found; `None` while `probe` still asks.
    pub fn found(&self) -> Option<u64> {
        self.probe().is_none().then_some(self.free).flatten()
    }
}
