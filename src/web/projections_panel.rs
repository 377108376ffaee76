//! Each projection: its progress, its handling (idempotent or naive), a rebuild, and its
//! dead-letter queue with resubmission.

use crate::app::diagram::Lane;
use crate::app::privacy_view::reveal;
use crate::app::screen::{ControlsMsg, Msg, Screen};
use crate::app::tabs::projection_id;
use crate::domain::privacy::KeyVault;
use crate::engine::config::ProjectionMode;
use crate::engine::truth::RowState;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One group per projection.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(diagram) = &screen.controls.diagram else {
        return html! { <p class="empty">{ "The projections appear when the engine starts." }</p> };
    };
    let head = screen.log.head().0;
    let hub = screen.controls.knobs.transport.hub().is_some();
    html! {
        <div class="projections">
            { for diagram.lanes.iter().map(|lane| {
                projection(lane, (screen.controls.knobs.mode(lane.name), hub), head, &screen.privacy.vault, send)
            }) }
        </div>
    }
}

/// `mode` is the handling the user chose (the engine takes it on its next frame); `hub`:
/// the transport is Event Hubs, which can replay what it retains.
fn projection(
    lane: &Lane,
    (mode, hub): (ProjectionMode, bool),
    head: u64,
    vault: &KeyVault,
    send: &Callback<Msg>,
) -> Html {
    let name = lane.name;
    let title = name.title();
    let id = projection_id(name);
    let dead_id = format!("{id}-dead-letters");
    let on_mode = send.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ToggledIdempotent(name, input.checked()))
    });
    let behind = head.saturating_sub(lane.checkpoint.0);
    let progress = match lane.rebuilding {
        Some(replayed) => format!("rebuilding: {replayed} events replayed"),
        None => format!(
            "{} row{} · checkpoint {} · {behind} behind",
            lane.rows,
            if lane.rows == 1 { "" } else { "s" },
            lane.checkpoint.0
        ),
    };
    html! {
        <div class="projection" role="group" aria-labelledby={id.clone()}>
            <h3 id={id.clone()} tabindex="-1">{ title }</h3>
            <p class="progress">{ progress }</p>
            <div class="actions">
                <span class="check">
                    <input id={format!("{id}-idempotent")} type="checkbox"
                        checked={mode == ProjectionMode::Idempotent} onchange={on_mode} />
                    <label for={format!("{id}-idempotent")}>{ "Idempotent" }</label>
                </span>
                <button type="button" onclick={send.reform(move |_: MouseEvent| Msg::Controls(ControlsMsg::ClickedRebuild(name)))}>{ "Rebuild" }</button>
                if hub {
                    <button type="button" title="Rebuild from what the hub still retains (1 hour): older events are gone"
                        onclick={send.reform(move |_: MouseEvent| Msg::Controls(ControlsMsg::ClickedReplayFromHub(name)))}>{ "Replay from the hub" }</button>
                }
                <button type="button" disabled={lane.dead_letters == 0}
                    onclick={send.reform(move |_: MouseEvent| Msg::Controls(ControlsMsg::ClickedResubmit(name)))}>{ "Resubmit" }</button>
            </div>
            if lane.wrong_count == 0 {
                <p class="check-ok">{ "✓ No wrong rows: every row matches an exact replay of the events it received." }</p>
            } else {
                <p class="check-bad">{ format!(
                    "⚠ {} wrong row{}: the read model no longer matches an exact replay of its events",
                    lane.wrong_count,
                    if lane.wrong_count == 1 { "" } else { "s" }
                ) }</p>
            }
            if lane.deferred > 0 {
                <p class="hint">{ format!(
                    "{} deliver{} deferred: each waits for an earlier event of its order (Service Bus message deferral), never dead-lettered for waiting.",
                    lane.deferred,
                    if lane.deferred == 1 { "y" } else { "ies" }
                ) }</p>
            }
            { rows_beside_truth(lane, vault) }
            { dead_letters(lane, dead_id) }
        </div>
    }
}

