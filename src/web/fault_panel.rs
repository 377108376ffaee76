//! The fault knobs: the transport, duplicate rate, delivery lag, reordering, the outbox, a failing
//! projection, and a crash.

use crate::app::screen::{ControlsMsg, Msg, Screen};
use crate::engine::config::DEFAULT_SNAPSHOT_EVERY;
use crate::engine::knobs::{Knobs, Lag, SNAPSHOT_CHOICES};
use crate::engine::transport::Transport;
use crate::store::ProjectionName;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The knobs, each labelled, with what it does in a line.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let f = &screen.controls.knobs;
    html! {
        <div class="knobs">
            { super::transport_panel::view(screen, send) }
            { bus(f, send) }
            { failures(screen, send) }
            { schema(f, send) }
        </div>
    }
}

/// A checkbox knob that sends `msg` with its state (`class`: any more classes; a
/// disabled knob is one the transport decides).
fn check(
    (id, label, hint, class): (&'static str, &'static str, Html, Option<&'static str>),
    (checked, disabled): (bool, bool),
    msg: fn(bool) -> ControlsMsg,
    send: &Callback<Msg>,
) -> Html {
    let onchange = send.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(msg(input.checked()))
    });
    let hint_id = format!("{id}-hint");
    html! {
        <div class={classes!("knob", "check", class)}>
            <input {id} type="checkbox" {checked} {disabled} aria-describedby={hint_id.clone()} {onchange} />
            <label for={id}>{ label }</label>
            <p id={hint_id} class="hint">{ hint }</p>
        </div>
    }
}

/// The bus's faults: duplicates, lag, reordering, and the outbox.
fn bus(f: &Knobs, send: &Callback<Msg>) -> Html {
    let on_duplicates = send.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseDuplicateRate(
            input.value().parse().unwrap_or(0),
        ))
    });
    let on_lag = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseLag(
            Lag::from_key(&select.value()).unwrap_or_default(),
        ))
    });
    let lab = f.transport == Transport::Lab;
    let reorder_hint = if lab {
        f.reorder_note()
    } else {
        "The transport decides the order (see its settings)."
    };
    let feed = f.transport.is_change_feed();
    html! {
        <>
            <div class="knob">
                <label for="fault-duplicates">{ "Duplicate rate" }</label>
                <input id="fault-duplicates" type="range" min="0" max="100" step="5"
                    value={f.duplicate_percent.to_string()}
                    aria-valuetext={format!("{} %", f.duplicate_percent)}
                    aria-describedby="fault-duplicates-hint"
                    oninput={on_duplicates} />
                <span class="knob-value" aria-hidden="true">{ format!("{} %", f.duplicate_percent) }</span>
                <p id="fault-duplicates-hint" class="hint">{ f.duplicates_note() }</p>
            </div>
            <div class="knob">
                <label for="fault-lag">{ "Delivery lag" }</label>
                <select id="fault-lag" onchange={on_lag}>
                    { for Lag::ALL.iter().map(|lag| html! {
                        <option value={lag.key()} selected={*lag == f.lag}>{ lag.label() }</option>
                    }) }
                </select>
            </div>
            { check(("fault-reorder", "Reorder", html! { reorder_hint }, None), (f.reorder && lab, !lab), ControlsMsg::ToggledReorder, send) }
            { check(("fault-outbox", "Outbox", html! { outbox_hint(f.outbox_in_force(), feed) }, None), (f.outbox_in_force(), feed), ControlsMsg::ToggledOutbox, send) }
        </>
    }
}

/// A failing projection, the snapshot interval, and a crash with its report.
fn failures(screen: &Screen, send: &Callback<Msg>) -> Html {
    let f = &screen.controls.knobs;
    let on_failing = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseFailing(
            ProjectionName::ALL
                .into_iter()
                .find(|n| n.key() == select.value()),
        ))
    });
    let on_snapshots = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseSnapshotEvery(
            select.value().parse().unwrap_or(DEFAULT_SNAPSHOT_EVERY),
        ))
    });
    html! {
        <>
            <div class="knob">
                <label for="fault-failing">{ "Fail projection" }</label>
                <select id="fault-failing" onchange={on_failing}>
                    <option value="" selected={f.failing.is_none()}>{ "none" }</option>
                    { for ProjectionName::ALL.iter().map(|name| html! {
                        <option value={name.key()} selected={f.failing == Some(*name)}>{ name.title() }</option>
                    }) }
                </select>
            </div>
            <div class="knob">
                <label for="fault-snapshots">{ "Snapshot every" }</label>
                <select id="fault-snapshots" onchange={on_snapshots} aria-describedby="fault-snapshots-hint">
                    { for SNAPSHOT_CHOICES.iter().map(|n| html! {
                        <option value={n.to_string()} selected={f.snapshot_every == *n}>{
                            if *n == DEFAULT_SNAPSHOT_EVERY { format!("{n} events (lab default)") } else { format!("{n} events") }
                        }</option>
                    }) }
                </select>
                <p id="fault-snapshots-hint" class="hint">{ "A handler loads the newest snapshot and replays only the events after it (see Streams)." }</p>
            </div>
            <div class="knob">
                <button type="button" class="danger" aria-describedby="fault-crash-hint"
                    onclick={send.reform(|_: MouseEvent| Msg::Controls(ControlsMsg::ClickedCrash))}>{ "Crash" }</button>
                <p id="fault-crash-hint" class="hint">{ "Drops what lives only in memory (bus messages, work in progress), as a reload does." }</p>
                <p class="crash-report" aria-live="polite">{ screen.controls.crash_report.clone().unwrap_or_default() }</p>
            </div>
        </>
    }
}

/// Schema v2 and its upcaster.
fn schema(f: &Knobs, send: &Callback<Msg>) -> Html {
    let upcaster_hint = "Deploys projection code that reads v2, and v1 events through the upcaster (old orders read as USD). Then resubmit the dead letters or rebuild.";
    html! {
        <fieldset class="schema">
            <legend>{ "Schema" }</legend>
            <div class="knob">
                <button type="button" disabled={f.schema_v2} aria-describedby="schema-v2-hint"
                    onclick={send.reform(|_: MouseEvent| Msg::Controls(ControlsMsg::ClickedDeployV2))}>{ "Deploy schema v2" }</button>
                <p id="schema-v2-hint" class="hint">{
                    if f.schema_v2 {
                        "Deployed: new orders record a currency (OrderCreated v2). Projections still on v1 code fail them."
                    } else {
                        "New orders will record a currency (OrderCreated v2); projections still on v1 code cannot read it."
                    }
                }</p>
            </div>
            { check(("schema-upcaster", "Upcaster", html! { upcaster_hint }, None), (f.upcaster, false), ControlsMsg::ToggledUpcaster, send) }
        </fieldset>
    }
}

/// What the Outbox box means, as it stands (`feed`: the change feed is the transport).
fn outbox_hint(on: bool, feed: bool) -> &'static str {
    if feed {
        "The change feed is the outbox: the projections read the events' own container, so publication follows every write."
    } else if on {
        "On: events and their outbox rows are written in one transaction, and a relay publishes the rows: a crash cannot lose a publication."
    } else {
        "Off: the handler publishes after appending (a dual write), so a crash in between loses the publication."
    }
}
