//! The timeline (swimlane): one lane per component, each of the newest hops a mark at
//! its virtual time, shaped as on the diagram; hovering a mark says what happened, and
//! the newest hops are listed in words below.

use super::diagram::shape;
use crate::app::component::Component;
use crate::app::screen::Screen;
use crate::app::timeline::{Mark, TimelineView};
use yew::prelude::*;

/// Width of the chart (viewBox units), where the lanes start, and a lane's height.
const WIDTH: f64 = 900.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 12.0;
const LANE: f64 = 26.0;
const TOP: f64 = 6.0;
/// Hops listed in words under the chart.
const LISTED: usize = 12;

/// The workbench's chart and the list of the newest hops.
pub fn view(screen: &Screen) -> Html {
    let Some(timeline) = screen.controls.diagram.as_ref().map(|d| &d.timeline) else {
        return html! { <p class="empty">{ "The timeline appears when the engine starts." }</p> };
    };
    chart(timeline)
}

/// The chart of `timeline` and the list of its newest hops.
pub fn chart(timeline: &TimelineView) -> Html {
    if timeline.marks.is_empty() {
        return html! { <p class="empty">{ "No hops yet. Send a command or press Run script: each hop appears here on its component's lane." }</p> };
    }
    let height = TOP + LANE * Component::LANES.len() as f64 + 24.0;
    let (start, end, now) = (timeline.start().0, timeline.end().0, timeline.now.0);
    let span = end.saturating_sub(start).max(1) as f64;
    let x = |at: u64| LEFT + (at.saturating_sub(start) as f64) / span * (WIDTH - LEFT - RIGHT);
    let y = |c: Component| TOP + LANE * (c.lane() as f64 + 0.5);
    let axis_y = TOP + LANE * Component::LANES.len() as f64;
    html! {
        <>
            <figure class="timeline" aria-label={format!(
                "Timeline: the newest {} hops, from {} to {} (now {}), one lane per component",
                timeline.marks.len(), seconds(start), seconds(end), seconds(now)
            )}>
                <svg viewBox={format!("0 0 {WIDTH} {height}")} role="img" aria-hidden="true">
                    { for Component::LANES.iter().enumerate().map(|(i, c)| html! {
                        <g class={classes!("lane", (i % 2 == 1).then_some("odd"))}>
                            <rect x="0" y={(TOP + LANE * i as f64).to_string()} width={WIDTH.to_string()} height={LANE.to_string()} />
                            <text x="8" y={(y(*c) + 4.0).to_string()}>{ c.title() }</text>
                        </g>
                    }) }
                    <line class="axis" x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()}
                        y1={axis_y.to_string()} y2={axis_y.to_string()} />
                    <text class="tick" x={LEFT.to_string()} y={(axis_y + 16.0).to_string()}>{ seconds(start) }</text>
                    <text class="tick end" x={(WIDTH - RIGHT).to_string()} y={(axis_y + 16.0).to_string()}>{ format!("{} (newest hop)", seconds(end)) }</text>
                    { for timeline.marks.iter().map(|m| html! {
                        <g class="mark">
                            <title>{ format!("{} · {}: {}", seconds(m.at.0), m.component.title(), m.text) }</title>
                            { shape(m.kind, x(m.at.0), y(m.component)) }
                        </g>
                    }) }
                </svg>
            </figure>
            { newest(timeline) }
        </>
    }
}

/// The newest hops in words, newest first.
fn newest(timeline: &TimelineView) -> Html {
    html! {
        <table class="hops">
            <caption>{ "The newest hops" }</caption>
            <thead>
                <tr>
                    <th scope="col" class="num">{ "Time" }</th>
                    <th scope="col">{ "Component" }</th>
                    <th scope="col">{ "What happened" }</th>
                </tr>
            </thead>
            <tbody>
                { for timeline.marks.iter().rev().take(LISTED).map(hop_row) }
            </tbody>
        </table>
    }
}

fn hop_row(m: &Mark) -> Html {
    html! {
        <tr>
            <td class="num">{ seconds(m.at.0) }</td>
            <td>{ m.component.title() }</td>
            <td>{ m.text.clone() }</td>
        </tr>
    }
}

/// Virtual milliseconds as seconds, e.g. "12.345 s".
fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}
