//! The transport: which service carries events to the projections, the settings a user
//! may change on it, and each setting beside Azure's default and its Learn page.

use crate::app::screen::{ControlsMsg, Msg};
use crate::app::transports::{controls, settings, Control, TransportKind};
use crate::engine::knobs::Knobs;
use crate::engine::transport::Transport;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The menu, the transport's own settings, and the table of what is in force.
pub fn view(f: &Knobs, send: &Callback<Msg>) -> Html {
    let on_kind = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseTransport(
            TransportKind::from_key(&select.value()).unwrap_or(TransportKind::Lab),
        ))
    });
    let kind = TransportKind::of(&f.transport);
    let hint = if kind == TransportKind::Lab {
        "Every fault below is a knob. Choose an Azure service to see how it really delivers: each setting at its documented default."
    } else {
        "Choosing a service resets the knobs to its documented defaults; the service decides ordering, retries and dead letters. The Azure view lists each setting beside Azure's default, with its Microsoft Learn page."
    };
    html! {
        <fieldset class="transport">
            <legend>{ "Transport" }</legend>
            <div class="knob">
                <label for="transport-kind">{ "Events travel by" }</label>
                <select id="transport-kind" onchange={on_kind} aria-describedby="transport-kind-hint">
                    { for TransportKind::ALL.iter().map(|k| html! {
                        <option value={k.key()} selected={*k == kind}>{ k.label() }</option>
                    }) }
                </select>
                <p id="transport-kind-hint" class="hint">{ hint }</p>
            </div>
            { for controls(&f.transport).into_iter().map(|c| control(c, send)) }
        </fieldset>
    }
}

/// One control of the transport's settings.
fn control(control: Control, send: &Callback<Msg>) -> Html {
    match control {
        Control::Check(id, label, checked, option) => {
            let onchange = send.reform(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                Msg::Controls(ControlsMsg::SetTransport(option(input.checked())))
            });
            html! {
                <div class="knob check">
                    <input {id} type="checkbox" {checked} {onchange} />
                    <label for={id}>{ label }</label>
                </div>
            }
        }
        Control::Pick(id, label, choices, current, option) => {
            let onchange = send.reform(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                Msg::Controls(ControlsMsg::SetTransport(option(
                    select.value().parse().unwrap_or(current),
                )))
            });
            html! {
                <div class="knob">
                    <label for={id}>{ label }</label>
                    <select {id} {onchange}>
                        { for choices.iter().map(|n| html! {
                            <option value={n.to_string()} selected={*n == current}>{
                                if *n == 0 { "none".to_owned() } else { n.to_string() }
                            }</option>
                        }) }
                    </select>
                </div>
            }
        }
    }
}

/// Each setting in force: the lab's value, Azure's default, opt-in or not, the source.
pub fn table(transport: &Transport) -> Html {
    let rows = settings(transport);
    if rows.is_empty() {
        return Html::default();
    }
    html! {
        <div class="table-scroll">
        <table class="transport-settings" aria-label={format!("{} settings in force", transport.name())}>
            <thead><tr>
                <th scope="col">{ "Setting (its Microsoft Learn page)" }</th>
                <th scope="col">{ "In the lab" }</th>
                <th scope="col">{ "Azure's default" }</th>
            </tr></thead>
            <tbody>
                { for rows.into_iter().map(|s| html! {
                    <tr>
                        <th scope="row"><a href={s.source} target="_blank" rel="noopener">{ s.name }</a></th>
                        <td>{ s.value }</td>
                        <td>{ if s.opt_in { "opt-in · " } else { "" } }{ s.azure_default }</td>
                    </tr>
                }) }
            </tbody>
        </table>
        </div>
    }
}
