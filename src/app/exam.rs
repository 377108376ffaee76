//! The practice exam and the review of due questions, as the page holds them: a sitting
//! of drawn questions answered in any order without feedback, an optional timer that
//! ends it, then the score per skills area and each wrong answer explained, with the
//! scenario step that shows it. Every answer, right or wrong, updates the review deck.

use crate::scenarios::exam::{draw, grade, AreaScore, Ref, EXAM_MINUTES, EXAM_QUESTIONS};
use crate::scenarios::library::Library;
use crate::scenarios::link::{self, Shared};
use crate::scenarios::review::{key, Deck};
use crate::scenarios::shuffle::{choice_order, mix};
use std::rc::Rc;

/// What a sitting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A practice exam.
    Exam,
    /// The questions due for review.
    Review,
}

/// A sitting: the questions, the answers so far, where the student is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sitting {
    /// Exam or review.
    pub kind: Kind,
    /// The questions, in the order asked.
    pub refs: Vec<Ref>,
    /// The seed the choices' order is drawn from.
    pub seed: u64,
    /// The answers picked (library indices), per question.
    pub answers: Vec<Vec<usize>>,
    /// The question shown (index into `refs`).
    pub at: usize,
    /// When the timer ends it (ms since the Unix epoch), if timed.
    pub deadline: Option<u64>,
    /// Set once it is over: true when the timer ended it.
    pub over: Option<bool>,
}

impl Sitting {
    /// The order question `i`'s choices are shown in.
    pub fn order(&self, library: &Library, i: usize) -> Vec<usize> {
        let Some(r) = self.refs.get(i) else {
            return Vec::new();
        };
        let n = r.get(library).map_or(0, |q| q.choices.len());
        choice_order(self.seed, r.number(), n)
    }

    /// Questions without an answer.
    pub fn unanswered(&self) -> usize {
        self.answers.iter().filter(|a| a.is_empty()).count()
    }

    /// Minutes and seconds left at `now`, if timed.
    pub fn left(&self, now: u64) -> Option<(u64, u64)> {
        let ms = self.deadline?.saturating_sub(now);
        let s = ms.div_ceil(1_000);
        Some((s / 60, s % 60))
    }
}

/// A message to the exam page.
#[derive(Debug, Clone, PartialEq)]
pub enum ExamMsg {
    /// The library arrived (or could not).
    Loaded(Result<Library, String>),
    /// The stored review deck (if any), the time, and entropy for new sittings.
    Opened {
        /// The stored deck's text.
        deck: Option<String>,
        /// Now (ms since the Unix epoch).
        now: u64,
        /// Random bits.
        entropy: u64,
    },
    /// The timer chosen (or not) for the next exam.
    Timed(bool),
    /// Start a practice exam.
    Start {
        /// Now.
        now: u64,
    },
    /// Start reviewing the questions due.
    StartReview {
        /// Now.
        now: u64,
    },
    /// The choice (library index) picked for the question shown.
    Picked(usize),
    /// Show question `i`.
    GoTo(usize),
    /// End the sitting and see the result.
    Finish {
        /// Now.
        now: u64,
    },
    /// The clock: ends a timed sitting when its time is up.
    Tick {
        /// Now.
        now: u64,
    },
    /// Back to the start screen.
    Leave,
    /// The notice was read.
    Dismissed,
}

/// The exam page.
#[derive(Debug, Clone, Default)]
pub struct ExamPage {
    /// The library, once here.
    pub library: Option<Rc<Library>>,
    /// Why the library could not be read.
    pub failed: Option<String>,
    /// The questions to review.
    pub deck: Deck,
    /// True when the deck changed and should be stored.
    pub deck_dirty: bool,
    /// The sitting under way or just finished.
    pub sitting: Option<Sitting>,
    /// The time last heard (ms since the Unix epoch).
    pub now: u64,
    /// Something to tell the user (an unreadable deck).
    pub notice: Option<String>,
    /// True when the next exam is timed.
    pub timed: bool,
    entropy: u64,
}

