//! The lag chart: how many events each projection is behind the store over the last
//! moments of virtual time, and how old the oldest of them is.

use crate::app::screen::{LagSample, Screen};
use crate::store::ProjectionName;
use yew::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;
/// Each projection's line: its own dash pattern, so colour is never the only signal.
const DASHES: [&str; 3] = ["", "8 4", "2 3"];

/// The chart and a sentence per projection saying where it is now.
pub fn view(screen: &Screen) -> Html {
    let samples = &screen.lag;
    let (Some(first), Some(last)) = (samples.front(), samples.back()) else {
        return html! { <p class="empty">{ "The chart fills as the simulation runs." }</p> };
    };
    let span = last.at.0.saturating_sub(first.at.0).max(1) as f64;
    let top = samples
        .iter()
        .flat_map(|s| s.events)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |s: &LagSample| (s.at.0.saturating_sub(first.at.0)) as f64 / span * WIDTH;
    let y = |v: u64| HEIGHT - (v as f64 / top * (HEIGHT - 10.0));
    // Steps, not slopes: a lag holds until the next sample says otherwise.
    let line = |i: usize| {
        let mut points = Vec::with_capacity(samples.len() * 2);
        let mut previous: Option<u64> = None;
        for s in samples {
            if let Some(before) = previous {
                points.push(format!("{:.1},{:.1}", x(s), y(before)));
            }
            points.push(format!("{:.1},{:.1}", x(s), y(s.events[i])));
            previous = Some(s.events[i]);
        }
        points.join(" ")
    };
    let now: Vec<String> = ProjectionName::ALL
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let ms = last.ms[i].map_or("age unknown".to_owned(), |ms| format!("{ms} ms"));
            format!("{}: {} behind ({ms})", name.title(), last.events[i])
        })
        .collect();
    html! {
        <figure class="lag-chart">
            <p class="axis-label" aria-hidden="true">{ format!("top: {top:.0} events behind · last {:.1} s of virtual time", span / 1000.0) }</p>
            // Stretched to the panel's width at a fixed height; lines keep their width.
            <svg viewBox={format!("0 0 {WIDTH} {}", HEIGHT + 4.0)} preserveAspectRatio="none" role="img" aria-label={format!("Lag over the last {:.1} s of virtual time. Now: {}", span / 1000.0, now.join("; "))}>
                <line x1="0" y1={HEIGHT.to_string()} x2={WIDTH.to_string()} y2={HEIGHT.to_string()} class="axis" vector-effect="non-scaling-stroke" />
                { for (0..3).map(|i| html! {
                    <polyline points={line(i)} class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} vector-effect="non-scaling-stroke" />
                }) }
            </svg>
            <figcaption>
                <ul class="legend">
                    { for ProjectionName::ALL.iter().enumerate().map(|(i, _)| html! {
                        <li>
                            <svg viewBox="0 0 30 10" width="30" height="10" aria-hidden="true">
                                <line x1="0" y1="5" x2="30" y2="5" class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} />
                            </svg>
                            { now[i].clone() }
                        </li>
                    }) }
                </ul>
            </figcaption>
        </figure>
    }
}
