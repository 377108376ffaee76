//! The fault knobs: duplicate rate, delivery lag, reordering, the outbox, a failing
//! projection, and a crash.

use crate::app::screen::{ControlsMsg, Msg, Screen};
use crate::engine::config::DEFAULT_SNAPSHOT_EVERY;
use crate::engine::knobs::{Lag, AZURE_DEFAULTS, SNAPSHOT_CHOICES};
use crate::store::ProjectionName;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The knobs, each labelled, with what it does in a line.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let f = &screen.controls.knobs;
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
    let on_reorder = send.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ToggledReorder(input.checked()))
    });
    let on_outbox = send.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ToggledOutbox(input.checked()))
    });
    let on_upcaster = send.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ToggledUpcaster(input.checked()))
    });
    let on_snapshots = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseSnapshotEvery(
            select.value().parse().unwrap_or(DEFAULT_SNAPSHOT_EVERY),
        ))
    });
    let on_failing = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseFailing(
            ProjectionName::ALL
                .into_iter()
                .find(|n| n.key() == select.value()),
        ))
    });
    let azure = f.is_azure();
    let on_azure = send.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ToggledAzureProfile(input.checked()))
    });
    html! {
        <div class="knobs">
            <div class="knob check azure-profile">
                <input id="fault-azure" type="checkbox" checked={azure}
                    aria-describedby="fault-azure-hint" onchange={on_azure} />
                <label for="fault-azure">{ "Azure profile" }</label>
                <p id="fault-azure-hint" class="hint">{
                    if azure { "Every knob below is at the Azure profile (Azure defaults where one exists). Change one and the profile is off." }
                    else { "Sets every knob to a typical Azure setup (Azure defaults where one exists), each explained." }
                }</p>
            </div>
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
            <div class="knob check">
                <input id="fault-reorder" type="checkbox" checked={f.reorder}
                    aria-describedby="fault-reorder-hint" onchange={on_reorder} />
                <label for="fault-reorder">{ "Reorder" }</label>
                <p id="fault-reorder-hint" class="hint">{ "Events of one order may overtake each other (no per-partition ordering)." }</p>
            </div>
            <div class="knob check">
                <input id="fault-outbox" type="checkbox" checked={f.outbox}
                    aria-describedby="fault-outbox-hint" onchange={on_outbox} />
                <label for="fault-outbox">{ "Outbox" }</label>
                <p id="fault-outbox-hint" class="hint">{ outbox_hint(f.outbox) }</p>
            </div>
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
                <div class="knob check">
                    <input id="schema-upcaster" type="checkbox" checked={f.upcaster}
                        aria-describedby="schema-upcaster-hint" onchange={on_upcaster} />
                    <label for="schema-upcaster">{ "Upcaster" }</label>
                    <p id="schema-upcaster-hint" class="hint">{ "Deploys projection code that reads v2, and v1 events through the upcaster (old orders read as USD). Then resubmit the dead letters or rebuild." }</p>
                </div>
            </fieldset>
        </div>
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
