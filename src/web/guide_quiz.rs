//! The scenario page's questions: shown once the last step is reached, in the attempt's
//! order, checked and scored.

use super::question_view::{question_view, Shown};
use crate::app::guide::{Guide, GuideMsg};
use crate::app::study::StudyMsg;
use crate::scenarios::library::Scenario;
use crate::scenarios::shuffle::choice_order;
use yew::prelude::*;

/// The questions, once the last step is reached, and the score once checked.
pub(super) fn quiz(guide: &Guide, scenario: &Scenario, send: &Callback<GuideMsg>) -> Html {
    let last = scenario.steps.len();
    if guide.stage.step < last {
        return html! {
            <section class="panel quiz" aria-labelledby="quiz-heading">
                <h2 id="quiz-heading">{ "Questions" }</h2>
                <p class="hint">{ match scenario.quiz.len() {
                    0 => "Exam-style questions follow the last step.".to_owned(),
                    n => format!("{n} exam-style questions follow the last step."),
                } }</p>
            </section>
        };
    }
    if scenario.quiz.is_empty() {
        let line = match &guide.questions_failed {
            Some(why) => {
                format!("The questions could not be loaded: {why}. Reload the page to try again.")
            }
            None => "Loading the questions…".to_owned(),
        };
        return html! {
            <section class="panel quiz" aria-labelledby="quiz-heading">
                <h2 id="quiz-heading">{ "Questions" }</h2>
                <p class={if guide.questions_failed.is_some() { "warning" } else { "hint" }} role="status">{ line }</p>
            </section>
        };
    }
    let score = guide.score();
    html! {
        <section class="panel quiz" aria-labelledby="quiz-heading">
            <h2 id="quiz-heading">{ "Questions" }</h2>
            { for scenario.quiz.iter().enumerate().map(|(q, question)| {
                let order = choice_order(guide.study.attempt, q, question.choices.len());
                let picked = guide.study.picked.get(q).map_or(&[][..], Vec::as_slice);
                let shown = Shown { number: q + 1, key: "quiz", question, order: &order, picked, reveal: guide.study.checked };
                question_view(&shown, &send.reform(move |c| GuideMsg::Study(StudyMsg::Picked(q, c))))
            }) }
            if let Some((right, total)) = score {
                <p class="score-line" role="status">{ format!("{right} of {total} right ({} %): {}", right * 100 / total.max(1),
                    if right * 100 >= 60 * total { "passed" } else { "not passed yet (60 % passes)" }) }</p>
                <button type="button" onclick={send.reform(|_: MouseEvent| GuideMsg::Study(StudyMsg::Retried))}>{ "Try again" }</button>
            } else {
                if let Some(message) = &guide.study.message {
                    <p class="quiz-message" role="alert">{ message.clone() }</p>
                }
                <button type="button" class="primary" onclick={send.reform(|_: MouseEvent| GuideMsg::Study(StudyMsg::Checked(js_sys::Date::now().max(0.0) as u64)))}>{ "Check answers" }</button>
            }
        </section>
    }
}
