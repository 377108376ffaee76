//! The scenario library as the lab ships it (`static/scenarios.json`, fetched when the
//! user first opens the scenarios): each scenario a lab with numbered steps to walk
//! through and exam-style questions to end with, plus the glossary.

use super::lab::{CommandSide, KnobChange, Lab, LabError};
use crate::engine::fulfilment::FulfilmentConfig;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Most steps a scenario has (the keys 1–9 jump to them).
pub const MAX_STEPS: usize = 9;
/// Share of correct answers that passes a scenario's questions.
pub const PASS_PERCENT: u32 = 60;

/// A numbered step: run the lab to `at`, then look at something and learn why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Virtual ms the lab runs to.
    pub at: u64,
    /// The step's title.
    pub title: String,
    /// What to look at.
    pub look: String,
    /// Why it happens.
    pub why: String,
    /// The view that shows it.
    #[serde(default)]
    pub show: Panel,
}

/// The view a step points at, shown beside the diagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Panel {
    /// Each read model beside the truth.
    #[default]
    ReadModels,
    /// Events and ms behind per projection.
    Lag,
    /// The hops per component.
    Timeline,
    /// The dead-letter queues.
    DeadLetters,
    /// The targeted order's stream, snapshots and replay cost.
    Stream,
    /// Outcomes of the commands and the actions taken.
    Log,
    /// CRUD, CQRS only, CQRS + ES side by side.
    Modes,
    /// What the architecture costs for this workload.
    Costs,
    /// The fulfilment saga: each instance's step, the participants' streams.
    Saga,
}

/// Another configuration of a scenario's lab (e.g. outbox off / on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variant {
    /// Its name, as the choice shows it.
    pub name: String,
    /// Knobs it changes.
    #[serde(default)]
    pub knobs: Option<KnobChange>,
    /// The command side it uses instead.
    #[serde(default)]
    pub command_side: Option<CommandSide>,
    /// The saga's world it uses instead (a saga scenario's variants).
    #[serde(default)]
    pub saga: Option<FulfilmentConfig>,
}

/// One answer of a question, with why it is right or wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Choice {
    /// The answer.
    pub text: String,
    /// True for the one right answer.
    #[serde(default)]
    pub correct: bool,
    /// Why it is right or wrong.
    pub why: String,
}

/// An exam-style multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    /// The question.
    pub prompt: String,
    /// Its answers, exactly one correct.
    pub choices: Vec<Choice>,
}

impl Question {
    /// The index of the right answer.
    pub fn answer(&self) -> Option<usize> {
        self.choices.iter().position(|c| c.correct)
    }
}

/// A guided scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// A stable id (links and progress use it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it shows, in a sentence or two.
    pub summary: String,
    /// Where the seeds say it (cited under the steps).
    pub source: String,
    /// The lab it loads.
    pub lab: Lab,
    /// Other configurations to compare (the first, if any, names the lab as it is).
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The steps, in time order.
    pub steps: Vec<Step>,
    /// The questions it ends with.
    pub quiz: Vec<Question>,
}

/// A glossary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Term {
    /// The term.
    pub term: String,
    /// What it means.
    pub meaning: String,
}

/// Every scenario and the glossary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Library {
    /// The scenarios, in order.
    pub scenarios: Vec<Scenario>,
    /// The glossary, alphabetical.
    pub glossary: Vec<Term>,
}

/// What is wrong with a library.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LibraryError {
    /// Not JSON of the right shape.
    #[error("the scenario library is not valid: {0}")]
    Json(String),
    /// A scenario's lab does not check.
    #[error("scenario {id}: {error}")]
    Lab {
        /// The scenario.
        id: String,
        /// What is wrong.
        error: LabError,
    },
    /// Anything else, said in full.
    #[error("scenario {id}: {problem}")]
    Shape {
        /// The scenario.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

impl Library {
    /// Reads and checks the library.
    pub fn parse(text: &str) -> Result<Library, LibraryError> {
        let library: Library =
            serde_json::from_str(text).map_err(|e| LibraryError::Json(e.to_string()))?;
        library.check()?;
        Ok(library)
    }

    /// A scenario by id.
    pub fn scenario_index(&self, id: &str) -> Option<usize> {
        self.scenarios.iter().position(|s| s.id == id)
    }

    /// A scenario by id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    fn check(&self) -> Result<(), LibraryError> {
        for (i, s) in self.scenarios.iter().enumerate() {
            let shape = |problem: String| LibraryError::Shape {
                id: s.id.clone(),
                problem,
            };
            if self.scenarios[..i].iter().any(|t| t.id == s.id) {
                return Err(shape("the id is used twice".into()));
            }
            s.lab.check().map_err(|error| LibraryError::Lab {
                id: s.id.clone(),
                error,
            })?;
            if s.steps.is_empty() || s.steps.len() > MAX_STEPS {
                return Err(shape(format!("{} steps (1 to {MAX_STEPS})", s.steps.len())));
            }
            if s.steps.windows(2).any(|w| w[1].at < w[0].at) {
                return Err(shape("steps out of time order".into()));
            }
            for (v, _) in s.variants.iter().enumerate() {
                s.lab_of(v).check().map_err(|error| LibraryError::Lab {
                    id: format!("{} (variant {})", s.id, v + 1),
                    error,
                })?;
            }
            if !(3..=5).contains(&s.quiz.len()) {
                return Err(shape(format!("{} questions (3 to 5)", s.quiz.len())));
            }
            for (q, question) in s.quiz.iter().enumerate() {
                let right = question.choices.iter().filter(|c| c.correct).count();
                if right != 1 || !(2..=5).contains(&question.choices.len()) {
                    return Err(shape(format!(
                        "question {} has {} answers, {right} marked correct (2 to 5, exactly 1)",
                        q + 1,
                        question.choices.len()
                    )));
                }
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// The lab of variant `v` (the lab as written when there is no such variant).
    pub fn lab_of(&self, v: usize) -> Lab {
        let mut lab = self.lab.clone();
        if let Some(variant) = self.variants.get(v) {
            if let Some(change) = &variant.knobs {
                lab.knobs = change.applied_to(lab.knobs);
            }
            if let Some(side) = variant.command_side {
                lab.command_side = side;
            }
            if let (Some(config), Some(saga)) = (&variant.saga, lab.saga.as_mut()) {
                saga.config = config.clone();
            }
        }
        lab
    }

    /// The variant whose lab is `lab`, if any.
    pub fn variant_of(&self, lab: &Lab) -> Option<usize> {
        (0..self.variants.len().max(1)).find(|v| self.lab_of(*v) == *lab)
    }
}
