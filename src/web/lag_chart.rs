//! The lag charts: how many events each projection is behind the store over the last
//! moments of virtual time, and how old (in virtual ms) the oldest of them is.

use super::slides;
use crate::app::screen::{Msg, Screen};
use crate::app::slides::{lag_now, lag_svg, points, LagMeasure, LagPlot, DASHES};
use yew::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 90.0;

/// The two charts (events and ms behind), a sentence per projection saying where it
/// is now, and the export buttons.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(now) = lag_now(&screen.controls.lag) else {
        return html! { <p class="empty">{ "The chart fills as the simulation runs." }</p> };
    };
    html! {
        <figure class="lag-chart">
            { for LagMeasure::BOTH.into_iter().filter_map(|measure| {
                LagPlot::of(&screen.controls.lag, measure, WIDTH, HEIGHT).map(|plot| chart(&plot, &now))
            }) }
            <figcaption>
                <ul class="legend">
                    { for now.iter().enumerate().map(|(i, words)| html! {
                        <li>
                            <svg viewBox="0 0 30 10" width="30" height="10" aria-hidden="true">
                                <line x1="0" y1="5" x2="30" y2="5" class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} />
                            </svg>
                            { words.clone() }
                        </li>
                    }) }
                </ul>
                { slides::buttons("Lag chart", "cqrs-lab-lag", slides::LAG_SIZE, {
                    let samples = screen.controls.lag.clone();
                    move || lag_svg(&samples).ok_or_else(|| "the chart has no samples yet".to_owned())
                }, send) }
            </figcaption>
        </figure>
    }
}

/// One measure's chart, titled, with its scale.
fn chart(plot: &LagPlot, now: &[String; 3]) -> Html {
    let span = plot.span_ms.max(1) as f64 / 1000.0;
    html! {
        <div class="lag-plot">
            <p class="axis-label"><strong>{ plot.measure.title() }</strong>{ " · " }<span aria-hidden="true">{ plot.scale() }</span></p>
            // Stretched to the panel's width at a fixed height; lines keep their width.
            <svg viewBox={format!("0 0 {WIDTH} {}", HEIGHT + 4.0)} preserveAspectRatio="none" role="img" aria-label={format!("{} over the last {span:.1} s of virtual time, {}. Now: {}", plot.measure.title(), plot.scale(), now.join("; "))}>
                <line x1="0" y1={HEIGHT.to_string()} x2={WIDTH.to_string()} y2={HEIGHT.to_string()} class="axis" vector-effect="non-scaling-stroke" />
                { for plot.lines.iter().enumerate().flat_map(|(i, pieces)| pieces.iter().map(move |piece| html! {
                    <polyline points={points(piece)} class={format!("lag lag-{i}")} stroke-dasharray={DASHES[i]} vector-effect="non-scaling-stroke" />
                })) }
            </svg>
        </div>
    }
}
