//! Each projection: its progress, its handling (idempotent or naive), a rebuild, and its
//! dead-letter queue with resubmission.

use crate::app::diagram::Lane;
use crate::app::screen::{Msg, Screen};
use crate::engine::config::ProjectionMode;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One group per projection.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(diagram) = &screen.diagram else {
        return html! { <p class="empty">{ "The projections appear when the engine starts." }</p> };
    };
    let head = screen.log.head().0;
    html! {
        <div class="projections">
            { for diagram.lanes.iter().map(|lane| {
                projection(lane, screen.faults.mode(lane.name), head, send)
            }) }
        </div>
    }
}

/// `mode` is the handling the user chose (the engine takes it on its next frame).
fn projection(lane: &Lane, mode: ProjectionMode, head: u64, send: &Callback<Msg>) -> Html {
    let name = lane.name;
    let title = name.title();
    let id = format!("projection-{}", name.key());
    let on_mode = send.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::ToggledIdempotent(name, input.checked())
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
            <h3 id={id.clone()}>{ title }</h3>
            <p class="progress">{ progress }</p>
            <div class="actions">
                <span class="check">
                    <input id={format!("{id}-idempotent")} type="checkbox"
                        checked={mode == ProjectionMode::Idempotent} onchange={on_mode} />
                    <label for={format!("{id}-idempotent")}>{ "Idempotent" }</label>
                </span>
                <button type="button" onclick={send.reform(move |_: MouseEvent| Msg::ClickedRebuild(name))}>{ "Rebuild" }</button>
                <button type="button" disabled={lane.dead_letters == 0}
                    onclick={send.reform(move |_: MouseEvent| Msg::ClickedResubmit(name))}>{ "Resubmit" }</button>
            </div>
            if lane.wrong_count == 0 {
                <p class="check-ok">{ "✓ Every row matches an exact replay of the events it received." }</p>
            } else {
                <table class="wrong-rows">
                    <caption>{ format!(
                        "⚠ {} wrong row{}: the read model no longer matches an exact replay of its events",
                        lane.wrong_count,
                        if lane.wrong_count == 1 { "" } else { "s" }
                    ) }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Row" }</th>
                            <th scope="col">{ "Shows" }</th>
                            <th scope="col">{ "Should show" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for lane.wrong.iter().map(|w| html! {
                            <tr>
                                <th scope="row">{ w.key.clone() }</th>
                                <td class="bad">{ w.actual.clone().unwrap_or_else(|| "(missing)".into()) }</td>
                                <td>{ w.expected.clone().unwrap_or_else(|| "(no row)".into()) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if lane.dead_letters == 0 {
                <p class="empty">{ "Dead-letter queue: empty." }</p>
            } else {
                <table class="dead-letters">
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
                                <td>{ d.reason }</td>
                                <td class="num">{ format!("{} ms", d.at.0) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
