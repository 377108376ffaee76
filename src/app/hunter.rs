//! The counterexample hunter: runs many seeds of the workbench's configuration, each with
//! a generated command script from several clients, on the in-memory simulation; stops at
//! the first run where an invariant breaks (a read model differs from the fold of the
//! store once everything is delivered, or an order is paid twice); then shrinks the fault
//! knobs and the script to a small case that still fails, ready to load and step through.
//!
//! It works in slices (`work(runs)`), so the page can run it between frames, show its
//! progress and cancel it. Pure and deterministic: the same configuration, first seed and
//! budget find and shrink to the same case.

pub use super::hunter_script::script_for;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::OrderId;
use crate::domain::order::OrderEvent;
use crate::engine::config::page_config;
use crate::engine::config::{EngineConfig, ProjectionMode};
use crate::engine::knobs::{Knobs, Lag};
use crate::engine::script::ScriptedCommand;
use crate::engine::sim::Simulation;
use crate::engine::Engine;
use crate::store::ProjectionName;

/// Most tasks one run may take before it counts as runaway (far above any script here).
const MAX_STEPS: u64 = 200_000;
/// Seeds each simpler case is tried with while shrinking.
const RESEEDS: u64 = 8;

/// The engine configuration of the workbench with these knobs and this seed.
pub fn config_of(knobs: &Knobs, seed: u64) -> EngineConfig {
    let mut config = EngineConfig {
        seed,
        ..page_config()
    };
    knobs.configure(&mut config);
    config
}

/// Runs a script to the end and says which invariant broke, if any.
pub fn broken(knobs: &Knobs, seed: u64, script: &[ScriptedCommand]) -> Option<String> {
    let mut sim = Simulation::new(Engine::new(config_of(knobs, seed), script.to_vec()));
    sim.run_to_idle(MAX_STEPS);
    let events = sim.store.events();
    // Each order paid, in the order first paid, with how many times (few orders: a list).
    let mut paid: Vec<(&OrderId, u32)> = Vec::new();
    for e in events {
        if !matches!(e.event, OrderEvent::PaymentReceived { .. }) {
            continue;
        }
        match paid.iter_mut().find(|(order, _)| **order == e.stream_id) {
            Some((_, n)) => *n += 1,
            None => paid.push((&e.stream_id, 1)),
        }
    }
    if let Some((order, n)) = paid.iter().find(|(_, n)| *n > 1) {
        return Some(format!("order {order} was paid {n} times"));
    }
    let head = sim.store.head();
    for name in ProjectionName::ALL {
        let Some(p) = sim.engine.projection(name) else {
            continue;
        };
        if let Some(w) = p.divergence(events).first() {
            let show = |row: &Option<String>| row.clone().unwrap_or_else(|| "no row".into());
            return Some(format!(
                "{}: row {} reads “{}” but the store says “{}”",
                name.title(),
                w.key,
                show(&w.actual),
                show(&w.expected)
            ));
        }
        if p.checkpoint() < head {
            let dead = sim
                .engine
                .event_bus()
                .dead_letters()
                .iter()
                .filter(|d| d.message.subscription == name)
                .count();
            return Some(format!(
                "{}: never caught up — it applied up to position {} of {} ({})",
                name.title(),
                p.checkpoint().0,
                head.0,
                if dead > 0 {
                    format!("{dead} message(s) dead-lettered")
                } else {
                    "events never delivered".to_owned()
                }
            ));
        }
    }
    None
}

/// A failing case: run `script` with `faults` and `seed` and `broken` says what breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The seed.
    pub seed: u64,
    /// The knobs.
    pub knobs: Knobs,
    /// The commands.
    pub script: Vec<ScriptedCommand>,
    /// What broke.
    pub broken: String,
}

/// The knobs, each made harmless, in the order the shrinker tries them. Each change
/// only ever goes one way (towards no fault), so shrinking ends.
fn simpler_knobs(f: &Knobs) -> Vec<Knobs> {
    let mut out = Vec::new();
    let mut put = |g: Knobs| {
        if g != *f {
            out.push(g);
        }
    };
    put(Knobs {
        reorder: false,
        ..*f
    });
    put(Knobs {
        lag: Lag::None,
        ..*f
    });
    put(Knobs { outbox: true, ..*f });
    put(Knobs {
        failing: None,
        ..*f
    });
    put(Knobs {
        upcaster: true,
        ..*f
    });
    put(Knobs {
        schema_v2: false,
        ..*f
    });
    for (i, _) in ProjectionName::ALL.iter().enumerate() {
        let mut modes = f.modes;
        modes[i] = ProjectionMode::Idempotent;
        put(Knobs { modes, ..*f });
    }
    for percent in [0, 1, 5, 10, 25, 50] {
        if percent < f.duplicate_percent {
            put(Knobs {
                duplicate_percent: percent,
                ..*f
            });
        }
    }
    out
}

/// Where the hunt is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Trying seeds.
    Searching,
    /// Found `first` (as found); shrinking it.
    Shrinking {
        /// The case as found.
        first: Box<Case>,
    },
    /// Done: the case as found and as shrunk.
    Found {
        /// As found.
        first: Box<Case>,
        /// As shrunk.
        shrunk: Box<Case>,
    },
    /// Every seed passed.
    Passed,
}

/// A hunt in progress.
#[derive(Debug, Clone)]
pub struct Hunt {
    knobs: Knobs,
    first_seed: u64,
    seeds: u64,
    tried: u64,
    runs: u64,
    phase: Phase,
    best: Option<Case>,
    /// The chunk size and position of the script pass.
    cut: Option<(usize, usize)>,
    cut_done: bool,
    knob: usize,
}

