//! The scenario page's model, composed of parts: the library, the scenario chosen and
//! its variant, and links (here), the stage (`stage`: the step reached, the lab run to
//! it, moving visibly when going one step on, and the run beside it), and the study
//! (`app::study`: the quiz and the study progress). A part's messages go to the part.
//! Pure: the page renders it and feeds it messages.

mod stage;

pub use stage::{Setting, Stage, StageMsg, MOTION_MS};

use super::study::{Study, StudyMsg};
pub use super::what_if::{what_if_names, what_ifs, Branch, Other, SagaWhatIf};
use crate::domain::ids::VirtualMillis;
use crate::scenarios::lab::{Lab, MAX_TIME};
use crate::scenarios::library::{Library, Scenario};
use crate::scenarios::link::{self, Address, Compare, LinkError, Shared};
use crate::scenarios::run::Run;
use std::rc::Rc;

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

/// Something the user or the page did. The stage's and the study's messages go to
/// those parts.
#[derive(Debug, Clone)]
pub enum GuideMsg {
    /// For the stage (steps, time travel, comparison).
    Stage(StageMsg),
    /// For the study part (the quiz, progress, review).
    Study(StudyMsg),
    /// The library is being fetched.
    Loading,
    /// The library arrived, or why not.
    Loaded(Result<Library, String>),
    /// The question bank's text arrived, or why not.
    QuestionsLoaded(Result<String, String>),
    /// A link's fragment (without `#`).
    OpenedLink(String),
    /// Presenter mode turned on or off.
    Presenter(bool),
    /// A scenario chosen by its index.
    Chose(usize),
    /// A variant chosen.
    ChoseVariant(usize),
    /// A notice dismissed.
    Dismissed,
}

impl From<StageMsg> for GuideMsg {
    fn from(msg: StageMsg) -> Self {
        GuideMsg::Stage(msg)
    }
}

impl From<StudyMsg> for GuideMsg {
    fn from(msg: StudyMsg) -> Self {
        GuideMsg::Study(msg)
    }
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
    /// The step reached, the lab run to it, and the run beside it.
    pub stage: Stage,
    /// The quiz and the study progress.
    pub study: Study,
    /// Something to tell the user (a bad link, unreadable progress).
    pub notice: Option<String>,
    /// Why the questions could not be loaded.
    pub questions_failed: Option<String>,
    /// A link or address waiting for the library.
    waiting: Option<Opening>,
    /// How many links and addresses were opened: the page replaces the address it
    /// shows (rather than adding one to the history) when this changed.
    pub opened: u64,
}

/// What the page was asked to open.
#[derive(Debug, Clone)]
enum Opening {
    /// A shared lab.
    Shared(Box<Shared>),
    /// A place: a scenario, variant and step.
    Address(Address),
}

impl Guide {
    /// Applies a message: a part's to the part.
    pub fn update(&mut self, msg: impl Into<GuideMsg>) {
        match msg.into() {
            // Every animation frame while a step moves: needs no setting.
            GuideMsg::Stage(StageMsg::Tick(real_ms)) => self.stage.tick(real_ms),
            GuideMsg::Stage(msg) => {
                let (Some(library), Some(lab)) = (self.library().cloned(), self.lab()) else {
                    return;
                };
                if let Some(scenario) = library.scenarios.get(self.scenario) {
                    let at = Setting {
                        scenario,
                        lab: &lab,
                    };
                    self.stage.update(msg, at);
                }
            }
            GuideMsg::Study(msg) => {
                let (study, scenario) = self.study_and_scenario();
                if let Some(why) = study.update(msg, scenario) {
                    self.notice = Some(why);
                }
            }
            GuideMsg::Loading => {
                if matches!(self.shelf, Shelf::Idle) {
                    self.shelf = Shelf::Loading;
                }
            }
            GuideMsg::Loaded(Ok(library)) => {
                self.shelf = Shelf::Ready(Rc::new(library));
                match self.waiting.take() {
                    Some(opening) => self.open(opening),
                    None => self.choose(self.scenario.min(self.count().saturating_sub(1))),
                }
            }
            GuideMsg::Loaded(Err(why)) => self.shelf = Shelf::Failed(why),
            GuideMsg::QuestionsLoaded(text) => self.add_questions(text),
            GuideMsg::OpenedLink(fragment) => {
                // The page's own address (Back to it, or a repeat): already there.
                if self.address().as_deref() == Some(fragment.as_str()) {
                    return;
                }
                let opening = match link::decode(&fragment) {
                    Some(Err(e)) => return self.bad_link(&e),
                    Some(Ok(shared)) => Opening::Shared(Box::new(shared)),
                    None => match Address::parse(&fragment) {
                        Some(address) => Opening::Address(address),
                        None => return,
                    },
                };
                if matches!(self.shelf, Shelf::Ready(_)) {
                    self.open(opening);
                } else {
                    self.waiting = Some(opening);
                }
            }
            GuideMsg::Chose(i) => {
                if i < self.count() {
                    self.choose(i);
                }
            }
            GuideMsg::ChoseVariant(v) => {
                if self.scenario().is_some_and(|s| v < s.variants.len()) {
                    self.variant = v;
                    self.custom = None;
                    self.jump(self.stage.step);
                }
            }
            GuideMsg::Dismissed => self.notice = None,
            GuideMsg::Presenter(on) => self.stage.presenter = on,
        }
    }