impl ExamPage {
    /// Applies a message.
    pub fn update(&mut self, msg: ExamMsg) {
        match msg {
            ExamMsg::Loaded(Ok(library)) => self.library = Some(Rc::new(library)),
            ExamMsg::Loaded(Err(why)) => self.failed = Some(why),
            ExamMsg::Opened { deck, now, entropy } => {
                self.now = now;
                self.entropy = entropy;
                match deck.map(|text| Deck::parse(&text)) {
                    Some(Ok(deck)) => self.deck = deck,
                    Some(Err(why)) => {
                        self.notice = Some(format!("{why}; the list starts afresh."));
                        self.deck_dirty = true;
                    }
                    None => {}
                }
            }
            ExamMsg::Timed(on) => self.timed = on,
            ExamMsg::Start { now } => {
                self.now = now;
                let deadline = self.timed.then(|| now + u64::from(EXAM_MINUTES) * 60_000);
                self.begin(Kind::Exam, deadline);
            }
            ExamMsg::StartReview { now } => {
                self.now = now;
                self.begin(Kind::Review, None);
            }
            ExamMsg::Picked(c) => self.pick(c),
            ExamMsg::GoTo(i) => {
                if let Some(s) = self.sitting.as_mut().filter(|s| i < s.refs.len()) {
                    s.at = i;
                }
            }
            ExamMsg::Finish { now } => {
                self.now = now;
                self.finish(false);
            }
            ExamMsg::Tick { now } => {
                self.now = now;
                let due = self
                    .sitting
                    .as_ref()
                    .is_some_and(|s| s.over.is_none() && s.deadline.is_some_and(|d| now >= d));
                if due {
                    self.finish(true);
                }
            }
            ExamMsg::Leave => self.sitting = None,
            ExamMsg::Dismissed => self.notice = None,
        }
    }

    /// The questions due for review now.
    pub fn due(&self) -> Vec<Ref> {
        self.library
            .as_ref()
            .map_or_else(Vec::new, |l| self.deck.due(l, self.now))
    }

    /// True while a sitting is under way.
    pub fn sitting_open(&self) -> bool {
        self.sitting.as_ref().is_some_and(|s| s.over.is_none())
    }

    fn begin(&mut self, kind: Kind, deadline: Option<u64>) {
        let Some(library) = self.library.clone() else {
            return;
        };
        self.entropy = mix(self.entropy ^ self.now);
        let refs = match kind {
            Kind::Exam => draw(&library, self.entropy, EXAM_QUESTIONS),
            Kind::Review => self.due(),
        };
        if refs.is_empty() {
            return;
        }
        self.sitting = Some(Sitting {
            kind,
            answers: vec![Vec::new(); refs.len()],
            refs,
            seed: self.entropy,
            at: 0,
            deadline,
            over: None,
        });
    }

    fn pick(&mut self, c: usize) {
        let (Some(library), Some(s)) = (self.library.as_ref(), self.sitting.as_mut()) else {
            return;
        };
        if s.over.is_some() {
            return;
        }
        let (Some(q), Some(slot)) = (
            s.refs.get(s.at).and_then(|r| r.get(library)),
            s.answers.get_mut(s.at),
        ) else {
            return;
        };
        *slot = crate::scenarios::progress::pick(q, slot, c);
    }

    /// Ends the sitting: each answer goes into the review deck.
    fn finish(&mut self, timed_out: bool) {
        let (Some(library), Some(s)) = (self.library.clone(), self.sitting.as_mut()) else {
            return;
        };
        if s.over.is_some() {
            return;
        }
        s.over = Some(timed_out);
        for (r, picked) in s.refs.iter().zip(&s.answers) {
            let (Some(scenario), Some(q)) = (library.scenarios.get(r.scenario), r.get(&library))
            else {
                continue;
            };
            self.deck
                .answered(key(&scenario.id, q), q.is_right(picked), self.now);
        }
        self.deck_dirty = true;
    }

    /// The finished sitting's score per area.
    pub fn result(&self) -> Option<Vec<AreaScore>> {
        let (library, s) = (self.library.as_ref()?, self.sitting.as_ref()?);
        s.over?;
        Some(grade(library, &s.refs, &s.answers))
    }
}

/// The link (fragment, without `#`) that opens the scenario and step a question comes
/// from.
pub fn step_link(library: &Library, r: Ref) -> Option<String> {
    let s = library.scenarios.get(r.scenario)?;
    let step = u32::try_from(s.quiz.get(r.question)?.step).ok()?;
    Some(link::encode(&Shared::new(&s.id, 0, step, s.lab_of(0))))
}
