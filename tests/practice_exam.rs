//! The practice exam and the review of due questions, driven through the page's own
//! model: 40 questions across the skills outline's areas in their proportions, in a
//! shuffled order, no feedback until the end, an optional timer, the result per area
//! recounted here from the answers, and wrong answers coming back for review.

use cqrs_lab::app::exam::{step_link, ExamMsg, ExamPage, Kind};
use cqrs_lab::scenarios::exam::{draw, quotas, Ref, EXAM_QUESTIONS};
use cqrs_lab::scenarios::library::Library;
use cqrs_lab::scenarios::link;
use cqrs_lab::scenarios::review::{key, Deck, REVIEW_FORMAT, WAITS_MS};
use cqrs_lab::scenarios::shuffle::mix;
use cqrs_lab::scenarios::skills::Area;
use std::collections::BTreeSet;

fn library() -> Library {
    Library::parse_with_questions(
        include_str!("../static/scenarios.json"),
        include_str!("../static/questions.json"),
    )
    .expect("the shipped library checks")
}

const MINUTE: u64 = 60_000;
const T0: u64 = 1_800_000_000_000;

#[test]
fn an_exam_draws_forty_distinct_questions_in_the_outlines_proportions() {
    let library = library();
    // 40 × 27.5 %, 22.5 %, 17.5 %, 32.5 %: 11, 9, 7 and 13 (largest remainders).
    assert_eq!(quotas([100; 4], 40), [11, 9, 7, 13]);
    // An area short of questions gives its share to the others.
    assert_eq!(quotas([100, 100, 3, 100], 40).iter().sum::<usize>(), 40);
    assert_eq!(quotas([100, 100, 3, 100], 40)[2], 3);
    assert_eq!(quotas([1, 1, 1, 1], 40), [1, 1, 1, 1]);
    let mut firsts = BTreeSet::new();
    for seed in 0..200 {
        let refs = draw(&library, mix(seed), EXAM_QUESTIONS);
        assert_eq!(refs.len(), 40);
        assert_eq!(
            refs.iter().collect::<BTreeSet<_>>().len(),
            40,
            "no question twice"
        );
        let mut per_area = [0; 4];
        for r in &refs {
            let area = r
                .get(&library)
                .and_then(|q| q.area())
                .expect("a tagged question");
            per_area[Area::ALL.iter().position(|a| *a == area).expect("area")] += 1;
        }
        assert_eq!(per_area, [11, 9, 7, 13]);
        // Shuffled: not in the library's order.
        assert!(refs.windows(2).any(|w| w[0] > w[1]));
        firsts.insert(refs[0]);
    }
    assert!(
        firsts.len() > 50,
        "the first question varies: {}",
        firsts.len()
    );
}

/// Picks, for each question, the first choice shown, or the right answers.
fn answer_all(page: &mut ExamPage, library: &Library, right: bool) {
    let n = page.sitting.as_ref().expect("sitting").refs.len();
    for i in 0..n {
        page.update(ExamMsg::GoTo(i));
        let s = page.sitting.as_ref().expect("sitting");
        let q = s.refs[i].get(library).expect("question");
        let picks = if right {
            q.answers()
        } else {
            vec![s.order(library, i)[0]]
        };
        for c in picks {
            page.update(ExamMsg::Picked(c));
        }
    }
}

fn opened(library: &Library, deck: Option<String>, now: u64) -> ExamPage {
    let mut page = ExamPage::default();
    page.update(ExamMsg::Opened {
        deck,
        now,
        entropy: 5,
    });
    page.update(ExamMsg::Loaded(Ok(library.clone())));
    page
}

#[test]
fn no_feedback_until_the_end_then_each_area_scored_and_the_misses_due_for_review() {
    let library = library();
    let mut page = opened(&library, None, T0);
    page.update(ExamMsg::Start { now: T0 });
    answer_all(&mut page, &library, false);
    assert!(page.result().is_none(), "nothing is marked before the end");
    page.update(ExamMsg::Finish {
        now: T0 + 30 * MINUTE,
    });
    let s = page.sitting.clone().expect("sitting");
    assert_eq!(s.over, Some(false));
    let scores = page.result().expect("result");
    // Recount from the answers and the JSON's `correct` marks.
    let mut right = [0u32; 4];
    let mut missed = Vec::new();
    for (r, picked) in s.refs.iter().zip(&s.answers) {
        let q = r.get(&library).expect("question");
        let marked: BTreeSet<usize> = (0..q.choices.len())
            .filter(|c| q.choices[*c].correct)
            .collect();
        let a = Area::ALL
            .iter()
            .position(|x| Some(*x) == q.area())
            .expect("area");
        if picked.iter().copied().collect::<BTreeSet<_>>() == marked {
            right[a] += 1;
        } else {
            missed.push(*r);
        }
    }
    for score in &scores {
        let a = Area::ALL
            .iter()
            .position(|x| *x == score.area)
            .expect("area");
        assert_eq!(score.right, right[a], "{:?}", score.area);
    }
    let total: u32 = scores.iter().map(|a| a.right).sum();
    assert!(
        total * 100 <= 40 * 40,
        "the first choice everywhere scored {total} of 40"
    );
    // Every miss is due for review 10 minutes later, not before.
    assert!(page.deck_dirty);
    let later = T0 + 30 * MINUTE;
    assert!(page.deck.due(&library, later + WAITS_MS[0] - 1).is_empty());
    let due: BTreeSet<Ref> = page
        .deck
        .due(&library, later + WAITS_MS[0])
        .into_iter()
        .collect();
    assert_eq!(due, missed.iter().copied().collect());
    // The review link opens the scenario at the question's step.
    let r = missed[0];
    let shared = link::decode(&step_link(&library, r).expect("link"))
        .expect("some")
        .expect("decodes");
    assert_eq!(shared.scenario, library.scenarios[r.scenario].id);
    assert_eq!(shared.step as usize, r.get(&library).expect("q").step);
}

