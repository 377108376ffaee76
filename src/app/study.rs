//! The scenario page's study part: the open scenario's quiz (the answers picked, the
//! attempt whose seed orders the choices, checked or not), the study progress and the
//! questions due for review, each with a flag saying it should be stored.

use crate::scenarios::library::Scenario;
use crate::scenarios::progress::{pick, right_answers, Progress};
use crate::scenarios::review::{key, Deck};

/// What the student did with the quiz, and what the page read for the study.
#[derive(Debug, Clone)]
pub enum StudyMsg {
    /// Stored progress, if any.
    ProgressRead(Option<String>),
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
}

/// The quiz of the scenario open, and what is kept of the student's study.
#[derive(Debug, Clone, Default)]
pub struct Study {
    /// The answers picked for each question (the library's indices of the choices).
    pub picked: Vec<Vec<usize>>,
    /// The seed this attempt orders the choices by (`shuffle::choice_order`).
    pub attempt: u64,
    /// Where new attempts' seeds come from.
    entropy: u64,
    /// True once the answers were checked.
    pub checked: bool,
    /// Why the answers could not be checked yet.
    pub message: Option<String>,
    /// Study progress.
    pub progress: Progress,
    /// True when progress changed and should be stored.
    pub progress_dirty: bool,
    /// The questions to review.
    pub deck: Deck,
    /// True when the deck changed and should be stored.
    pub deck_dirty: bool,
    /// The time last heard (ms since the Unix epoch).
    pub now: u64,
}

impl Study {
    /// Applies a message (`scenario`: the one open); says what to tell the user, if
    /// anything (stored progress or a deck that could not be read).
    pub fn update(&mut self, msg: StudyMsg, scenario: Option<&Scenario>) -> Option<String> {
        match msg {
            StudyMsg::ProgressRead(text) => {
                return text.and_then(|t| self.read_progress(&t, scenario))
            }
            StudyMsg::Picked(q, c) => self.pick(scenario, q, c),
            StudyMsg::Checked(now) => self.check(scenario, now),
            StudyMsg::DeckRead(text, now) => return self.read_deck(text.as_deref(), now),
            StudyMsg::Retried => self.retry(scenario),
            StudyMsg::Seeded(entropy) => self.seed(entropy),
        }
        None
    }

    /// Randomness from the page, for new attempts' choice orders.
    pub fn seed(&mut self, entropy: u64) {
        self.entropy = entropy;
    }

    /// A fresh quiz for `scenario` (its stored attempt, if any).
    pub fn open(&mut self, scenario: Option<&Scenario>) {
        self.picked = vec![Vec::new(); scenario.map_or(0, |s| s.quiz.len())];
        self.checked = false;
        self.message = None;
        self.keep_attempt(scenario);
    }

    /// Takes up the scenario's stored attempt (its choices read in the same order after
    /// a reload), or starts one.
    pub fn keep_attempt(&mut self, scenario: Option<&Scenario>) {
        if let Some(id) = scenario.map(|s| &s.id) {
            self.progress_dirty |= !self.progress.attempts.contains_key(id);
            self.attempt = self.progress.attempt(id, &mut self.entropy);
        }
    }

    /// Stored progress read: the error to tell the user, if it could not be.
    pub fn read_progress(&mut self, text: &str, scenario: Option<&Scenario>) -> Option<String> {
        match Progress::parse(text) {
            Ok(progress) => {
                self.progress = progress;
                self.keep_attempt(scenario);
                None
            }
            Err(why) => Some(format!(
                "Your study progress could not be read ({why}); it starts afresh."
            )),
        }
    }

    /// The stored review list read at `now`: the error to tell the user, if it could not be.
    pub fn read_deck(&mut self, text: Option<&str>, now: u64) -> Option<String> {
        self.now = now;
        match Deck::parse(text?) {
            Ok(deck) => {
                self.deck = deck;
                None
            }
            Err(why) => {
                self.deck_dirty = true;
                Some(format!("{why}; the list starts afresh."))
            }
        }
    }

    /// Choice `c` picked for question `q` (nothing once checked).
    pub fn pick(&mut self, scenario: Option<&Scenario>, q: usize, c: usize) {
        self.message = None;
        let question = scenario.and_then(|s| s.quiz.get(q));
        if let (false, Some(question), Some(slot)) =
            (self.checked, question, self.picked.get_mut(q))
        {
            *slot = pick(question, slot, c);
        }
    }

    /// Try again: no answers, a new order.
    pub fn retry(&mut self, scenario: Option<&Scenario>) {
        self.checked = false;
        self.picked.iter_mut().for_each(Vec::clear);
        if let Some(id) = scenario.map(|s| &s.id) {
            self.attempt = self.progress.new_attempt(id, &mut self.entropy);
            self.progress_dirty = true;
        }
    }

    /// "Check answers" at `now`: scored and kept once every question has an answer; each
    /// answer goes into the review list.
    pub fn check(&mut self, scenario: Option<&Scenario>, now: u64) {
        self.now = now;
        let Some(s) = scenario else {
            return;
        };
        let open = self.picked.iter().filter(|p| p.is_empty()).count();
        if open > 0 {
            self.message = Some(format!(
                "Answer every question before checking ({open} still without an answer)."
            ));
            return;
        }
        self.checked = true;
        self.message = None;
        let right = right_answers(&s.quiz, &self.picked);
        self.progress.record(&s.id, right, s.quiz.len() as u32);
        self.progress_dirty = true;
        for (q, picked) in s.quiz.iter().zip(&self.picked) {
            self.deck.answered(key(&s.id, q), q.is_right(picked), now);
        }
        self.deck_dirty = true;
    }

    /// The right answers given and the questions asked, once checked.
    pub fn score(&self, scenario: Option<&Scenario>) -> Option<(u32, u32)> {
        let s = scenario?;
        self.checked
            .then(|| (right_answers(&s.quiz, &self.picked), s.quiz.len() as u32))
    }
}
