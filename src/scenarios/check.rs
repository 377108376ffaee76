//! The scenario library's check, run whenever it is read: each scenario's lab and
//! steps, and a question bank a student can trust — enough exam-style questions, each
//! tagged with a skills-outline item and backed by Microsoft Learn pages, no answer
//! given away by its length, and no internal notes in anything shown.

use super::lab_check::LabError;
use super::library::{Bank, Library, Question, Scenario, Source, MAX_STEPS};
use super::skills::place;
use thiserror::Error;

/// Fewest questions a scenario ends with.
pub const MIN_QUESTIONS: usize = 6;
/// Fewest questions in the whole library.
pub const MIN_BANK: usize = 150;
/// Most single-answer questions (in percent) whose right answer may be the longest choice.
pub const MAX_LONGEST_PERCENT: usize = 40;
/// Where every source must be.
pub const LEARN: &str = "https://learn.microsoft.com/";
/// Words of notes that are not the product's to say.
pub const NOT_OURS: [&str; 4] = ["seeds/", "the chapter", "the material", "objective 4.4"];

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
    /// The bank as a whole.
    #[error("the question bank: {0}")]
    Bank(String),
}

impl Library {
    /// Reads and checks the scenarios and the glossary (the questions come apart).
    pub fn parse(text: &str) -> Result<Library, LibraryError> {
        let library: Library =
            serde_json::from_str(text).map_err(|e| LibraryError::Json(e.to_string()))?;
        library.check()?;
        Ok(library)
    }

    /// The library with the question bank `text` added, both checked.
    pub fn with_questions(mut self, text: &str) -> Result<Library, LibraryError> {
        let bank: Bank = serde_json::from_str(text)
            .map_err(|e| LibraryError::Bank(format!("not valid: {e}")))?;
        for s in &mut self.scenarios {
            let mut quizzes = bank.quizzes.iter().filter(|q| q.scenario == s.id);
            let (Some(quiz), None) = (quizzes.next(), quizzes.next()) else {
                return Err(shape(s, "not exactly one quiz in the question bank".into()));
            };
            s.quiz.clone_from(&quiz.questions);
        }
        if let Some(q) = bank
            .quizzes
            .iter()
            .find(|q| self.scenario(&q.scenario).is_none())
        {
            return Err(LibraryError::Bank(format!(
                "a quiz for no scenario: {}",
                q.scenario
            )));
        }
        self.check_bank()?;
        Ok(self)
    }

    /// Reads both shipped files.
    pub fn parse_with_questions(scenarios: &str, questions: &str) -> Result<Library, LibraryError> {
        Library::parse(scenarios)?.with_questions(questions)
    }

    fn check(&self) -> Result<(), LibraryError> {
        for (i, s) in self.scenarios.iter().enumerate() {
            if self.scenarios[..i].iter().any(|t| t.id == s.id) {
                return Err(shape(s, "the id is used twice".into()));
            }
            check_scenario(s)?;
        }
        for term in &self.glossary {
            if let Some(word) = not_ours(&[&term.term, &term.meaning]) {
                return Err(LibraryError::Bank(format!(
                    "the glossary's “{}” says “{word}”",
                    term.term
                )));
            }
        }
        Ok(())
    }

    fn check_bank(&self) -> Result<(), LibraryError> {
        for s in &self.scenarios {
            if s.quiz.len() < MIN_QUESTIONS {
                let problem = format!("{} questions (at least {MIN_QUESTIONS})", s.quiz.len());
                return Err(shape(s, problem));
            }
            for (q, question) in s.quiz.iter().enumerate() {
                check_question(question, s.steps.len())
                    .map_err(|p| shape(s, format!("question {}: {p}", q + 1)))?;
            }
        }
        let questions: Vec<&Question> = self.scenarios.iter().flat_map(|s| &s.quiz).collect();
        if questions.len() < MIN_BANK {
            return Err(LibraryError::Bank(format!(
                "{} questions (at least {MIN_BANK})",
                questions.len()
            )));
        }
        let (longest, singles) = longest_right(&questions);
        if longest * 100 > MAX_LONGEST_PERCENT * singles {
            return Err(LibraryError::Bank(format!(
                "the right answer is the longest choice in {longest} of {singles} single-answer questions (at most {MAX_LONGEST_PERCENT} %)"
            )));
        }
        Ok(())
    }
}

