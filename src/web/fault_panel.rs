//! The fault knobs: duplicate rate, delivery lag, reordering, the outbox, a failing
//! projection, and a crash.

use crate::app::screen::{ControlsMsg, Msg, Screen};
use crate::engine::config::DEFAULT_SNAPSHOT_EVERY;
use crate::engine::knobs::{Knobs, Lag, AZURE_DEFAULTS, SNAPSHOT_CHOICES};
use crate::store::ProjectionName;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The knobs, each labelled, with what it does in a line.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let f = &screen.controls.knobs;
    html! {
        <div class="knobs">
            { azure_profile(f, send) }
            { bus(f, send) }
            { failures(screen, send) }
            { schema(f, send) }
        </div>
    }
}

/// A checkbox knob that sends `msg` with its state (`class`: any more classes).
fn check(
    (id, label, hint, class): (&'static str, &'static str, Html, Option<&'static str>),
    checked: bool,
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
            <input {id} type="checkbox" {checked} aria-describedby={hint_id.clone()} {onchange} />
            <label for={id}>{ label }</label>
            <p id={hint_id} class="hint">{ hint }</p>
        </div>
    }
}

/// The Azure profile's switch and, while on, what each of its settings means.
fn azure_profile(f: &Knobs, send: &Callback<Msg>) -> Html {
    let azure = f.is_azure();
    let hint = if azure {
        "Every knob below is at the Azure profile (Azure defaults where one exists). Change one and the profile is off."
    } else {
        "Sets every knob to a typical Azure setup (Azure defaults where one exists), each explained."
    };
    let toggle = check(
        (
            "fault-azure",
            "Azure profile",
            html! { hint },
            Some("azure-profile"),
        ),
        azure,
        ControlsMsg::ToggledAzureProfile,
        send,
    );
    html! {
        <>
            { toggle }
            if azure {
                <dl class="azure-defaults" aria-label="Azure profile in effect">
                    { for AZURE_DEFAULTS.iter().map(|(what, value, meaning)| html! {
                        <div>
                            <dt>{ *what }</dt>
                            <dd><strong>{ *value }</strong>{ ". " }{ *meaning }</dd>
                        </div>
                    }) }
                </dl>
            }
        </>
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
    let reorder_hint = "Events of one order may overtake each other (no per-partition ordering).";
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
                <p id="fault-duplicates-hint" class="hint">{ "Deliveries the bus sends twice (at-least-once)." }</p>
            </div>
            <div class="knob">
                <label for="fault-lag">{ "Delivery lag" }</label>
                <select id="fault-lag" onchange={on_lag}>
                    { for Lag::ALL.iter().map(|lag| html! {
                        <option value={lag.key()} selected={*lag == f.lag}>{ lag.label() }</option>
                    }) }
                </select>
            </div>
            { check(("fault-reorder", "Reorder", html! { reorder_hint }, None), f.reorder, ControlsMsg::ToggledReorder, send) }
            { check(("fault-outbox", "Outbox", html! { outbox_hint(f.outbox) }, None), f.outbox, ControlsMsg::ToggledOutbox, send) }
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
            { check(("schema-upcaster", "Upcaster", html! { upcaster_hint }, None), f.upcaster, ControlsMsg::ToggledUpcaster, send) }
        </fieldset>
    }
}

/// What the Outbox box means, as it stands.
fn outbox_hint(on: bool) -> &'static str {
    if on {
        "On: events and their outbox rows are written in one transaction, and a relay publishes the rows: a crash cannot lose a publication."
    } else {
        "Off: the handler publishes after appending (a dual write), so a crash in between loses the publication."
    }
}
