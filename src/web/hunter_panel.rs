//! "Find a failure": the counterexample hunter's controls, progress and result.

use crate::app::confirm::Confirm;
use crate::app::hunter::{describe_knobs, Case, Phase};
use crate::app::screen::{HuntMsg, Msg, Screen};
use yew::prelude::*;

fn case_list(case: &Case) -> Html {
    html! {
        <ol class="case-script" aria-label="The failing case's commands">
            { for case.script.iter().map(|c| html! {
                <li>
                    <span class="at">{ format!("{} ms", c.at.0) }</span>{ " " }
                    { format!("client {} → {} {} ({})", c.client.0, c.command.name(), c.order_id, c.command_id) }
                </li>
            }) }
        </ol>
    }
}

/// The hunter's section of the left column.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let find = html! {
        <button type="button" aria-describedby="hunter-hint"
            onclick={send.reform(|_: MouseEvent| Msg::Hunt(HuntMsg::ClickedFindFailure))}>{ "Find a failure" }</button>
    };
    let stop = |label: &'static str| {
        html! {
            <button type="button" onclick={send.reform(|_: MouseEvent| Msg::Hunt(HuntMsg::ClickedStopHunt))}>{ label }</button>
        }
    };
    let body = match screen.hunting.hunt.as_ref() {
        None => find,
        Some(hunt) => {
            let (tried, of) = hunt.progress();
            match hunt.phase() {
                Phase::Searching => html! {
                    <div class="hunt-progress">
                        <progress max={of.to_string()} value={tried.to_string()} aria-label="Seeds tried"></progress>
                        <p>{ format!("Trying seed {tried} of {of}…") }</p>
                        { stop("Cancel") }
                    </div>
                },
                Phase::Shrinking { first } => html! {
                    <div class="hunt-progress">
                        <p>{ format!("Failure found at seed {} ({} commands). Shrinking: {} command(s) so far, {} runs…",
                            first.seed, first.script.len(), hunt.best().map_or(0, |b| b.script.len()), hunt.runs()) }</p>
                        { stop("Cancel") }
                    </div>
                },
                Phase::Passed => html! {
                    <div class="hunt-result passed">
                        <p>{ format!("No failure in {of} seeds: with these knobs every read model matched the store and no order was paid twice.") }</p>
                        { find }
                        { stop("Close") }
                    </div>
                },
                Phase::Found { first, shrunk } => html! {
                    <div class="hunt-result found" role="status">
                        <p><strong>{ "Invariant broken: " }</strong>{ shrunk.broken.clone() }</p>
                        <p>{ format!("Found at seed {} after {tried} seed(s); shrunk from {} commands to {} in {} runs. It needs: {}; seed {}.",
                            first.seed, first.script.len(), shrunk.script.len(), hunt.runs(), describe_knobs(&shrunk.knobs), shrunk.seed) }</p>
                        { case_list(shrunk) }
                        if screen.confirming == Some(Confirm::LoadCase) {
                            <div class="confirm" role="group" aria-label="Confirm loading the case">
                                <span>{ "This deletes every stored event (export them first if you need them) and loads the case, paused." }</span>
                                <button type="button" class="danger confirm-yes"
                                    onclick={send.reform(|_: MouseEvent| Msg::Hunt(HuntMsg::ConfirmedLoadCase))}>{ "Delete and load" }</button>
                                <button type="button" onclick={send.reform(|_: MouseEvent| Msg::Hunt(HuntMsg::CancelledLoadCase))}>{ "Keep my events" }</button>
                            </div>
                        } else {
                            <button type="button" class="primary"
                                onclick={send.reform(|_: MouseEvent| Msg::Hunt(HuntMsg::ClickedLoadCase))}>{ "Load the failing case" }</button>
                        }
                        { stop("Close") }
                    </div>
                },
            }
        }
    };
    html! {
        <div class="hunter-body">
            <p id="hunter-hint" class="hint">{ "Runs up to 500 seeds of the knobs above, each with a generated script from three clients, on an in-memory copy (your stored events are not touched). It stops at the first run where a read model differs from the store or never catches up, or an order is paid twice, and shrinks it to a small case." }</p>
            { body }
            <p class="hunt-note" aria-live="polite">{ screen.hunting.note.clone().unwrap_or_default() }</p>
        </div>
    }
}