fn shape(s: &Scenario, problem: String) -> LibraryError {
    LibraryError::Shape {
        id: s.id.clone(),
        problem,
    }
}

/// The first note word in `texts`, if any (as a whole word: "the materialized view" is
/// not "the material").
fn not_ours(texts: &[&str]) -> Option<&'static str> {
    NOT_OURS.into_iter().find(|word| {
        texts.iter().any(|t| {
            let t = t.to_lowercase();
            let ends_word = word.ends_with(char::is_alphanumeric);
            t.match_indices(word).any(|(at, _)| {
                let next = t[at + word.len()..].chars().next();
                !ends_word || !next.is_some_and(char::is_alphanumeric)
            })
        })
    })
}

fn check_sources(sources: &[Source]) -> Result<(), String> {
    if sources.is_empty() {
        return Err("no Microsoft Learn page cited".into());
    }
    match sources
        .iter()
        .find(|x| !x.url.starts_with(LEARN) || x.title.trim().is_empty())
    {
        Some(x) => Err(format!(
            "the source “{}” ({}) is not a titled page under {LEARN}",
            x.title, x.url
        )),
        None => Ok(()),
    }
}

fn check_scenario(s: &Scenario) -> Result<(), LibraryError> {
    s.lab.check().map_err(|error| LibraryError::Lab {
        id: s.id.clone(),
        error,
    })?;
    if s.steps.is_empty() || s.steps.len() > MAX_STEPS {
        let problem = format!("{} steps (1 to {MAX_STEPS})", s.steps.len());
        return Err(shape(s, problem));
    }
    if s.steps.windows(2).any(|w| w[1].at < w[0].at) {
        return Err(shape(s, "steps out of time order".into()));
    }
    for v in 0..s.variants.len() {
        s.lab_of(v).check().map_err(|error| LibraryError::Lab {
            id: format!("{} (variant {})", s.id, v + 1),
            error,
        })?;
    }
    check_sources(&s.sources).map_err(|p| shape(s, p))?;
    let mut texts: Vec<&str> = vec![&s.title, &s.summary];
    texts.extend(s.steps.iter().flat_map(|t| [&*t.title, &t.look, &t.why]));
    texts.extend(s.variants.iter().map(|v| &*v.name));
    if let Some(word) = not_ours(&texts) {
        return Err(shape(s, format!("its text says “{word}”")));
    }
    Ok(())
}

fn check_question(q: &Question, steps: usize) -> Result<(), String> {
    let n = q.choices.len();
    let right = q.answers().len();
    if !(3..=6).contains(&n) || right == 0 || right >= n {
        return Err(format!(
            "{n} answers, {right} marked correct (3 to 6, at least one wrong)"
        ));
    }
    if (right > 1) != q.each.is_some() {
        return Err("several right answers need “each” (part or complete), one needs none".into());
    }
    if place(&q.skill).is_none() {
        return Err(format!(
            "“{}” is not an item of the skills outline",
            q.skill
        ));
    }
    if !(1..=steps).contains(&q.step) {
        return Err(format!("step {} (1 to {steps})", q.step));
    }
    check_sources(&q.sources)?;
    if q.choices
        .iter()
        .any(|c| c.text.trim().is_empty() || c.why.trim().is_empty())
    {
        return Err("every answer needs its text and why it is right or wrong".into());
    }
    let mut texts: Vec<&str> = vec![&q.prompt];
    texts.extend(q.choices.iter().flat_map(|c| [&*c.text, &c.why]));
    match not_ours(&texts) {
        Some(word) => Err(format!("it says “{word}”")),
        None => Ok(()),
    }
}

/// Of the single-answer questions, how many have a right answer longer than every
/// other choice, and how many there are.
pub fn longest_right(questions: &[&Question]) -> (usize, usize) {
    let singles: Vec<&&Question> = questions
        .iter()
        .filter(|q| q.answers().len() == 1)
        .collect();
    let longest = singles
        .iter()
        .filter(|q| {
            let length = |c: &super::library::Choice| c.text.chars().count();
            let right = q
                .choices
                .iter()
                .filter(|c| c.correct)
                .map(length)
                .max()
                .unwrap_or(0);
            q.choices
                .iter()
                .filter(|c| !c.correct)
                .all(|c| length(c) < right)
        })
        .count();
    (longest, singles.len())
}
