//! One exam-style question as a form: its choices in the attempt's order (radio buttons
//! for one answer, check boxes for several), and once revealed, why each answer is right
//! or wrong and the Microsoft Learn pages behind it. The scenario quiz, the practice
//! exam and the review of due questions all show questions this way.

use crate::scenarios::library::{Question, Source};
use yew::prelude::*;

/// How a question is shown.
pub struct Shown<'a> {
    /// Its number on the page (from 1).
    pub number: usize,
    /// A prefix that makes its inputs' ids unique on the page.
    pub key: &'a str,
    /// The question.
    pub question: &'a Question,
    /// The library's index of each choice, in the order shown.
    pub order: &'a [usize],
    /// The choices picked (library indices).
    pub picked: &'a [usize],
    /// True once answered: the verdicts and explanations show and nothing can change.
    pub reveal: bool,
}

/// The question, calling `on_pick` with the library's index of a choice picked.
pub fn question_view(shown: &Shown, on_pick: &Callback<usize>) -> Html {
    let q = shown.question;
    let several = q.answers().len() > 1;
    let kind = if several { "checkbox" } else { "radio" };
    let group = format!("{}-q{}", shown.key, shown.number);
    html! {
        <fieldset class="question">
            <legend>{ format!("{}. {}", shown.number, q.prompt) }</legend>
            if let Some(line) = q.instruction() {
                <p class="instruction">{ line }</p>
            }
            { for shown.order.iter().filter_map(|c| Some((*c, q.choices.get(*c)?))).map(|(c, choice)| {
                let id = format!("{group}-c{c}");
                let mine = shown.picked.contains(&c);
                let verdict = shown.reveal.then_some(if choice.correct { "right" } else if mine { "wrong" } else { "" });
                let mark = match (choice.correct, mine) {
                    (true, true) => "✓ Your answer:",
                    (true, false) => "✓",
                    (false, true) => "✗ Your answer:",
                    (false, false) => "✗",
                };
                html! {
                    <div class={classes!("choice", verdict)}>
                        <input type={kind} id={id.clone()} name={group.clone()} checked={mine}
                            disabled={shown.reveal}
                            onchange={on_pick.reform(move |_: Event| c)} />
                        <label for={id}>{ choice.text.clone() }</label>
                        if shown.reveal {
                            <p class="explanation">{ format!("{mark} {}", choice.why) }</p>
                        }
                    </div>
                }
            }) }
            if shown.reveal {
                { sources_line("Learn more:", &q.sources) }
            }
        </fieldset>
    }
}

/// A line of links to Microsoft Learn pages, after `lead`.
pub fn sources_line(lead: &str, sources: &[Source]) -> Html {
    html! {
        <p class="source">
            { lead }
            { for sources.iter().enumerate().map(|(i, s)| html! {
                <>
                    { if i == 0 { " " } else { "; " } }
                    <a href={s.url.clone()} rel="noopener" target="_blank">{ s.title.clone() }</a>
                </>
            }) }
        </p>
    }
}
