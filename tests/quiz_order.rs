//! The quiz's choices are shown in an order drawn for each attempt: the right answer's
//! place is spread over the positions, picking the first choice everywhere scores about
//! what guessing does, and an attempt reads the same after a reload.

use cqrs_lab::app::guide::{Guide, GuideMsg};
use cqrs_lab::app::study::StudyMsg;
use cqrs_lab::scenarios::library::Library;
use cqrs_lab::scenarios::progress::{right_answers, Progress};
use cqrs_lab::scenarios::shuffle::{choice_order, mix};

fn library() -> Library {
    Library::parse_with_questions(
        include_str!("../static/scenarios.json"),
        include_str!("../static/questions.json"),
    )
    .expect("the shipped library checks")
}

const ATTEMPTS: u64 = 2_000;

#[test]
fn each_order_is_a_permutation_and_the_same_for_the_same_attempt() {
    for seed in 0..200 {
        for n in 0..7 {
            let order = choice_order(seed, 3, n);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert_eq!(order, choice_order(seed, 3, n));
        }
    }
    // Every order of three choices comes up, about equally often.
    let mut seen = std::collections::BTreeMap::new();
    for seed in 0..6_000 {
        *seen.entry(choice_order(mix(seed), 0, 3)).or_insert(0u32) += 1;
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.values().all(|n| (850..=1_150).contains(n)), "{seen:?}");
}

#[test]
fn over_the_library_the_right_answers_place_is_spread() {
    let library = library();
    let mut at = [0u64; 8];
    let mut shown = 0u64;
    for seed in 0..ATTEMPTS {
        let seed = mix(seed);
        for s in &library.scenarios {
            for (q, question) in s.quiz.iter().enumerate() {
                let order = choice_order(seed, q, question.choices.len());
                for answer in question.answers() {
                    let place = order.iter().position(|c| *c == answer).expect("shown");
                    at[place] += 1;
                    shown += 1;
                }
            }
        }
    }
    for (place, n) in at.iter().enumerate() {
        let share = *n as f64 / shown as f64;
        assert!(
            share <= 0.35,
            "position {place} holds the right answer {:.1} % of the time",
            share * 100.0
        );
    }
}

#[test]
fn picking_the_first_choice_everywhere_scores_about_what_guessing_does() {
    let library = library();
    // In expectation over attempts: one answer of n is right 1 / n of the time; one
    // pick never answers a question with several right answers.
    let questions: Vec<(usize, usize)> = library
        .scenarios
        .iter()
        .flat_map(|s| s.quiz.iter().map(|q| (q.choices.len(), q.answers().len())))
        .collect();
    let expected = questions
        .iter()
        .map(|(n, right)| if *right == 1 { 1.0 / *n as f64 } else { 0.0 })
        .sum::<f64>()
        / questions.len() as f64;
    assert!(expected <= 0.35, "{:.1} %", expected * 100.0);
    // And as measured, scoring as the page does.
    let (mut right, mut asked) = (0u64, 0u64);
    for seed in 0..ATTEMPTS {
        let seed = mix(seed);
        for s in &library.scenarios {
            let picked: Vec<Vec<usize>> = (0..s.quiz.len())
                .map(|q| choice_order(seed, q, s.quiz[q].choices.len())[..1].to_vec())
                .collect();
            right += u64::from(right_answers(&s.quiz, &picked));
            asked += s.quiz.len() as u64;
        }
    }
    let measured = right as f64 / asked as f64;
    assert!(measured <= 0.35, "{:.1} %", measured * 100.0);
    assert!(
        (measured - expected).abs() < 0.01,
        "{measured} against {expected}"
    );
}

#[test]
fn an_attempt_reads_the_same_after_a_reload_and_try_again_draws_anew() {
    let mut guide = Guide::default();
    guide.update(GuideMsg::Study(StudyMsg::Seeded(42)));
    guide.update(GuideMsg::Loaded(Ok(library())));
    let first = guide.study.attempt;
    let id = guide.scenario().expect("a scenario").id.clone();
    assert_eq!(guide.study.progress.attempts.get(&id), Some(&first));
    assert!(guide.study.progress_dirty);
    // A reload: the stored progress is read back, the same attempt shows.
    let stored = guide.study.progress.to_json();
    let mut reloaded = Guide::default();
    reloaded.update(GuideMsg::Study(StudyMsg::Seeded(7)));
    reloaded.update(GuideMsg::Study(StudyMsg::ProgressRead(Some(
        stored.clone(),
    ))));
    reloaded.update(GuideMsg::Loaded(Ok(library())));
    assert_eq!(reloaded.study.attempt, first);
    // Read after the library (the other order of the page's messages): the same.
    let mut late = Guide::default();
    late.update(GuideMsg::Study(StudyMsg::Seeded(9)));
    late.update(GuideMsg::Loaded(Ok(library())));
    late.update(GuideMsg::Study(StudyMsg::ProgressRead(Some(stored))));
    assert_eq!(late.study.attempt, first);
    // Try again: a new order, stored.
    reloaded.update(GuideMsg::Study(StudyMsg::Retried));
    assert_ne!(reloaded.study.attempt, first);
    assert_eq!(
        reloaded.study.progress.attempts.get(&id),
        Some(&reloaded.study.attempt)
    );
    assert_eq!(
        Progress::parse(&reloaded.study.progress.to_json()).map(|p| p.attempts.get(&id).copied()),
        Ok(Some(reloaded.study.attempt))
    );
}

#[test]
fn progress_stored_before_attempts_were_kept_still_reads() {
    let old = r#"{"scores":{"happy-path":{"best":2,"total":3,"attempts":1}}}"#;
    let progress = Progress::parse(old).expect("read");
    assert!(progress.attempts.is_empty());
    assert_eq!(progress.score("happy-path").map(|s| s.best), Some(2));
}
