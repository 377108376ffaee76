//! What happened to commands: the answer to the last click, and the log of recent ones.

use crate::app::log_view::{LogView, Outcome, Refusal};
use crate::app::screen::{Feedback, Msg};
use yew::prelude::*;

/// The answer to the last click, in a live region so screen readers announce it;
/// `playing` is false while the simulation is paused.
pub fn feedback(feedback: &Feedback, playing: bool, send: &Callback<Msg>) -> Html {
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
        Feedback::Sending(name) if playing => (
            "sending",
            "Sending",
            format!("{name} is on its way: command bus, handler, event store."),
        ),
        Feedback::Sending(name) => (
            "sending",
            "Paused",
            format!("{name} waits: the simulation is paused. Press Step to move it one hop, or Play."),
        ),
        Feedback::Handled(outcome) => {
            let (class, title) = verdict(outcome);
            (class, title, outcome.describe())
        }
    };
    html! {
        <div class={classes!("feedback", class)} role="status" aria-live="polite">
            <strong>{ title }</strong>
            <span>{ text }</span>
            // On a phone the line floats above the controls at the bottom of the screen.
            if !matches!(feedback, Feedback::Idle) {
                <button type="button" class="dismiss" aria-label="Close this message"
                    onclick={send.reform(|_: MouseEvent| Msg::DismissedFeedback)}>{ "✕" }</button>
            }
        </div>
    }
}

/// Recent outcomes, newest first.
pub fn view(log: &LogView) -> Html {
    if log.journal().next().is_none() {
        return html! { <p class="empty">{ "No commands yet." }</p> };
    }
    html! {
        <ol class="journal" reversed=true tabindex="0" aria-label="Outcomes of recent commands, newest first">
            { for log.journal().rev().map(entry) }
        </ol>
    }
}

fn entry(outcome: &Outcome) -> Html {
    let (class, title) = verdict(outcome);
    let mark = if outcome.result.is_ok() {
        format!("✓ {title}")
    } else {
        format!("✗ {title}")
    };
    html! {
        <li class={class} key={outcome.command_id.as_str()}>
            <span class="mark">{ mark }</span>
            <code>{ outcome.command_id.as_str() }</code>
            <span>{ outcome.describe() }</span>
        </li>
    }
}

/// The outcome's CSS class and one-word title.
fn verdict(outcome: &Outcome) -> (&'static str, &'static str) {
    match &outcome.result {
        Ok(_) => ("accepted", "Accepted"),
        Err(Refusal::Rejected(_)) => ("rejected", "Rejected"),
        Err(Refusal::Conflict { .. }) => ("rejected", "Conflict"),
        Err(Refusal::AlreadyProcessed) => ("rejected", "Duplicate"),
        Err(Refusal::QueueFull) => ("rejected", "Refused"),
        Err(Refusal::StoreFailed(_) | Refusal::Replaced) => ("rejected", "Not stored"),
    }
}
