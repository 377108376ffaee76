//! The scenario library as the lab ships it (`static/scenarios.json`, fetched when the
//! user first opens the scenarios, then `static/questions.json`): each scenario a lab
//! with numbered steps to walk through and exam-style questions to end with, plus the
//! glossary.

use super::lab::{CommandSide, KnobChange, Lab};
use super::skills::{place, Area};
use crate::engine::fulfilment::FulfilmentConfig;
use serde::{Deserialize, Serialize};

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
    /// True for a right answer.
    #[serde(default)]
    pub correct: bool,
    /// Why it is right or wrong.
    pub why: String,
}

/// A Microsoft Learn page that supports what the lab says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// The page's title.
    pub title: String,
    /// Its address (on learn.microsoft.com).
    pub url: String,
}

/// What each right answer of a multiple-answer question is, as the exam words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Each {
    /// "Each correct answer presents part of the solution."
    Part,
    /// "Each correct answer presents a complete solution."
    Complete,
}

/// An exam-style question: one right answer, or several (`each` says how they add up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    /// The question.
    pub prompt: String,
    /// The skills-outline item it exercises (`skills::place` finds its area).
    pub skill: String,
    /// The scenario's step (from 1) that shows the idea.
    pub step: usize,
    /// The Microsoft Learn pages that support its answer.
    pub sources: Vec<Source>,
    /// For several right answers: what each one presents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<Each>,
    /// Its answers.
    pub choices: Vec<Choice>,
}

impl Question {
    /// The library's indices of the right answers.
    pub fn answers(&self) -> Vec<usize> {
        (0..self.choices.len())
            .filter(|c| self.choices[*c].correct)
            .collect()
    }

    /// True when `picked` (the library's indices, in any order) is exactly the right
    /// answers.
    pub fn is_right(&self, picked: &[usize]) -> bool {
        let mut picked = picked.to_vec();
        picked.sort_unstable();
        picked.dedup();
        picked == self.answers()
    }

    /// The skills-outline area of its item.
    pub fn area(&self) -> Option<Area> {
        place(&self.skill).map(|p| p.area)
    }

    /// The line the exam puts under a multiple-answer question ("Choose two. Each
    /// correct answer presents part of the solution."), if it is one.
    pub fn instruction(&self) -> Option<String> {
        let n = self.answers().len();
        let each = self.each?;
        let count = match n {
            2 => "two",
            3 => "three",
            4 => "four",
            _ => return None,
        };
        let what = match each {
            Each::Part => "part of the solution",
            Each::Complete => "a complete solution",
        };
        Some(format!(
            "Choose {count}. Each correct answer presents {what}."
        ))
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
    /// The Microsoft Learn pages it rests on (cited under the steps).
    pub sources: Vec<Source>,
    /// The lab it loads.
    pub lab: Lab,
    /// Other configurations to compare (the first, if any, names the lab as it is).
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The steps, in time order.
    pub steps: Vec<Step>,
    /// The questions it ends with (shipped apart, in `questions.json`: empty until
    /// `Library::with_questions` adds them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quiz: Vec<Question>,
}

/// The question bank as shipped (`static/questions.json`, fetched after the scenarios so
/// the first view does not wait for it): each scenario's questions, in its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bank {
    /// One quiz per scenario.
    pub quizzes: Vec<Quiz>,
}

/// A scenario's questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quiz {
    /// The scenario's id.
    pub scenario: String,
    /// Its questions.
    pub questions: Vec<Question>,
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

impl Library {
    /// A scenario by id.
    pub fn scenario_index(&self, id: &str) -> Option<usize> {
        self.scenarios.iter().position(|s| s.id == id)
    }

    /// A scenario by id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
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