#[test]
fn the_timer_ends_the_exam_with_the_answers_given_and_answers_then_change_nothing() {
    let library = library();
    let mut page = opened(&library, None, T0);
    page.update(ExamMsg::Timed(true));
    page.update(ExamMsg::Start { now: T0 });
    let s = page.sitting.as_ref().expect("sitting");
    assert_eq!(s.left(T0 + 1_500), Some((59, 59)));
    page.update(ExamMsg::Tick {
        now: T0 + 59 * MINUTE,
    });
    assert!(page.sitting_open());
    page.update(ExamMsg::Tick {
        now: T0 + 60 * MINUTE,
    });
    let s = page.sitting.clone().expect("sitting");
    assert_eq!(s.over, Some(true));
    page.update(ExamMsg::Picked(0));
    assert_eq!(page.sitting.as_ref().map(|s| s.unanswered()), Some(40));
    assert_eq!(
        page.result()
            .map(|r| r.iter().map(|a| a.right).sum::<u32>()),
        Some(0)
    );
}

#[test]
fn a_review_asks_the_due_questions_and_right_answers_wait_longer_until_known() {
    let library = library();
    let s = &library.scenarios[4];
    let (q0, q1) = (&s.quiz[0], &s.quiz[1]);
    let mut deck = Deck::default();
    deck.answered(key(&s.id, q0), false, T0);
    deck.answered(key(&s.id, q1), false, T0);
    deck.answered(key(&s.id, &s.quiz[2]), true, T0);
    assert_eq!(
        deck.cards.len(),
        2,
        "a right answer never missed is not a card"
    );
    let mut page = opened(&library, Some(deck.to_json()), T0 + 11 * MINUTE);
    assert_eq!(page.due().len(), 2);
    page.update(ExamMsg::StartReview {
        now: T0 + 11 * MINUTE,
    });
    let sitting = page.sitting.as_ref().expect("review");
    assert_eq!(sitting.kind, Kind::Review);
    assert_eq!(sitting.refs.len(), 2);
    // One right, one wrong.
    let first = sitting.refs[0];
    for c in first.get(&library).expect("q").answers() {
        page.update(ExamMsg::Picked(c));
    }
    page.update(ExamMsg::Finish {
        now: T0 + 12 * MINUTE,
    });
    let k = |r: Ref| {
        key(
            &library.scenarios[r.scenario].id,
            r.get(&library).expect("q"),
        )
    };
    let card = page.deck.cards[&k(first)];
    assert_eq!((card.level, card.due), (1, T0 + 12 * MINUTE + WAITS_MS[1]));
    let other = page.sitting.as_ref().expect("s").refs[1];
    assert_eq!(page.deck.cards[&k(other)].level, 0);
    // Right at every wait: known after the last, and off the list.
    let mut deck = page.deck.clone();
    for _ in 1..WAITS_MS.len() {
        deck.answered(k(first), true, T0);
    }
    assert!(!deck.cards.contains_key(&k(first)));
}

#[test]
fn a_stored_review_list_of_another_format_or_garbage_is_reported_and_started_afresh() {
    let library = library();
    let other = format!(r#"{{"format":{},"cards":{{}}}}"#, REVIEW_FORMAT + 1);
    for text in [
        other.as_str(),
        "{not json",
        r#"{"format":1,"cards":{"x":{"level":9,"due":0}}}"#,
    ] {
        let page = opened(&library, Some(text.to_owned()), T0);
        let notice = page.notice.clone().expect("said");
        assert!(notice.contains("starts afresh"), "{notice}");
        assert!(page.deck.cards.is_empty());
        assert!(
            page.deck_dirty,
            "the fresh list replaces the unreadable one"
        );
    }
    assert!(Deck::parse(&other).is_err_and(|e| e.contains("format 2")));
    assert!(Deck::parse(&Deck::default().to_json()).is_ok());
}