impl Hunt {
    /// A hunt over `seeds` seeds from `first_seed`, with these knobs.
    pub fn new(knobs: Knobs, first_seed: u64, seeds: u64) -> Self {
        Hunt {
            knobs,
            first_seed,
            seeds: seeds.max(1),
            tried: 0,
            runs: 0,
            phase: Phase::Searching,
            best: None,
            cut: None,
            cut_done: false,
            knob: 0,
        }
    }

    /// Where it is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Seeds tried, of how many.
    pub fn progress(&self) -> (u64, u64) {
        (self.tried, self.seeds)
    }

    /// Runs made (searching and shrinking).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// The smallest failing case so far (while shrinking, and once found).
    pub fn best(&self) -> Option<&Case> {
        self.best.as_ref()
    }

    /// True once it found and shrunk a case, or passed every seed.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Found { .. } | Phase::Passed)
    }

    /// Does up to `budget` runs, then returns (call again until `is_done`).
    pub fn work(&mut self, budget: u32) {
        for _ in 0..budget {
            match &self.phase {
                Phase::Searching => self.search_one(),
                Phase::Shrinking { .. } => self.shrink_one(),
                Phase::Found { .. } | Phase::Passed => return,
            }
        }
    }

    fn search_one(&mut self) {
        if self.tried >= self.seeds {
            self.phase = Phase::Passed;
            return;
        }
        let seed = self.first_seed.wrapping_add(self.tried);
        self.tried += 1;
        self.runs += 1;
        let script = script_for(seed);
        if let Some(broken) = broken(&self.knobs, seed, &script) {
            let case = Case {
                seed,
                knobs: self.knobs,
                script,
                broken,
            };
            self.best = Some(case.clone());
            self.phase = Phase::Shrinking {
                first: Box::new(case),
            };
        }
    }

    /// Tries one simpler case; keeps it if it still fails.
    fn shrink_one(&mut self) {
        let Some(best) = self.best.clone() else {
            self.phase = Phase::Passed;
            return;
        };
        // First the script (while the faults are as strong as found), then the knobs.
        let cut = if self.cut_done {
            None
        } else {
            self.next_cut(&best)
        };
        let cutting = cut.is_some();
        self.cut_done = !cutting;
        let candidate = cut.or_else(|| {
            simpler_knobs(&best.knobs)
                .into_iter()
                .nth(self.knob)
                .map(|knobs| Case {
                    knobs,
                    ..best.clone()
                })
        });
        let Some(candidate) = candidate else {
            if let Phase::Shrinking { first } = &self.phase {
                self.phase = Phase::Found {
                    first: first.clone(),
                    shrunk: Box::new(best),
                };
            }
            return;
        };
        // A shorter script or a milder knob draws the fault dice differently: the failure
        // may stay under a nearby seed instead (the case carries its seed: it replays).
        let found = (0..RESEEDS).find_map(|i| {
            let seed = candidate.seed.wrapping_add(i);
            self.runs += 1;
            broken(&candidate.knobs, seed, &candidate.script).map(|why| (seed, why))
        });
        match found {
            Some((seed, why)) => {
                // Simpler and still failing: keep it, and try this kind of cut again.
                self.best = Some(Case {
                    seed,
                    broken: why,
                    ..candidate
                });
            }
            None => match self.cut {
                Some((size, at)) if cutting => self.cut = Some((size, at + size)),
                _ => self.knob += 1,
            },
        }
    }

    /// The next script without one chunk: halves, then quarters… then single commands.
    fn next_cut(&mut self, best: &Case) -> Option<Case> {
        let len = best.script.len();
        let (mut size, mut at) = self.cut.unwrap_or(((len / 2).max(1), 0));
        loop {
            if len <= 1 || size == 0 {
                return None;
            }
            if at >= len {
                if size == 1 {
                    return None;
                }
                size /= 2;
                at = 0;
                continue;
            }
            self.cut = Some((size, at));
            let mut script = best.script.clone();
            script.drain(at..(at + size).min(len));
            return Some(Case {
                script,
                ..best.clone()
            });
        }
    }
}

/// The events of a run of `case`, to check it by hand (tests, the closing note).
pub fn run_case(case: &Case) -> Vec<SharedEvent> {
    let mut sim = Simulation::new(Engine::new(
        config_of(&case.knobs, case.seed),
        case.script.clone(),
    ));
    sim.run_to_idle(MAX_STEPS);
    sim.store.events().to_vec()
}

/// The knobs that differ from a sound setup, in words (what a failing case needs).
pub fn describe_knobs(f: &Knobs) -> String {
    let mut parts = Vec::new();
    if f.duplicate_percent > 0 {
        parts.push(format!("{} % duplicate deliveries", f.duplicate_percent));
    }
    if f.lag != Lag::None {
        parts.push(format!("lag {}", f.lag.label().to_ascii_lowercase()));
    }
    if f.reorder {
        parts.push("reordering across partitions".to_owned());
    }
    if !f.outbox {
        parts.push("no outbox".to_owned());
    }
    if let Some(name) = f.failing {
        parts.push(format!("{} failing", name.title()));
    }
    let naive: Vec<&str> = ProjectionName::ALL
        .iter()
        .zip(f.modes)
        .filter(|(_, m)| *m == ProjectionMode::Naive)
        .map(|(n, _)| n.title())
        .collect();
    if !naive.is_empty() {
        parts.push(format!("naive {}", naive.join(", ")));
    }
    if f.schema_v2 {
        parts.push(format!(
            "schema v2 {}",
            if f.upcaster {
                "with the upcaster"
            } else {
                "without the upcaster"
            }
        ));
    }
    if parts.is_empty() {
        "no faults".to_owned()
    } else {
        parts.join(", ")
    }
}
