//! The practice exam and the review of due questions (the scenario page at `#exam` and
//! `#review`): a start screen, one question at a time with a navigator and the optional
//! clock, then the result per skills area and each wrong answer explained, with a link to
//! the scenario step that shows it.

use super::in_place::InPlace;
use super::question_view::{question_view, Shown};
use super::study_files::{fetch_library, fetch_questions, storage, DECK_KEY};
use crate::app::exam::{step_link, ExamMsg, ExamPage, Kind, Sitting};
use crate::scenarios::exam::{AreaScore, EXAM_MINUTES, EXAM_PASS_PERCENT, EXAM_QUESTIONS};
use crate::scenarios::library::Library;
use crate::scenarios::skills::Area;
use gloo_timers::callback::Interval;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

type Model = InPlace<ExamPage>;

fn now() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The page's settings.
#[derive(Properties, Clone, PartialEq)]
pub struct ExamProps {
    /// Review the due questions at once instead of showing the start screen.
    pub review: bool,
}

/// The practice exam page.
#[component]
pub fn ExamApp(props: &ExamProps) -> Html {
    let model = use_reducer(|| Model::new(ExamPage::default()));
    let send: Callback<ExamMsg> = {
        let model = model.clone();
        Callback::from(move |msg| model.dispatch(msg))
    };
    {
        let model = model.clone();
        let review = props.review;
        use_effect_with((), move |_| {
            model.dispatch(ExamMsg::Opened {
                deck: storage().and_then(|s| s.get_item(DECK_KEY).ok().flatten()),
                now: now(),
                entropy: (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
            });
            let clock = model.clone();
            spawn_local(async move {
                let library = match (fetch_library().await, fetch_questions().await) {
                    (Ok(library), Ok(text)) => {
                        library.with_questions(&text).map_err(|e| e.to_string())
                    }
                    (Err(why), _) | (_, Err(why)) => Err(why),
                };
                model.dispatch(ExamMsg::Loaded(library));
                if review {
                    model.dispatch(ExamMsg::StartReview { now: now() });
                }
            });
            let interval =
                Interval::new(1_000, move || clock.dispatch(ExamMsg::Tick { now: now() }));
            move || drop(interval)
        });
    }
    {
        let handle = model.clone();
        use_effect_with(model.generation, move |_| {
            let mut page = handle.state.borrow_mut();
            if page.deck_dirty {
                page.deck_dirty = false;
                if let Some(s) = storage() {
                    // Full storage or private mode: the review list is not kept.
                    let _ = s.set_item(DECK_KEY, &page.deck.to_json());
                }
            }
        });
    }
    let page = model.state.borrow();
    let body = match (&page.library, &page.failed) {
        (_, Some(why)) => html! {
            <p class="warning" role="alert">{ format!("The questions could not be loaded: {why}. Reload the page to try again.") }</p>
        },
        (None, None) => html! { <p class="empty">{ "Loading the questions…" }</p> },
        (Some(library), None) => match &page.sitting {
            None => start(&page, library, &send),
            Some(s) if s.over.is_none() => sitting(&page, library, s, &send),
            Some(s) => result(&page, library, s, &send),
        },
    };
    html! {
        <main class="guide-page exam-page">
            if let Some(notice) = &page.notice {
                <div class="notice" role="alert">
                    <p>{ notice.clone() }</p>
                    <button type="button" onclick={send.reform(|_: MouseEvent| ExamMsg::Dismissed)}>{ "Dismiss" }</button>
                </div>
            }
            <p class="back"><a href="#">{ "← Back to the scenarios" }</a></p>
            { body }
        </main>
    }
}

fn start(page: &ExamPage, library: &Library, send: &Callback<ExamMsg>) -> Html {
    let due = page.due().len();
    let bank: usize = library.scenarios.iter().map(|s| s.quiz.len()).sum();
    let timed = page.timed;
    let start = send.reform(|_: MouseEvent| ExamMsg::Start { now: now() });
    let toggle = send.reform(move |_: Event| ExamMsg::Timed(!timed));
    html! {
        <section class="panel exam-start" aria-labelledby="exam-heading">
            <h2 id="exam-heading">{ "Practice exam" }</h2>
            <p>{ format!("{EXAM_QUESTIONS} of the {bank} questions of the {} scenarios, drawn in the proportions of the AZ-305 skills outline's four areas and asked in a random order. Answer in any order; nothing is marked until you finish. The lab counts {EXAM_PASS_PERCENT} % right as a pass.", library.scenarios.len()) }</p>
            <ul class="areas">
                { for Area::ALL.iter().map(|a| html! { <li>{ format!("{} ({} of the exam)", a.title(), a.range()) }</li> }) }
            </ul>
            <label class="timer-choice">
                <input type="checkbox" checked={timed} onchange={toggle} />
                { format!("Time me: {EXAM_MINUTES} minutes, then the exam ends") }
            </label>
            <button type="button" class="primary" onclick={start}>{ "Start the exam" }</button>
            <h2 class="review-heading">{ "Review" }</h2>
            if due == 0 {
                <p>{ "No question is due for review. Questions answered wrong here or in a scenario come back after 10 minutes, then after 1, 3, 7 and 21 days while you answer them right." }</p>
            } else {
                <p>{ format!("{due} questions you answered wrong are due again.") }</p>
                <button type="button" onclick={send.reform(|_: MouseEvent| ExamMsg::StartReview { now: now() })}>{ format!("Review due questions ({due})") }</button>
            }
        </section>
    }
}

fn sitting(page: &ExamPage, library: &Library, s: &Sitting, send: &Callback<ExamMsg>) -> Html {
    let (Some(r), Some(picked)) = (s.refs.get(s.at), s.answers.get(s.at)) else {
        return html! {};
    };
    let Some(question) = r.get(library) else {
        return html! {};
    };
    let order = s.order(library, s.at);
    let shown = Shown {
        number: s.at + 1,
        key: "exam",
        question,
        order: &order,
        picked,
        reveal: false,
    };
    let title = match s.kind {
        Kind::Exam => "Practice exam",
        Kind::Review => "Review",
    };
    let at = s.at;
    let last = s.refs.len() - 1;
    html! {
        <section class="panel exam" aria-labelledby="exam-heading">
            <h2 id="exam-heading">{ format!("{title}: question {} of {}", s.at + 1, s.refs.len()) }</h2>
            if let Some((m, sec)) = s.left(page.now) {
                <p class="clock" role="timer" aria-live="off">{ format!("Time left {m}:{sec:02}") }</p>
            }
            { question_view(&shown, &send.reform(ExamMsg::Picked)) }
            <div class="exam-moves">
                <button type="button" disabled={at == 0} onclick={send.reform(move |_: MouseEvent| ExamMsg::GoTo(at.saturating_sub(1)))}>{ "Previous" }</button>
                <button type="button" disabled={at == last} onclick={send.reform(move |_: MouseEvent| ExamMsg::GoTo(at + 1))}>{ "Next" }</button>
            </div>
            <nav class="exam-map" aria-label="Questions">
                { for (0..s.refs.len()).map(|i| {
                    let answered = !s.answers[i].is_empty();
                    let label = format!("Question {}{}", i + 1, if answered { ", answered" } else { "" });
                    html! {
                        <button type="button" aria-label={label} aria-current={(i == at).then_some("true")}
                            class={classes!(answered.then_some("answered"))}
                            onclick={send.reform(move |_: MouseEvent| ExamMsg::GoTo(i))}>{ i + 1 }</button>
                    }
                }) }
            </nav>
            <p class="hint">{ match s.unanswered() {
                0 => "Every question has an answer.".to_owned(),
                n => format!("{n} without an answer (they count as wrong)."),
            } }</p>
            <button type="button" class="primary" onclick={send.reform(|_: MouseEvent| ExamMsg::Finish { now: now() })}>{ "Finish and see the result" }</button>
        </section>
    }
}

fn area_rows(scores: &[AreaScore]) -> Html {
    html! {
        <table class="area-scores">
            <caption>{ "By skills area" }</caption>
            <thead><tr><th scope="col">{ "Area" }</th><th scope="col">{ "Right" }</th><th scope="col">{ "%" }</th></tr></thead>
            <tbody>
                { for scores.iter().map(|a| html! {
                    <tr>
                        <th scope="row">{ a.area.title() }</th>
                        <td>{ format!("{} of {}", a.right, a.asked) }</td>
                        <td>{ a.right * 100 / a.asked.max(1) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn result(page: &ExamPage, library: &Library, s: &Sitting, send: &Callback<ExamMsg>) -> Html {
    let scores = page.result().unwrap_or_default();
    let right: u32 = scores.iter().map(|a| a.right).sum();
    let asked = s.refs.len() as u32;
    let percent = right * 100 / asked.max(1);
    let verdict = if s.kind == Kind::Review {
        "answered right move on to a longer wait; the others come back in 10 minutes"
    } else if percent >= EXAM_PASS_PERCENT {
        "passed"
    } else {
        "not passed yet"
    };
    let wrong: Vec<usize> = (0..s.refs.len())
        .filter(|i| {
            !s.refs[*i]
                .get(library)
                .is_some_and(|q| q.is_right(&s.answers[*i]))
        })
        .collect();
    html! {
        <section class="panel exam-result" aria-labelledby="exam-heading">
            <h2 id="exam-heading">{ if s.kind == Kind::Exam { "Practice exam: result" } else { "Review: result" } }</h2>
            if s.over == Some(true) {
                <p class="warning">{ "Time is up: the exam ended with the answers given." }</p>
            }
            <p class="score-line" role="status">{ format!("{right} of {asked} right ({percent} %): {verdict}.") }</p>
            { area_rows(&scores) }
            <h3>{ if wrong.is_empty() { "Every answer was right." } else { "The answers to look at again" } }</h3>
            { for wrong.iter().map(|i| wrong_answer(library, s, *i)) }
            <button type="button" class="primary" onclick={send.reform(|_: MouseEvent| ExamMsg::Leave)}>{ "Done" }</button>
        </section>
    }
}

fn wrong_answer(library: &Library, s: &Sitting, i: usize) -> Html {
    let (Some(r), Some(picked)) = (s.refs.get(i), s.answers.get(i)) else {
        return html! {};
    };
    let Some(question) = r.get(library) else {
        return html! {};
    };
    let order = s.order(library, i);
    let shown = Shown {
        number: i + 1,
        key: "review",
        question,
        order: &order,
        picked,
        reveal: true,
    };
    let from = library
        .scenarios
        .get(r.scenario)
        .map(|sc| format!("{}, step {}", sc.title, question.step));
    html! {
        <div class="wrong-answer">
            { question_view(&shown, &Callback::noop()) }
            if let (Some(fragment), Some(from)) = (step_link(library, *r), from) {
                <p class="step-link"><a href={format!("#{fragment}")}>{ "Open the step that shows this" }</a>{ format!(" ({from})") }</p>
            }
        </div>
    }
}
