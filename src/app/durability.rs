//! How safe the stored log is from the browser itself: persistent storage (kept until
//! the user deletes it) or best effort (the browser may evict it under storage
//! pressure), and what the origin uses against its quota, in words.

/// What the browser said about the store's storage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durability {
    /// Kept from eviction (`None`: the browser did not say).
    pub persisted: Option<bool>,
    /// Bytes in use and the most the origin may use, when the browser says.
    pub usage: Option<(u64, u64)>,
    /// True once this page asked the browser to keep the store.
    pub asked: bool,
}

/// Appended events between two readings of the usage.
pub const READ_EVERY: u64 = 100;

impl Durability {
    /// The storage line's words.
    pub fn describe(&self) -> String {
        // Not granted (or not said) is best effort, asked or not.
        let kind = if self.persisted == Some(true) {
            "Persistent storage: kept until you delete it."
        } else {
            "Best effort: the browser may evict the log under pressure — export to keep a copy."
        };
        match self.usage {
            Some((usage, quota)) => format!("{kind} Using {} of {}.", bytes(usage), bytes(quota)),
            None => kind.to_owned(),
        }
    }

    /// True when the page should ask for persistent storage now: after an append, once,
    /// unless it is persistent already.
    pub fn should_ask(&self) -> bool {
        !self.asked && self.persisted != Some(true)
    }
}

/// A byte count for people: "812 KB", "1.2 MB", "286 GB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
