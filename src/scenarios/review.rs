//! Spaced repetition: a question answered wrong comes back for review, after longer
//! and longer waits each time it is answered right, until it is known. Kept in the
//! browser with a format version.

use super::exam::Ref;
use super::library::{Library, Question};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The stored format this build reads and writes.
pub const REVIEW_FORMAT: u32 = 1;
/// The waits (ms) before a card is due again, by its level: 10 minutes, then 1, 3, 7 and
/// 21 days; answered right at the last level, a card is known and leaves the deck.
pub const WAITS_MS: [u64; 5] = [
    10 * 60_000,
    86_400_000,
    3 * 86_400_000,
    7 * 86_400_000,
    21 * 86_400_000,
];
/// Most cards kept (a stored deck larger than this is not ours).
const MAX_CARDS: usize = 2_000;

/// A question to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// How many times in a row it was answered right since it was last missed.
    pub level: u8,
    /// When it is due (ms since the Unix epoch).
    pub due: u64,
}

/// Every question to review, by `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    /// `REVIEW_FORMAT` when written.
    pub format: u32,
    /// The cards, by `key`.
    pub cards: BTreeMap<String, Card>,
}

impl Default for Deck {
    fn default() -> Self {
        Deck {
            format: REVIEW_FORMAT,
            cards: BTreeMap::new(),
        }
    }
}

/// A question's key: its scenario and a hash of its prompt (so editing the library
/// elsewhere does not move a card onto another question).
pub fn key(scenario: &str, question: &Question) -> String {
    let hash = question
        .prompt
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{scenario}:{hash:016x}")
}

impl Deck {
    /// Reads a stored deck: another format or anything unreadable is an error that says so.
    pub fn parse(text: &str) -> Result<Deck, String> {
        let deck: Deck = serde_json::from_str(text)
            .map_err(|e| format!("the questions to review could not be read: {e}"))?;
        if deck.format != REVIEW_FORMAT {
            return Err(format!(
                "the questions to review were kept in format {}, this version reads format {REVIEW_FORMAT}",
                deck.format
            ));
        }
        if deck.cards.len() > MAX_CARDS
            || deck
                .cards
                .values()
                .any(|c| usize::from(c.level) >= WAITS_MS.len())
        {
            return Err("the questions to review are not a valid list".into());
        }
        Ok(deck)
    }

    /// As stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Records an answer at `now`: missed, the card starts over (due in 10 minutes);
    /// right, a card already in the deck waits longer, or leaves it when known.
    pub fn answered(&mut self, key: String, right: bool, now: u64) {
        if !right {
            if self.cards.len() < MAX_CARDS || self.cards.contains_key(&key) {
                self.cards.insert(
                    key,
                    Card {
                        level: 0,
                        due: now.saturating_add(WAITS_MS[0]),
                    },
                );
            }
            return;
        }
        let Some(card) = self.cards.get_mut(&key) else {
            return;
        };
        match WAITS_MS.get(usize::from(card.level) + 1) {
            Some(wait) => {
                card.level += 1;
                card.due = now.saturating_add(*wait);
            }
            None => {
                self.cards.remove(&key);
            }
        }
    }

    /// The library's questions due at `now`, soonest due first (cards of questions the
    /// library no longer has are left alone).
    pub fn due(&self, library: &Library, now: u64) -> Vec<Ref> {
        let mut due: Vec<(u64, Ref)> = Vec::new();
        for (scenario, s) in library.scenarios.iter().enumerate() {
            for (question, q) in s.quiz.iter().enumerate() {
                if let Some(card) = self.cards.get(&key(&s.id, q)).filter(|c| c.due <= now) {
                    due.push((card.due, Ref { scenario, question }));
                }
            }
        }
        due.sort();
        due.into_iter().map(|(_, r)| r).collect()
    }
}
