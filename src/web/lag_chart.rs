//! The lag chart: how many events each projection is behind the store over the last
//! moments of virtual time, and how old the oldest of them is.

use super::slides;
use crate::app::screen::{Msg, Screen};
use crate::app::slides::{lag_svg, points, LagPlot, DASHES};
use crate::store::ProjectionName;
use yew::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;

/// The chart, a sentence per projection saying where it is now, and the export buttons.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(plot) = LagPlot::of(&screen.lag, WIDTH, HEIGHT) else {
        return html! { <p class="empty">{ "The chart fills as the simulation runs." }</p> };
    };
    let span = plot.span_ms.max(1) as f64;
    html! {
        <figure class="lag-chart">
            <p class="axis-label" aria-hidden="true">{ plot.scale() }</p>
            // Stretched to the panel's width at a fixed height; lines keep their width.
            <svg viewBox={format!("0 0 {WIDTH} {}", HEIGHT + 4.0)} preserveAspectRatio="none" role="img" aria-label={format!("Lag over the last {:.1} s of virtual time. Now: {}", span / 1000.0, plot.now.join("; "))}>
                <line x1="0" y1={HEIGHT.to_string()} x2={WIDTH.to_string()} y2={HEIGHT.to_string()} class="axis" vector-effect="non-scaling-stroke" />
                { for (0..3).map(|i| html! {
                    <polyline points={points(&plot.lines[i])} class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} vector-effect="non-scaling-stroke" />
                }) }
            </svg>
            <figcaption>
                <ul class="legend">
                    { for ProjectionName::ALL.iter().enumerate().map(|(i, _)| html! {
                        <li>
                            <svg viewBox="0 0 30 10" width="30" height="10" aria-hidden="true">
                                <line x1="0" y1="5" x2="30" y2="5" class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} />
                            </svg>
                            { plot.now[i].clone() }
                        </li>
                    }) }
                </ul>
                { slides::buttons("Lag chart", "cqrs-lab-lag", slides::LAG_SIZE, {
                    let samples = screen.lag.clone();
                    move || lag_svg(&samples).ok_or_else(|| "the chart has no samples yet".to_owned())
                }, send) }
            </figcaption>
        </figure>
    }
}
