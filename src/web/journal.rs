//! What happened to commands: the answer to the last click, and the log of recent ones.

use crate::app::lab::{Lab, Outcome};
use crate::app::screen::Feedback;
use yew::prelude::*;

/// The answer to the last click, in a live region so screen readers announce it.
pub fn feedback(feedback: &Feedback) -> Html {
    let (class, title, text) = match feedback {
        Feedback::Idle => (
            "idle",
            "Ready",
            "Create an order, add an item and submit it. Each accepted command records events; a rejected one records none and says why.".to_owned(),
        ),
        Feedback::Invalid(error) => (
            "invalid",
            "Not sent",
            format!("{error}. Nothing was sent and nothing changed."),
        ),
        Feedback::Handled(outcome) if outcome.result.is_ok() => {
            ("accepted", "Accepted", outcome.describe())
        }
        Feedback::Handled(outcome) => ("rejected", "Rejected", outcome.describe()),
    };
    html! {
        <div class={classes!("feedback", class)} role="status" aria-live="polite">
            <strong>{ title }</strong>
            <span>{ text }</span>
        </div>
    }
}

/// Recent outcomes, newest first.
pub fn view(lab: &Lab) -> Html {
    if lab.journal().next().is_none() {
        return html! { <p class="empty">{ "No commands yet." }</p> };
    }
    html! {
        <ol class="journal" reversed=true>
            { for lab.journal().rev().map(entry) }
        </ol>
    }
}

fn entry(outcome: &Outcome) -> Html {
    let (class, mark) = if outcome.result.is_ok() {
        ("accepted", "✓ Accepted")
    } else {
        ("rejected", "✗ Rejected")
    };
    html! {
        <li class={class} key={outcome.command_id.as_str()}>
            <span class="mark">{ mark }</span>
            <code>{ outcome.command_id.as_str() }</code>
            <span>{ outcome.describe() }</span>
        </li>
    }
}
