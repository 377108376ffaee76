//! The transport: which service carries events to the projections, the settings a user
//! may change on it, and each setting beside Azure's default and its Learn page.

use crate::app::screen::{ControlsMsg, Msg};
use crate::app::transports::{
    settings, TransportKind, TransportOption, CHECKPOINT_CHOICES, MAX_ATTEMPTS_CHOICES,
    PARTITION_CHOICES, TTL_CHOICES,
};
use crate::engine::knobs::Knobs;
use crate::engine::transport::{ChangeFeedHost, ReceiveMode, Transport};
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
        "Choosing a service resets the knobs to its documented defaults; the service decides ordering, retries and dead letters."
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
            { options(&f.transport, send) }
            { table(&f.transport) }
        </fieldset>
    }
}

/// A checkbox that sends a transport option.
fn toggle(
    (id, label): (&'static str, &'static str),
    checked: bool,
    option: fn(bool) -> TransportOption,
    send: &Callback<Msg>,
) -> Html {
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

/// A select of numbers that sends a transport option.
fn pick(
    (id, label): (&'static str, &'static str),
    (choices, current): (&[u32], u32),
    option: fn(u32) -> TransportOption,
    send: &Callback<Msg>,
) -> Html {
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
                    <option value={n.to_string()} selected={*n == current}>{ n.to_string() }</option>
                }) }
            </select>
        </div>
    }
}

/// The settings of the transport in force that a user may change.
fn options(transport: &Transport, send: &Callback<Msg>) -> Html {
    match transport {
        Transport::Lab => Html::default(),
        Transport::ServiceBus(sb) => {
            let on_ttl = send.reform(|e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                Msg::Controls(ControlsMsg::SetTransport(TransportOption::TimeToLive(
                    select.value().parse().ok(),
                )))
            });
            let ttl = sb.time_to_live.map(|t| t.0 / 1000);
            html! {
                <>
                    { toggle(("sb-receive-delete", "ReceiveAndDelete (at most once)"), sb.receive_mode == ReceiveMode::ReceiveAndDelete, TransportOption::ReceiveAndDelete, send) }
                    { toggle(("sb-duplicates", "Duplicate detection (10 min)"), sb.duplicate_detection.is_some(), TransportOption::DuplicateDetection, send) }
                    <div class="knob">
                        <label for="sb-ttl">{ "Message time-to-live" }</label>
                        <select id="sb-ttl" onchange={on_ttl}>
                            { for TTL_CHOICES.iter().map(|t| html! {
                                <option value={t.map(|s| s.to_string()).unwrap_or_default()} selected={*t == ttl}>{
                                    t.map_or("none (default)".to_owned(), |s| format!("{s} s"))
                                }</option>
                            }) }
                        </select>
                    </div>
                    { toggle(("sb-expiry-dlq", "Dead-letter expired messages"), sb.dead_letter_on_expiration, TransportOption::DeadLetterOnExpiration, send) }
                </>
            }
        }
        Transport::EventGrid(grid) => html! {
            <>
                { toggle(("grid-dead-letter", "Dead-letter container"), grid.dead_letter, TransportOption::DeadLetterContainer, send) }
                { pick(("grid-attempts", "Max attempts"), (&MAX_ATTEMPTS_CHOICES, grid.max_attempts), TransportOption::MaxAttempts, send) }
            </>
        },
        Transport::EventHubs(hub) => html! {
            <>
                { pick(("hub-partitions", "Partitions"), (&PARTITION_CHOICES, hub.partitions), TransportOption::Partitions, send) }
                { pick(("hub-checkpoint", "Checkpoint every (events)"), (&CHECKPOINT_CHOICES, hub.checkpoint_every), TransportOption::CheckpointEvery, send) }
            </>
        },
        Transport::ChangeFeed(cf) if cf.host != ChangeFeedHost::Processor => toggle(
            ("feed-retry", "Retry policy (5 retries)"),
            cf.host == ChangeFeedHost::FunctionsWithRetry,
            TransportOption::RetryPolicy,
            send,
        ),
        Transport::ChangeFeed(_) => Html::default(),
    }
}

/// Each setting in force: the lab's value, Azure's default, opt-in or not, the source.
fn table(transport: &Transport) -> Html {
    let rows = settings(transport);
    if rows.is_empty() {
        return Html::default();
    }
    html! {
        <table class="transport-settings" aria-label={format!("{} settings in force", transport.name())}>
            <thead><tr>
                <th scope="col">{ "Setting" }</th>
                <th scope="col">{ "In the lab" }</th>
                <th scope="col">{ "Azure" }</th>
            </tr></thead>
            <tbody>
                { for rows.into_iter().map(|s| html! {
                    <tr>
                        <th scope="row">{ s.name }</th>
                        <td>{ s.value }</td>
                        <td>
                            if s.opt_in { <span class="opt-in">{ "opt-in · " }</span> }
                            { "default: " }{ s.azure_default }
                            <p class="hint">{ s.meaning }{ " " }
                                <a href={s.source} target="_blank" rel="noopener" aria-label={format!("{} on Microsoft Learn", s.name)}>{ "Microsoft Learn" }</a>
                            </p>
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
