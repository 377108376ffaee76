//! The scenario page's model: the library, the scenario chosen and its variant, the
//! step reached (the lab runs to it, moving visibly when going one step on), the quiz
//! and the study progress. Pure: the page renders it and feeds it messages.

use super::study::Study;
pub use super::what_if::{what_if_names, what_ifs, Branch, Other, SagaWhatIf};
use crate::domain::ids::VirtualMillis;
use crate::scenarios::lab::{Lab, MAX_TIME};
use crate::scenarios::library::{Library, Scenario};
use crate::scenarios::link::{self, Compare, LinkError, Shared};
use crate::scenarios::run::Run;
use std::rc::Rc;

/// Real ms a step's motion takes on screen, whatever its virtual span.
pub const MOTION_MS: f64 = 1_600.0;

/// The library's state.
#[derive(Debug, Clone, Default)]
pub enum Shelf {
    /// Not asked for yet.
    #[default]
    Idle,
    /// Being fetched.
    Loading,
    /// Here.
    Ready(Rc<Library>),
    /// Could not be read: why.
    Failed(String),
}

/// Something the user or the page did.
#[derive(Debug, Clone)]
pub enum GuideMsg {
    /// The library is being fetched.
    Loading,
    /// The library arrived, or why not.
    Loaded(Result<Library, String>),
    /// The question bank's text arrived, or why not.
    QuestionsLoaded(Result<String, String>),
    /// Stored progress, if any.
    ProgressRead(Option<String>),
    /// A link's fragment (without `#`).
    OpenedLink(String),
    /// A scenario chosen by its index.
    Chose(usize),
    /// A variant chosen.
    ChoseVariant(usize),
    /// Go to step `n` (0: the start).
    GoTo(usize),
    /// The next step.
    Next,
    /// The step before.
    Previous,
    /// Real ms passed (moves the lab toward the step).
    Tick(f64),
    /// Question `q`'s answer `c` picked.
    Picked(usize, usize),
    /// "Check answers", at this time (ms since the Unix epoch).
    Checked(u64),
    /// The stored questions to review, if any, and the time.
    DeckRead(Option<String>, u64),
    /// "Try again".
    Retried,
    /// Randomness from the page, for new attempts' choice orders.
    Seeded(u64),
    /// A notice dismissed.
    Dismissed,
    /// Compare with another run side by side (or stop comparing).
    Compared(Option<Other>),
    /// The time-travel slider moved to this virtual ms.
    Scrubbed(u64),
}

/// The scenario page.
#[derive(Debug, Clone, Default)]
pub struct Guide {
    /// The library.
    pub shelf: Shelf,
    /// The scenario shown (index in the library).
    pub scenario: usize,
    /// Its variant.
    pub variant: usize,
    /// A lab from a link that differs from every variant (it runs instead).
    pub custom: Option<Lab>,
    /// The step reached (0: the start, before step 1).
    pub step: usize,
    run: Option<Run>,
    /// Where the lab is moving from and to, and how far it has got (virtual ms, with
    /// fractions, so a short step still takes its time on screen).
    motion: Option<(VirtualMillis, VirtualMillis, f64)>,
    /// The quiz and the study progress.
    pub study: Study,
    /// Something to tell the user (a bad link, unreadable progress).
    pub notice: Option<String>,
    /// Why the questions could not be loaded.
    pub questions_failed: Option<String>,
    /// A link waiting for the library.
    waiting_link: Option<Shared>,
    /// The run beside this one, if comparing.
    pub branch: Option<Branch>,
}

impl Guide {
    /// Applies a message.
    pub fn update(&mut self, msg: GuideMsg) {
        match msg {
            GuideMsg::Loading => {
                if matches!(self.shelf, Shelf::Idle) {
                    self.shelf = Shelf::Loading;
                }
            }
            GuideMsg::Loaded(Ok(library)) => {
                self.shelf = Shelf::Ready(Rc::new(library));
                match self.waiting_link.take() {
                    Some(shared) => self.open_shared(shared),
                    None => self.choose(self.scenario.min(self.count().saturating_sub(1))),
                }
            }
            GuideMsg::Loaded(Err(why)) => self.shelf = Shelf::Failed(why),
            GuideMsg::QuestionsLoaded(text) => self.add_questions(text),
            GuideMsg::ProgressRead(text) => {
                let (study, scenario) = self.study_and_scenario();
                if let Some(why) = text.and_then(|t| study.read_progress(&t, scenario)) {
                    self.notice = Some(why);
                }
            }
            GuideMsg::OpenedLink(fragment) => match link::decode(&fragment) {
                None => {}
                Some(Err(e)) => self.bad_link(&e),
                Some(Ok(shared)) => {
                    if matches!(self.shelf, Shelf::Ready(_)) {
                        self.open_shared(shared);
                    } else {
                        self.waiting_link = Some(shared);
                    }
                }
            },
            GuideMsg::Chose(i) => {
                if i < self.count() {
                    self.choose(i);
                }
            }
            GuideMsg::ChoseVariant(v) => {
                if self.scenario().is_some_and(|s| v < s.variants.len()) {
                    self.variant = v;
                    self.custom = None;
                    self.jump(self.step);
                }
            }
            GuideMsg::GoTo(n) => self.go_to(n),
            GuideMsg::Next => self.go_to(self.step + 1),
            GuideMsg::Previous => self.go_to(self.step.saturating_sub(1)),
            GuideMsg::Tick(real_ms) => self.tick(real_ms),
            GuideMsg::Picked(q, c) => {
                let (study, scenario) = self.study_and_scenario();
                study.pick(scenario, q, c);
            }
            GuideMsg::Checked(now) => {
                let (study, scenario) = self.study_and_scenario();
                study.check(scenario, now);
            }
            GuideMsg::DeckRead(text, now) => {
                if let Some(why) = self.study.read_deck(text.as_deref(), now) {
                    self.notice = Some(why);
                }
            }
            GuideMsg::Retried => {
                let (study, scenario) = self.study_and_scenario();
                study.retry(scenario);
            }
            GuideMsg::Seeded(entropy) => self.study.seed(entropy),
            GuideMsg::Dismissed => self.notice = None,
            GuideMsg::Scrubbed(t) => self.scrub(t),
            GuideMsg::Compared(other) => {
                self.finish_motion();
                self.branch = other.and_then(|o| self.branch_of(o));
            }
        }
    }

