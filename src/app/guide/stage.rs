//! The scenario page's stage: the step reached, the lab run to it (moving visibly when
//! going one step on), the time-travel slider, and the run beside it when comparing.

use crate::app::what_if::{what_ifs, Branch, Other, SagaWhatIf};
use crate::domain::ids::VirtualMillis;
use crate::scenarios::lab::Lab;
use crate::scenarios::library::Scenario;
use crate::scenarios::run::Run;

/// Real ms a step's motion takes on screen, whatever its virtual span.
pub const MOTION_MS: f64 = 1_600.0;
/// The same in presenter mode: slow enough for a room to follow each hop.
pub const PRESENTER_MOTION_MS: f64 = 4_000.0;

/// The stage's state.
#[derive(Debug, Clone, Default)]
pub struct Stage {
    /// The step reached (0: the start, before step 1).
    pub step: usize,
    run: Option<Run>,
    /// Where the lab is moving from and to, and how far it has got (virtual ms, with
    /// fractions, so a short step still takes its time on screen).
    motion: Option<(VirtualMillis, VirtualMillis, f64)>,
    /// The run beside this one, if comparing.
    pub branch: Option<Branch>,
    /// Presenter mode: steps move more slowly and each hop stays on screen longer.
    pub presenter: bool,
}

/// What the user did with the steps, the slider and the comparison.
#[derive(Debug, Clone)]
pub enum StageMsg {
    /// Go to step `n` (0: the start).
    GoTo(usize),
    /// The next step.
    Next,
    /// The step before.
    Previous,
    /// Real ms passed (moves the lab toward the step).
    Tick(f64),
    /// The time-travel slider moved to this virtual ms.
    Scrubbed(u64),
    /// Compare with another run side by side (or stop comparing).
    Compared(Option<Other>),
}

/// What the stage runs: the scenario shown and the lab it runs (its variant's, or a
/// link's).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The lab.
    pub lab: &'a Lab,
}

impl Stage {
    /// Applies a message.
    pub fn update(&mut self, msg: StageMsg, at: Setting<'_>) {
        match msg {
            StageMsg::GoTo(n) => self.go_to(n, at),
            StageMsg::Next => self.go_to(self.step + 1, at),
            StageMsg::Previous => self.go_to(self.step.saturating_sub(1), at),
            StageMsg::Tick(real_ms) => self.tick(real_ms),
            StageMsg::Scrubbed(t) => self.scrub(t, at),
            StageMsg::Compared(other) => {
                self.finish_motion();
                self.branch = other.and_then(|o| self.branch_of(o, at));
            }
        }
    }

    /// The run, at the step reached (or moving to it).
    pub fn run(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    /// True while the lab moves to the step.
    pub fn moving(&self) -> bool {
        self.motion.is_some()
    }

    /// Pulses younger than this are drawn: about a sixth of the step's span (0.27 s
    /// on screen); in presenter mode two fifths of it (1.6 s on screen).
    pub fn pulse_window(&self) -> VirtualMillis {
        let span = self
            .motion
            .map_or(60, |(from, to, _)| to.0.saturating_sub(from.0));
        if self.presenter {
            VirtualMillis((span * 2 / 5).clamp(4, 4_000))
        } else {
            VirtualMillis((span / 6).clamp(4, 400))
        }
    }

    /// The second run for `other`, at the step reached.
    pub fn branch_of(&self, other: Other, at: Setting<'_>) -> Option<Branch> {
        let (label, lab) = match other {
            Other::Variant(v) => (
                at.scenario.variants.get(v)?.name.clone(),
                at.scenario.lab_of(v),
            ),
            Other::WhatIf { change, .. } if at.lab.saga.is_some() => {
                // A saga's world changes from the start (its run cannot fork midway).
                let (name, what) = SagaWhatIf::ALL.get(change)?;
                let mut lab = at.lab.clone();
                if let Some(saga) = lab.saga.as_mut() {
                    saga.config = what.applied_to(&saga.config);
                }
                (format!("What if: {name}, from the start"), lab)
            }
            Other::WhatIf { change, at: from } => {
                let (name, knobs) = what_ifs().into_iter().nth(change)?;
                let when = if from == 0 {
                    "from the start".to_owned()
                } else {
                    format!("from {from} ms")
                };
                (
                    format!("What if: {name}, {when}"),
                    at.lab.forked(from, knobs),
                )
            }
        };
        let mut run = Run::new(lab);
        run.advance_to(self.run.as_ref()?.sim().engine.now());
        Some(Branch { other, label, run })
    }

    /// The virtual time of step `n` (0: the start).
    pub fn time_of(n: usize, scenario: &Scenario) -> VirtualMillis {
        let at = n
            .checked_sub(1)
            .and_then(|i| scenario.steps.get(i))
            .map_or(0, |step| step.at);
        VirtualMillis(at)
    }

    /// The lab at `t` (within the scenario's time), from the start; the step is the
    /// last one at or before it.
    fn scrub(&mut self, t: u64, at: Setting<'_>) {
        let end = Self::time_of(at.scenario.steps.len(), at.scenario);
        let t = t.min(end.0);
        let step = at.scenario.steps.iter().filter(|x| x.at <= t).count();
        self.run_to(step, VirtualMillis(t), at);
    }

    /// Step `n` at once: the lab runs from the start to it.
    pub fn jump(&mut self, n: usize, at: Setting<'_>) {
        self.run_to(n, Self::time_of(n, at.scenario), at);
    }

    /// The lab run from the start to `t`, at step `n`.
    fn run_to(&mut self, n: usize, t: VirtualMillis, at: Setting<'_>) {
        self.step = n;
        let mut run = Run::new(at.lab.clone());
        run.advance_to(t);
        self.run = Some(run);
        self.motion = None;
        self.branch = self
            .branch
            .as_ref()
            .and_then(|b| self.branch_of(b.other, at));
    }

    fn go_to(&mut self, n: usize, at: Setting<'_>) {
        if n > at.scenario.steps.len() || self.run.is_none() {
            return;
        }
        if n == self.step + 1 {
            // One step on: the lab moves there on screen.
            self.finish_motion();
            let from = Self::time_of(self.step, at.scenario);
            self.step = n;
            self.motion = Some((from, Self::time_of(n, at.scenario), from.0 as f64));
        } else if n != self.step || self.motion.is_some() {
            self.jump(n, at);
        }
    }

    fn finish_motion(&mut self) {
        if let (Some((_, to, _)), Some(run)) = (self.motion.take(), self.run.as_mut()) {
            run.advance_to(to);
            if let Some(branch) = self.branch.as_mut() {
                branch.run.advance_to(to);
            }
        }
    }

    /// Real ms passed: the lab moves on toward the step.
    pub fn tick(&mut self, real_ms: f64) {
        let (Some((from, to, at)), Some(run)) = (self.motion, self.run.as_mut()) else {
            return;
        };
        let span = to.0.saturating_sub(from.0) as f64;
        let motion_ms = if self.presenter {
            PRESENTER_MOTION_MS
        } else {
            MOTION_MS
        };
        let at = (at + span * real_ms.max(0.0) / motion_ms).min(to.0 as f64);
        let now = VirtualMillis(at.floor() as u64);
        run.advance_to(now);
        if let Some(branch) = self.branch.as_mut() {
            branch.run.advance_to(now);
        }
        self.motion = (at < to.0 as f64).then_some((from, to, at));
    }
}
