//! The simulation's clock as the user controls it: playing or paused, how fast virtual
//! time runs against real time, and the seed its faults are drawn from.

use crate::domain::ids::VirtualMillis;

/// The speeds the "Speed" slider offers: virtual milliseconds per real millisecond.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 200.0];
/// 1×: virtual time runs as fast as real time.
pub const REAL_TIME: usize = 3;
/// Most real time one frame may advance the clock by (a background tab's long pause
/// does not become one huge jump).
pub const MAX_FRAME_MS: f64 = 100.0;
/// How long, in real milliseconds, a hop stays on the diagram as a moving pulse.
pub const PULSE_REAL_MS: f64 = 600.0;
/// The same in presenter mode: long enough for a room to follow each hop.
pub const PRESENTER_PULSE_REAL_MS: f64 = 1_600.0;

/// Playing or paused, the speed and the seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SimClock {
    /// True while virtual time runs.
    pub playing: bool,
    /// Index into `SPEEDS`.
    pub speed: usize,
    /// The seed faults are drawn from.
    pub seed: u64,
    /// The seed field's text (kept as typed, even when invalid).
    pub seed_text: String,
    /// Why the seed field's text is not a seed.
    pub seed_error: Option<String>,
    /// Virtual time now, as last reported by the engine.
    pub now: VirtualMillis,
    /// What the last Step did when it could not run anything.
    pub note: Option<String>,
}

/// What Step says when nothing is scheduled (`deferred`: deliveries set aside).
pub fn nothing_to_step(deferred: u64) -> String {
    match deferred {
        0 => "Nothing to step: every command and delivery has been handled. Send a command or run a script first.".into(),
        n => format!("Nothing to step: nothing is scheduled, but {n} deferred deliveries wait for earlier events (Rebuild or Resubmit brings them)."),
    }
}

impl Default for SimClock {
    fn default() -> Self {
        SimClock {
            playing: true,
            speed: REAL_TIME,
            seed: 1,
            seed_text: "1".into(),
            seed_error: None,
            now: VirtualMillis(0),
            note: None,
        }
    }
}

impl SimClock {
    /// Virtual milliseconds per real millisecond.
    pub fn factor(&self) -> f64 {
        SPEEDS.get(self.speed).copied().unwrap_or(1.0)
    }

    /// The virtual time one frame of `real_ms` moves the clock by (0 when paused).
    pub fn advance(&self, real_ms: f64) -> VirtualMillis {
        if !self.playing || !real_ms.is_finite() || real_ms <= 0.0 {
            return VirtualMillis(0);
        }
        VirtualMillis((real_ms.min(MAX_FRAME_MS) * self.factor()).round() as u64)
    }

    /// How long, in virtual ms, a hop stays on the diagram at this speed (longer in
    /// presenter mode).
    pub fn pulse_window(&self, presenter: bool) -> VirtualMillis {
        let real = if presenter {
            PRESENTER_PULSE_REAL_MS
        } else {
            PULSE_REAL_MS
        };
        VirtualMillis((real * self.factor()).round().max(1.0) as u64)
    }

    /// The speed for people: "1× real time", "0.1× (slow motion)", "50× faster".
    pub fn speed_label(&self) -> String {
        let factor = self.factor();
        let number = if factor < 1.0 {
            format!("{factor}×")
        } else {
            format!("{factor:.0}×")
        };
        if factor < 1.0 {
            format!("{number} (slow motion)")
        } else if self.speed == REAL_TIME {
            format!("{number} real time")
        } else {
            format!("{number} faster than real time")
        }
    }

    /// Picks a speed by slider position (clamped to the slider's range).
    pub fn set_speed(&mut self, index: usize) {
        self.speed = index.min(SPEEDS.len() - 1);
    }

    /// Reads the seed field: digits only, up to 2^64 − 1. Returns the new seed when
    /// the text is one.
    pub fn set_seed_text(&mut self, text: String) -> Option<u64> {
        let parsed = text.trim().parse::<u64>();
        self.seed_text = text;
        match parsed {
            Ok(seed) => {
                self.seed = seed;
                self.seed_error = None;
                Some(seed)
            }
            Err(_) => {
                self.seed_error =
                    Some("Seed must be a whole number from 0 to 18446744073709551615.".into());
                None
            }
        }
    }
}
