//! The question bank a student can trust: the library check, run whenever the library is
//! read, refuses a bank too small, an untagged or unsourced question, a right answer
//! given away by its length, and internal notes in anything shown. Each rule is shown
//! to bite on a library broken in that one way.

use cqrs_lab::scenarios::check::{longest_right, LibraryError, MIN_BANK, MIN_QUESTIONS, NOT_OURS};
use cqrs_lab::scenarios::library::{Each, Library};
use cqrs_lab::scenarios::skills::{place, Area};
use serde_json::Value;

const SHIPPED: &str = include_str!("../static/scenarios.json");
const QUESTIONS: &str = include_str!("../static/questions.json");

/// The shipped scenarios and question bank, as JSON to break.
fn shipped() -> (Value, Value) {
    (
        serde_json::from_str(SHIPPED).expect("JSON"),
        serde_json::from_str(QUESTIONS).expect("JSON"),
    )
}

fn parse((scenarios, questions): &(Value, Value)) -> Result<Library, LibraryError> {
    Library::parse_with_questions(&scenarios.to_string(), &questions.to_string())
}

fn refused(v: &(Value, Value), says: &str) {
    match parse(v) {
        Ok(_) => panic!("a library broken so ({says}) was accepted"),
        Err(e) => assert!(e.to_string().contains(says), "{e} (expected “{says}”)"),
    }
}

#[test]
fn the_shipped_bank_is_large_tagged_sourced_and_balanced() {
    let library = parse(&shipped()).expect("the shipped library checks");
    let questions: Vec<_> = library.scenarios.iter().flat_map(|s| &s.quiz).collect();
    assert!(questions.len() >= MIN_BANK, "{} questions", questions.len());
    for s in &library.scenarios {
        assert!(s.quiz.len() >= MIN_QUESTIONS, "{}: {}", s.id, s.quiz.len());
        assert!(!s.sources.is_empty());
    }
    // Counted here from the JSON, not by the check: how often the right answer is the
    // strictly longest choice of a single-answer question.
    let (_, raw) = shipped();
    let (mut longest, mut singles) = (0, 0);
    for s in raw["quizzes"].as_array().expect("quizzes") {
        for q in s["questions"].as_array().expect("questions") {
            let choices = q["choices"].as_array().expect("choices");
            let right: Vec<&Value> = choices.iter().filter(|c| c["correct"] == true).collect();
            if right.len() != 1 {
                continue;
            }
            singles += 1;
            let len = |c: &Value| c["text"].as_str().expect("text").chars().count();
            let r = len(right[0]);
            if choices
                .iter()
                .filter(|c| c["correct"] != true)
                .all(|c| len(c) < r)
            {
                longest += 1;
            }
        }
    }
    assert!(
        longest * 100 <= 40 * singles,
        "longest right in {longest} of {singles}"
    );
    assert_eq!(longest_right(&questions), (longest, singles));
    // Every area of the outline is asked about, each enough for a practice exam's share.
    for area in Area::ALL {
        let n = questions.iter().filter(|q| q.area() == Some(area)).count();
        assert!(n >= 10, "{area:?}: {n} questions");
    }
    // Several right answers are there, and say how they add up.
    let several: Vec<_> = questions.iter().filter(|q| q.answers().len() > 1).collect();
    assert!(
        several.len() >= 15,
        "{} multiple-answer questions",
        several.len()
    );
    assert!(several.iter().all(|q| q.each.is_some()));
    assert!(several.iter().any(|q| q.each == Some(Each::Part)));
}

#[test]
fn nothing_shown_cites_internal_notes() {
    let text = format!("{SHIPPED}{QUESTIONS}").to_lowercase();
    for word in NOT_OURS {
        // A pattern's name ("the Materialized View") is not a note.
        let found = text.match_indices(word).any(|(at, _)| {
            let next = text[at + word.len()..].chars().next();
            !word.ends_with(char::is_alphanumeric) || !next.is_some_and(char::is_alphanumeric)
        });
        assert!(!found, "the library says “{word}”");
    }
    // Each note word refused wherever it is shown: a step, the glossary, an answer.
    for word in NOT_OURS {
        let said = format!("As {word} says.");
        let mut v = shipped();
        v.0["scenarios"][2]["steps"][0]["why"] = Value::from(said.as_str());
        refused(&v, word);
        let mut v = shipped();
        v.0["glossary"][0]["meaning"] = Value::from(said.as_str());
        refused(&v, word);
        let mut v = shipped();
        v.1["quizzes"][0]["questions"][0]["choices"][1]["why"] = Value::from(said.as_str());
        refused(&v, word);
    }
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][0]["choices"][1]["why"] =
        Value::from("Use the Materialized View pattern.");
    assert!(parse(&v).is_ok());
}