    /// The second run for `other`, at the step reached.
    fn branch_of(&self, other: Other) -> Option<Branch> {
        let scenario = self.scenario()?;
        let lab = self.lab()?;
        let (label, lab) = match other {
            Other::Variant(v) => (scenario.variants.get(v)?.name.clone(), scenario.lab_of(v)),
            Other::WhatIf { change, .. } if lab.saga.is_some() => {
                // A saga's world changes from the start (its run cannot fork midway).
                let (name, what) = SagaWhatIf::ALL.get(change)?;
                let mut lab = lab.clone();
                if let Some(saga) = lab.saga.as_mut() {
                    saga.config = what.applied_to(&saga.config);
                }
                (format!("What if: {name}, from the start"), lab)
            }
            Other::WhatIf { change, at } => {
                let (name, knobs) = what_ifs().into_iter().nth(change)?;
                let when = if at == 0 {
                    "from the start".to_owned()
                } else {
                    format!("from {at} ms")
                };
                (format!("What if: {name}, {when}"), lab.forked(at, knobs))
            }
        };
        let mut run = Run::new(lab);
        run.advance_to(self.run.as_ref()?.sim().engine.now());
        Some(Branch { other, label, run })
    }

    fn count(&self) -> usize {
        self.library().map_or(0, |l| l.scenarios.len())
    }

    /// The library, once here.
    pub fn library(&self) -> Option<&Rc<Library>> {
        match &self.shelf {
            Shelf::Ready(library) => Some(library),
            _ => None,
        }
    }

    /// The scenario shown.
    pub fn scenario(&self) -> Option<&Scenario> {
        self.library().and_then(|l| l.scenarios.get(self.scenario))
    }

