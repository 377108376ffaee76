//! The transport: which service carries events to the projections, the settings a user
//! may change on it, and each setting beside Azure's default and its Learn page.

use crate::app::screen::{ControlsMsg, Msg, Screen};
use crate::app::transports::{controls, settings, Control, TransportKind};
use crate::engine::config::BusConfig;
use crate::engine::knobs::Knobs;
use crate::store::ProjectionName;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The menu, whose settings to change (the bus's or one subscription's), those settings,
/// and which subscriptions have their own.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let f = &screen.controls.knobs;
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
    let scope = screen.controls.scope;
    let shown = scope.map_or(f.transport, |name| f.transport_of(name));
    html! {
        <fieldset class="transport">
            <legend>{ "Transport" }</legend>
            <div class="knob">
                <label for="transport-kind">{ "Events travel by" }</label>
                <select id="transport-kind" class="kind" onchange={on_kind} aria-describedby="transport-kind-hint">
                    { for TransportKind::ALL.iter().map(|k| html! {
                        <option value={k.key()} selected={*k == kind}>{ k.label() }</option>
                    }) }
                </select>
                <p id="transport-kind-hint" class="hint">{ hint }</p>
            </div>
            if kind != TransportKind::Lab { { scope_menu(f, scope, send) } }
            { for controls(&shown, scope.is_some()).into_iter().map(|c| control(c, send)) }
        </fieldset>
    }
}

/// "Settings of": every subscription, or one; and which have their own settings.
fn scope_menu(f: &Knobs, scope: Option<ProjectionName>, send: &Callback<Msg>) -> Html {
    let on_scope = send.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseScope(
            ProjectionName::ALL
                .into_iter()
                .find(|n| n.key() == select.value()),
        ))
    });
    let own: Vec<&str> = f
        .transport
        .differing(&f.subscriptions)
        .map(ProjectionName::title)
        .collect();
    let hint = if own.is_empty() {
        "Every subscription has the bus's settings. A subscription can have its own where the service allows it (the topic's duplicate detection and the hub's partitions stay the bus's).".to_owned()
    } else {
        format!("With settings of their own: {}.", own.join(", "))
    };
    html! {
        <div class="knob">
            <label for="transport-scope">{ "Settings of" }</label>
            <select id="transport-scope" onchange={on_scope} aria-describedby="transport-scope-hint">
                <option value="" selected={scope.is_none()}>{ "every subscription" }</option>
                { for ProjectionName::ALL.iter().map(|name| html! {
                    <option value={name.key()} selected={scope == Some(*name)}>{ name.title() }</option>
                }) }
            </select>
            <p id="transport-scope-hint" class="hint">{ hint }</p>
        </div>
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

/// Each setting in force: the bus's value, each subscription's own where it has some,
/// Azure's default, opt-in or not, the source.
pub fn table(bus: &BusConfig) -> Html {
    let rows = settings(&bus.transport);
    if rows.is_empty() {
        return Html::default();
    }
    let own: Vec<(ProjectionName, Vec<String>)> = bus
        .transport
        .differing(&bus.subscriptions)
        .map(|n| {
            let values = settings(&bus.transport_of(n)).into_iter().map(|s| s.value);
            (n, values.collect())
        })
        .collect();
    html! {
        <div class="table-scroll">
        <table class="transport-settings" aria-label={format!("{} settings in force", bus.transport.name())}>
            <thead><tr>
                <th scope="col">{ "Setting (its Microsoft Learn page)" }</th>
                <th scope="col">{ if own.is_empty() { "In the lab" } else { "In the lab (the bus)" } }</th>
                { for own.iter().map(|(name, _)| html! { <th scope="col">{ name.title() }</th> }) }
                <th scope="col">{ "Azure's default" }</th>
            </tr></thead>
            <tbody>
                { for rows.into_iter().enumerate().map(|(i, s)| html! {
                    <tr>
                        <th scope="row"><a href={s.source} target="_blank" rel="noopener">{ s.name }</a></th>
                        <td>{ s.value }</td>
                        { for own.iter().map(|(_, values)| html! { <td>{ values.get(i).cloned().unwrap_or_default() }</td> }) }
                        <td>{ if s.opt_in { "opt-in · " } else { "" } }{ s.azure_default }</td>
                    </tr>
                }) }
            </tbody>
        </table>
        </div>
    }
}
