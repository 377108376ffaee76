//! Study progress: each scenario's best quiz score and the seed its current attempt
//! orders the choices by, kept in the browser.

use super::library::{Question, PASS_PERCENT};
use super::shuffle::mix;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scenario's quiz results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// Most right answers in one attempt.
    pub best: u32,
    /// Questions asked.
    pub total: u32,
    /// Attempts made.
    pub attempts: u32,
}

impl Score {
    /// True at `PASS_PERCENT` or more right.
    pub fn passed(&self) -> bool {
        self.total > 0 && self.best * 100 >= PASS_PERCENT * self.total
    }
}

/// Every scenario's score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// By scenario id.
    pub scores: BTreeMap<String, Score>,
    /// The seed each scenario's current attempt orders its choices by, by scenario id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attempts: BTreeMap<String, u64>,
}

/// Most scenarios remembered (a stored value larger than this is not ours).
const MAX_KEPT: usize = 200;

impl Progress {
    /// Reads stored progress; anything unreadable counts as none (and is said so).
    pub fn parse(text: &str) -> Result<Progress, String> {
        let progress: Progress =
            serde_json::from_str(text).map_err(|e| format!("stored progress unreadable: {e}"))?;
        if progress.scores.len() > MAX_KEPT
            || progress.attempts.len() > MAX_KEPT
            || progress.scores.values().any(|s| s.best > s.total)
        {
            return Err("stored progress is not valid".into());
        }
        Ok(progress)
    }

    /// As stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Records an attempt: `right` of `total`.
    pub fn record(&mut self, id: &str, right: u32, total: u32) {
        if self.scores.len() >= MAX_KEPT && !self.scores.contains_key(id) {
            return;
        }
        let score = self.scores.entry(id.to_owned()).or_default();
        score.total = total;
        score.best = score.best.max(right).min(total);
        score.attempts = score.attempts.saturating_add(1);
    }

    /// The seed of the scenario's current attempt: the stored one, or a new one drawn
    /// from `entropy` and stored.
    pub fn attempt(&mut self, id: &str, entropy: &mut u64) -> u64 {
        match self.attempts.get(id) {
            Some(seed) => *seed,
            None => self.new_attempt(id, entropy),
        }
    }

    /// Starts a new attempt at the scenario's questions: a new seed from `entropy`
    /// (kept unless `MAX_KEPT` scenarios are kept already).
    pub fn new_attempt(&mut self, id: &str, entropy: &mut u64) -> u64 {
        *entropy = mix(*entropy);
        if self.attempts.len() < MAX_KEPT || self.attempts.contains_key(id) {
            self.attempts.insert(id.to_owned(), *entropy);
        }
        *entropy
    }

    /// A scenario's score, if tried.
    pub fn score(&self, id: &str) -> Option<Score> {
        self.scores.get(id).copied()
    }

    /// Scenarios passed.
    pub fn passed(&self) -> usize {
        self.scores.values().filter(|s| s.passed()).count()
    }
}

/// How many questions are answered right (`picked`: each question's chosen answers, as
/// the library's indices).
pub fn right_answers(quiz: &[Question], picked: &[Vec<usize>]) -> u32 {
    quiz.iter()
        .zip(picked)
        .filter(|(q, p)| q.is_right(p))
        .count() as u32
}

/// Question `question`'s answers after choice `choice` is picked: the one choice for a
/// single-answer question, the choice added or taken away for a multiple-answer one.
pub fn pick(question: &Question, picked: &[usize], choice: usize) -> Vec<usize> {
    if choice >= question.choices.len() {
        return picked.to_vec();
    }
    if question.answers().len() == 1 {
        return vec![choice];
    }
    let mut next: Vec<usize> = picked.iter().copied().filter(|c| *c != choice).collect();
    if next.len() == picked.len() {
        next.push(choice);
        next.sort_unstable();
    }
    next
}