    /// The stage at step `n` at once (the lab run to it).
    fn jump(&mut self, n: usize) {
        let (Some(library), Some(lab)) = (self.library().cloned(), self.lab()) else {
            return;
        };
        if let Some(scenario) = library.scenarios.get(self.scenario) {
            self.stage.jump(
                n,
                Setting {
                    scenario,
                    lab: &lab,
                },
            );
        }
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
        self.stage.run()
    }

    /// The lab the scenario runs.
    pub fn lab(&self) -> Option<Lab> {
        self.custom
            .clone()
            .or_else(|| self.scenario().map(|s| s.lab_of(self.variant)))
    }

    /// True while the lab moves to the step.
    pub fn moving(&self) -> bool {
        self.stage.moving()
    }

    /// Pulses younger than this are drawn: about a sixth of the step's span.
    pub fn pulse_window(&self) -> VirtualMillis {
        self.stage.pulse_window()
    }

    /// Where the page is, for its address (the fragment, without `#`): the scenario,
    /// variant and step; the whole link when the lab is a link's own or a run is
    /// compared beside it (the short form cannot say so).
    pub fn address(&self) -> Option<String> {
        if self.custom.is_some() || self.stage.branch.is_some() {
            return self.link();
        }
        let address = Address {
            scenario: self.scenario()?.id.clone(),
            variant: u32::try_from(self.variant).ok()?,
            step: u32::try_from(self.stage.step).ok()?,
        };
        Some(address.text())
    }

    /// The link to this scenario, variant, lab and step (the fragment, without `#`).
    pub fn link(&self) -> Option<String> {
        let s = self.scenario()?;
        let mut shared = Shared::new(
            &s.id,
            u32::try_from(self.variant).ok()?,
            u32::try_from(self.stage.step).ok()?,
            self.lab()?,
        );
        shared.compare = self.stage.branch.as_ref().and_then(|b| match b.other {
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

    /// Opens a link or an address (the library is here).
    fn open(&mut self, opening: Opening) {
        self.opened += 1;
        let shared = match opening {
            Opening::Shared(shared) => *shared,
            Opening::Address(address) => {
                let Some(scenario) = self.library().and_then(|l| l.scenario(&address.scenario))
                else {
                    return self.bad_link(&LinkError::Scenario(address.scenario));
                };
                let variant = usize::try_from(address.variant).unwrap_or(usize::MAX);
                let variant = variant.min(scenario.variants.len().saturating_sub(1));
                let lab = scenario.lab_of(variant);
                let mut shared = Shared::new(&address.scenario, address.variant, address.step, lab);
                shared.variant = u32::try_from(variant).unwrap_or(0);
                shared
            }
        };
        self.open_shared(shared);
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
        self.update(StageMsg::Compared(Some(other)));
        if self.stage.branch.is_none() {
            self.notice = Some("The link's side-by-side comparison is not one this version has; the scenario opens alone.".into());
        }
    }

    fn choose(&mut self, index: usize) {
        self.scenario = index;
        self.variant = 0;
        self.custom = None;
        self.stage.branch = None;
        let (study, scenario) = self.study_and_scenario();
        study.open(scenario);
        self.jump(0);
    }

    /// The time of the last step: the end of the time-travel slider.
    pub fn end_time(&self) -> VirtualMillis {
        self.scenario()
            .map_or(VirtualMillis(0), |s| Stage::time_of(s.steps.len(), s))
    }
}