    /// The run, at the step reached (or moving to it).
    pub fn run(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    /// The lab the scenario runs.
    pub fn lab(&self) -> Option<Lab> {
        self.custom
            .clone()
            .or_else(|| self.scenario().map(|s| s.lab_of(self.variant)))
    }

    /// True while the lab moves to the step.
    pub fn moving(&self) -> bool {
        self.motion.is_some()
    }

    /// Pulses younger than this are drawn: about a sixth of the step's span.
    pub fn pulse_window(&self) -> VirtualMillis {
        let span = self
            .motion
            .map_or(60, |(from, to, _)| to.0.saturating_sub(from.0));
        VirtualMillis((span / 6).clamp(4, 400))
    }

    /// The link to this scenario, variant, lab and step (the fragment, without `#`).
    pub fn link(&self) -> Option<String> {
        let s = self.scenario()?;
        let mut shared = Shared::new(
            &s.id,
            u32::try_from(self.variant).ok()?,
            u32::try_from(self.step).ok()?,
            self.lab()?,
        );
        shared.compare = self.branch.as_ref().and_then(|b| match b.other {
            Other::Variant(v) => u32::try_from(v).ok().map(Compare::Variant),
            Other::WhatIf { change, at } => u32::try_from(change)
                .ok()
                .map(|change| Compare::WhatIf { change, at }),
        });
        Some(link::encode(&shared))
    }

    /// The question bank added to the library (the scenario open keeps its step).
    fn add_questions(&mut self, text: Result<String, String>) {
        let Some(library) = self.library() else {
            return;
        };
        let added = text.and_then(|t| {
            Library::clone(library)
                .with_questions(&t)
                .map_err(|e| e.to_string())
        });
        match added {
            Ok(library) => {
                self.shelf = Shelf::Ready(Rc::new(library));
                self.questions_failed = None;
                let (study, scenario) = self.study_and_scenario();
                study.open(scenario);
            }
            Err(why) => self.questions_failed = Some(why),
        }
    }

    /// The study part, and apart from it the scenario open (so one can change while the
    /// other is read).
    fn study_and_scenario(&mut self) -> (&mut Study, Option<&Scenario>) {
        let scenario = match &self.shelf {
            Shelf::Ready(library) => library.scenarios.get(self.scenario),
            _ => None,
        };
        (&mut self.study, scenario)
    }

    /// The right answers given, once checked.
    pub fn score(&self) -> Option<(u32, u32)> {
        self.study.score(self.scenario())
    }

    fn bad_link(&mut self, e: &LinkError) {
        self.notice = Some(format!(
            "This link could not be opened: {e}. The first scenario is open instead."
        ));
        if matches!(self.shelf, Shelf::Ready(_)) {
            self.choose(0);
        }
    }

    fn open_shared(&mut self, shared: Shared) {
        let Some(index) = self
            .library()
            .and_then(|l| l.scenario_index(&shared.scenario))
        else {
            self.bad_link(&LinkError::Scenario(shared.scenario));
            return;
        };
        let (steps, title) = self
            .library()
            .and_then(|l| l.scenarios.get(index))
            .map_or((0, String::new()), |s| (s.steps.len(), s.title.clone()));
        let step = usize::try_from(shared.step).unwrap_or(usize::MAX);
        if step > steps {
            self.bad_link(&LinkError::StepOf {
                step: shared.step,
                title,
                last: steps,
            });
            return;
        }
        self.choose(index);
        let matching = self.scenario().and_then(|s| s.variant_of(&shared.lab));
        match matching {
            Some(v) => self.variant = v,
            None => {
                self.variant = usize::try_from(shared.variant).unwrap_or(0);
                self.custom = Some(shared.lab);
            }
        }
        self.jump(step);
        let other = match shared.compare {
            None => return,
            Some(Compare::Variant(v)) => Other::Variant(usize::try_from(v).unwrap_or(usize::MAX)),
            Some(Compare::WhatIf { change, at }) => Other::WhatIf {
                change: usize::try_from(change).unwrap_or(usize::MAX),
                at: at.min(MAX_TIME),
            },
        };
        self.branch = self.branch_of(other);
        if self.branch.is_none() {
            self.notice = Some("The link's side-by-side comparison is not one this version has; the scenario opens alone.".into());
        }
    }

    fn choose(&mut self, index: usize) {
        self.scenario = index;
        self.variant = 0;
        self.custom = None;
        self.branch = None;
        let (study, scenario) = self.study_and_scenario();
        study.open(scenario);
        self.jump(0);
    }

    /// The virtual time of step `n` (0: the start).
    fn time_of(&self, n: usize) -> VirtualMillis {
        let at = n
            .checked_sub(1)
            .and_then(|i| self.scenario().and_then(|s| s.steps.get(i)))
            .map_or(0, |step| step.at);
        VirtualMillis(at)
    }

    /// The time of the last step: the end of the time-travel slider.
    pub fn end_time(&self) -> VirtualMillis {
        self.time_of(self.scenario().map_or(0, |s| s.steps.len()))
    }

    /// The lab at `t` (within the scenario's time), from the start; the step is the
    /// last one at or before it.
    fn scrub(&mut self, t: u64) {
        let t = t.min(self.end_time().0);
        let step = self
            .scenario()
            .map_or(0, |s| s.steps.iter().filter(|x| x.at <= t).count());
        self.run_to(step, VirtualMillis(t));
    }

    /// Step `n` at once: the lab runs from the start to it.
    fn jump(&mut self, n: usize) {
        self.run_to(n, self.time_of(n));
    }

    /// The lab run from the start to `t`, at step `n`.
    fn run_to(&mut self, n: usize, t: VirtualMillis) {
        let Some(lab) = self.lab() else {
            return;
        };
        self.step = n;
        let mut run = Run::new(lab);
        run.advance_to(t);
        self.run = Some(run);
        self.motion = None;
        self.branch = self.branch.as_ref().and_then(|b| self.branch_of(b.other));
    }

    fn go_to(&mut self, n: usize) {
        let last = self.scenario().map_or(0, |s| s.steps.len());
        if n > last || self.run.is_none() {
            return;
        }
        if n == self.step + 1 {
            // One step on: the lab moves there on screen.
            self.finish_motion();
            let from = self.time_of(self.step);
            self.step = n;
            self.motion = Some((from, self.time_of(n), from.0 as f64));
        } else if n != self.step || self.motion.is_some() {
            self.jump(n);
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

    fn tick(&mut self, real_ms: f64) {
        let (Some((from, to, at)), Some(run)) = (self.motion, self.run.as_mut()) else {
            return;
        };
        let span = to.0.saturating_sub(from.0) as f64;
        let at = (at + span * real_ms.max(0.0) / MOTION_MS).min(to.0 as f64);
        let now = VirtualMillis(at.floor() as u64);
        run.advance_to(now);
        if let Some(branch) = self.branch.as_mut() {
            branch.run.advance_to(now);
        }
        self.motion = (at < to.0 as f64).then_some((from, to, at));
    }
}