#[test]
fn a_question_needs_a_known_skill_a_step_and_learn_sources() {
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][0]["skill"] = Value::from("Recommend a colour for the portal");
    refused(&v, "is not an item of the skills outline");
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][1]["sources"] = Value::from(Vec::<Value>::new());
    refused(&v, "no Microsoft Learn page cited");
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][1]["sources"][0]["url"] = Value::from("https://example.com/a");
    refused(
        &v,
        "is not a titled page under https://learn.microsoft.com/",
    );
    let mut v = shipped();
    v.0["scenarios"][0]["sources"][0]["url"] = Value::from("http://learn.microsoft.com/x");
    refused(&v, "is not a titled page");
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][2]["step"] = Value::from(40);
    refused(&v, "step 40");
    let mut v = shipped();
    v.1["quizzes"][0]["questions"][2]["choices"][0]["why"] = Value::from("");
    refused(&v, "why it is right or wrong");
    assert!(
        place("Recommend a messaging architecture")
            .is_some_and(|p| p.area == Area::Infrastructure
                && p.group == "Design an application architecture")
    );
}

#[test]
fn answers_must_be_marked_and_several_must_say_how_they_add_up() {
    let mut v = shipped();
    for c in v.1["quizzes"][1]["questions"][0]["choices"]
        .as_array_mut()
        .expect("choices")
    {
        c["correct"] = Value::from(true);
    }
    refused(&v, "marked correct");
    let mut v = shipped();
    let q = &mut v.1["quizzes"][1]["questions"][0];
    let wrong = q["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .position(|c| c["correct"] != true)
        .expect("a wrong choice");
    q["choices"][wrong]["correct"] = Value::from(true);
    if q.get("each").is_some() {
        q.as_object_mut().expect("object").remove("each");
    }
    refused(&v, "several right answers need");
}

#[test]
fn each_scenario_gets_exactly_one_quiz_and_every_quiz_a_scenario() {
    let mut v = shipped();
    v.1["quizzes"].as_array_mut().expect("quizzes").remove(5);
    refused(&v, "not exactly one quiz in the question bank");
    let mut v = shipped();
    let extra = v.1["quizzes"][0].clone();
    v.1["quizzes"].as_array_mut().expect("quizzes").push(extra);
    refused(&v, "not exactly one quiz");
    let mut v = shipped();
    let mut stray = v.1["quizzes"][0].clone();
    stray["scenario"] = Value::from("no-such-scenario");
    v.1["quizzes"].as_array_mut().expect("quizzes").push(stray);
    refused(&v, "a quiz for no scenario: no-such-scenario");
    let v = (shipped().0, Value::from("not a bank"));
    refused(&v, "the question bank: not valid");
}

#[test]
fn too_few_questions_are_refused_per_scenario_and_in_all() {
    let mut v = shipped();
    v.1["quizzes"][3]["questions"]
        .as_array_mut()
        .expect("quiz")
        .truncate(MIN_QUESTIONS - 1);
    refused(
        &v,
        &format!("{} questions (at least {MIN_QUESTIONS})", MIN_QUESTIONS - 1),
    );
    let mut v = shipped();
    for s in v.1["quizzes"].as_array_mut().expect("quizzes") {
        s["questions"]
            .as_array_mut()
            .expect("questions")
            .truncate(MIN_QUESTIONS);
    }
    refused(&v, &format!("questions (at least {MIN_BANK})"));
}

#[test]
fn a_bank_whose_right_answers_are_the_longest_is_refused() {
    let mut v = shipped();
    for s in v.1["quizzes"].as_array_mut().expect("quizzes") {
        for q in s["questions"].as_array_mut().expect("questions") {
            for c in q["choices"].as_array_mut().expect("choices") {
                if c["correct"] == true {
                    let longer = format!(
                        "{} (and this is the one to pick, as it is longest)",
                        c["text"].as_str().unwrap_or("")
                    );
                    c["text"] = Value::from(longer);
                }
            }
        }
    }
    refused(&v, "the right answer is the longest choice");
}