/// A subscription's dead-letter queue, as a table (`id`: its element's).
fn dead_letters(lane: &Lane, id: String) -> Html {
    if lane.dead_letters == 0 {
        return html! { <p class="empty" {id} tabindex="-1">{ "Dead-letter queue: empty." }</p> };
    }
    html! {
        <table class="dead-letters" {id} tabindex="-1">
            <caption>{ format!("Dead-letter queue: {} message{}", lane.dead_letters, if lane.dead_letters == 1 { "" } else { "s" }) }</caption>
            <thead>
                <tr>
                    <th scope="col" class="num">{ "Position" }</th>
                    <th scope="col">{ "Stream" }</th>
                    <th scope="col">{ "Type" }</th>
                    <th scope="col">{ "Why" }</th>
                    <th scope="col" class="num">{ "At" }</th>
                </tr>
            </thead>
            <tbody>
                { for lane.dead.iter().map(|d| html! {
                    <tr>
                        <td class="num">{ d.position.0 }</td>
                        <td>{ d.stream.clone() }</td>
                        <td>{ d.event_type }{ if d.duplicate { " (copy)" } else { "" } }</td>
                        <td>{ d.reason.clone() }</td>
                        <td class="num">{ format!("{} ms", d.at.0) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The rows the newest events touched, and any other wrong rows, each beside the truth
/// (the row with every stored event applied exactly once), flagged current, stale or
/// wrong.
pub fn rows_beside_truth(lane: &Lane, vault: &KeyVault) -> Html {
    let extra_wrong = lane
        .wrong
        .iter()
        .filter(|w| !lane.checks.iter().any(|c| c.key == w.key));
    if lane.checks.is_empty() && lane.wrong.is_empty() {
        return html! { <p class="empty">{ "No rows yet." }</p> };
    }
    // Sealed personal data in a row is opened only now, with the key vault.
    let text = |t: &Option<String>, none: &str| {
        t.as_deref()
            .map_or_else(|| none.to_owned(), |t| reveal(t, vault))
    };
    html! {
        <table class="truth">
            <caption>{ "Newest rows beside the truth" }</caption>
            <thead>
                <tr>
                    <th scope="col">{ "Row" }</th>
                    <th scope="col">{ "Read model shows" }</th>
                    <th scope="col">{ "Truth: every stored event applied once" }</th>
                    <th scope="col">{ "State" }</th>
                </tr>
            </thead>
            <tbody>
                { for lane.checks.iter().map(|c| html! {
                    <tr class={state_class(c.state)}>
                        <th scope="row">{ c.key.clone() }</th>
                        <td>{ text(&c.shows, "(no row yet)") }</td>
                        <td>{ text(&c.truth, "(no row)") }</td>
                        <td>{ state_badge(c.state) }</td>
                    </tr>
                }) }
                { for extra_wrong.map(|w| html! {
                    <tr class="wrong">
                        <th scope="row">{ w.key.clone() }</th>
                        <td>{ text(&w.actual, "(no row)") }</td>
                        <td>{ text(&w.expected, "(no row)") }</td>
                        <td>{ state_badge(RowState::Wrong) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn state_class(state: RowState) -> &'static str {
    match state {
        RowState::Current => "current",
        RowState::Stale { .. } => "stale",
        RowState::Wrong => "wrong",
        RowState::Unknown => "unknown",
    }
}

/// The state in words, with a symbol (never colour alone).
fn state_badge(state: RowState) -> Html {
    let text = match state {
        RowState::Current => "✓ current".to_owned(),
        RowState::Stale { behind, at_least } => format!(
            "◐ stale: {}{behind} event{} not applied yet",
            if at_least { "at least " } else { "" },
            if behind == 1 { "" } else { "s" }
        ),
        RowState::Wrong => "⚠ wrong".to_owned(),
        RowState::Unknown => "… reading the log".to_owned(),
    };
    html! { <span class={classes!("row-state", state_class(state))}>{ text }</span> }
}
