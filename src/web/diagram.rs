//! The live architecture diagram (SVG): client → command bus → handler → event store →
//! outbox → event bus → each subscription's projection → query. Each component shows
//! its queue depth or count; the hops of the last moments move along the edges, each
//! kind with its own shape (and colour, never colour alone).

use super::slides;
use crate::app::component::Component;
use crate::app::diagram::{DiagramView, Lane, Pulse, PulseKind};
use crate::app::screen::{Msg, Screen};
use crate::engine::config::ProjectionMode;
use crate::store::ProjectionName;
use yew::prelude::*;

/// Width and height of a top-row node (viewBox units).
const W: f64 = 120.0;
const H: f64 = 62.0;
/// Width and height of a lane's projection node, and of a dead-letter queue.
const LANE_W: f64 = 190.0;
const LANE_H: f64 = 62.0;
const DLQ_W: f64 = 104.0;
/// Centre line of the top row, and of each projection's lane.
const TOP: f64 = 40.0;
const LANES: [f64; 3] = [140.0, 212.0, 284.0];
/// Centres of the top row's nodes.
const CLIENT: f64 = 65.0;
const COMMAND_BUS: f64 = 199.0;
const HANDLER: f64 = 333.0;
const STORE: f64 = 467.0;
const OUTBOX: f64 = 601.0;
const EVENT_BUS: f64 = 735.0;
/// Centres of each lane's projection and dead-letter queue, and of the query node.
const PROJECTION: f64 = 890.0;
const DEAD_LETTERS: f64 = 600.0;
const QUERY: f64 = 1045.0;
const QUERY_W: f64 = 76.0;

/// The workbench's diagram, with its legend and its buttons for slides; each node
/// opens the view that details it.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(d) = &screen.controls.diagram else {
        return html! { <p class="empty">{ "The diagram appears when the engine starts." }</p> };
    };
    let buttons = slides::buttons(
        "Diagram",
        "cqrs-lab-diagram",
        slides::DIAGRAM_SIZE,
        slides::diagram_svg,
        send,
    );
    figure(
        "Architecture diagram",
        d,
        screen.log.count(),
        screen.log.head().0,
        Some(send),
        buttons,
    )
}

/// The diagram of `d`, named `name`, for a store of `events` events up to position
/// `head`; with `links`, each node opens the view that details it; `extra` goes under
/// the legend.
pub fn figure(
    name: &str,
    d: &DiagramView,
    events: u64,
    head: u64,
    links: Option<&Callback<Msg>>,
    extra: Html,
) -> Html {
    let summary = summary(d, events, head);
    let node =
        |at, title: &str, lines: &[&str], class, part| node(at, title, lines, class, part, links);
    html! {
        <figure class="diagram" aria-label={name.to_owned()}>
            <p class="visually-hidden">{ summary }</p>
            // On a narrow screen the diagram keeps text of 12 px and more and scrolls
            // sideways in its box (the page does not): focusable, so keys scroll it.
            <div class="flow-box" tabindex="0" role="group" aria-label="The diagram, which scrolls sideways on a narrow screen">
            <svg class="flow" viewBox="0 0 1095 322">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                { edges() }
                { node((CLIENT, TOP, W, H), "Client", &["you", "and scripts"], "", Component::Client) }
                { node((COMMAND_BUS, TOP, W, H), "Command bus", &[&format!("{} queued", d.commands_queued)], busy(d.commands_queued), Component::CommandBus) }
                { node((HANDLER, TOP, W, H), "Handler", &[&format!("{} rejected", d.rejected), &plural(d.conflicts, "conflict")], "", Component::Handler) }
                { node((STORE, TOP, W, H), "Event store", &[&plural(events, "event")], "", Component::Store) }
                { node((OUTBOX, TOP, W, H), "Outbox", &[&format!("{} published", d.published)], "", Component::Outbox) }
                { node((EVENT_BUS, TOP, W, H), d.transport.0, &transport_lines(&d.transport.1), "", Component::EventBus) }
                { for d.lanes.iter().zip(LANES).map(|(lane, y)| subscription(lane, y, head, links)) }
                { node((QUERY, LANES[1], QUERY_W, LANES[2] - LANES[0] + LANE_H), "Query", &["read", "models"], "", Component::Query) }
                <g class="pulses" aria-hidden="true">
                    { for d.pulses.iter().map(pulse) }
                </g>
            </svg>
            </div>
            <figcaption>
                <ul class="legend" aria-label="Legend">
                    { for LEGEND.iter().map(|(kind, text)| html! {
                        <li>
                            <svg viewBox="-8 -8 16 16" width="16" height="16" aria-hidden="true">{ shape(*kind, 0.0, 0.0) }</svg>
                            { *text }
                        </li>
                    }) }
                </ul>
                { extra }
            </figcaption>
        </figure>
    }
}

/// The diagram in words, for a screen reader.
fn summary(d: &DiagramView, events: u64, head: u64) -> String {
    format!(
        "{} command(s) queued; {} events stored; {}",
        d.commands_queued,
        events,
        d.lanes
            .iter()
            .map(|l| format!(
                "{} {} behind with {} queued, {} deferred, {} lost and {} dead-lettered{}",
                l.name.title(),
                head.saturating_sub(l.checkpoint.0),
                l.queued,
                l.deferred,
                l.lost,
                l.dead_letters,
                l.dead
                    .first()
                    .map_or(String::new(), |d| format!(" (the oldest: {})", d.reason))
            ))
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// A subscription's projection and its dead-letter queue, on the lane at `y`.
fn subscription(lane: &Lane, y: f64, head: u64, links: Option<&Callback<Msg>>) -> Html {
    let progress = format!(
        "{} queued · {} behind",
        lane.queued,
        head.saturating_sub(lane.checkpoint.0)
    );
    let deferred = format!("{} deferred", lane.deferred);
    // Messages the transport lost share the mode's line: the box has room for three.
    let first = match lane.lost {
        0 => mode(lane.mode).to_owned(),
        n => format!("{} · {n} lost", mode(lane.mode)),
    };
    let mut lines = vec![first.as_str(), progress.as_str()];
    if lane.deferred > 0 {
        lines.push(deferred.as_str());
    }
    let count = lane.dead_letters.to_string();
    let mut dead = vec![count.as_str()];
    if let Some(oldest) = lane.dead.first() {
        dead.push(oldest.cause);
    }
    let alarm = if lane.dead_letters > 0 { "alarm" } else { "" };
    html! {
        <>
            { node((PROJECTION, y, LANE_W, LANE_H), lane.name.title(), &lines,
                busy(lane.queued + lane.deferred), Component::Projection(lane.name), links) }
            { node((DEAD_LETTERS, y, DLQ_W, LANE_H), "Dead letters", &dead,
                alarm, Component::DeadLetters(lane.name), links) }
        </>
    }
}

const LEGEND: [(PulseKind, &str); 6] = [
    (PulseKind::Normal, "command or event"),
    (PulseKind::Duplicate, "duplicate"),
    (PulseKind::Retry, "retry"),
    (PulseKind::DeadLetter, "dead letter"),
    (PulseKind::Rejected, "rejected"),
    (PulseKind::Conflict, "conflict"),
];

/// The transport's line split at its comma, as the box has room for.
fn transport_lines(line: &str) -> Vec<&str> {
    match line.split_once(", ") {
        Some((first, rest)) => vec![first, rest],
        None => vec![line],
    }
}

/// "1 event", "2 events".
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn mode(mode: ProjectionMode) -> &'static str {
    match mode {
        ProjectionMode::Naive => "naive",
        ProjectionMode::Idempotent => "idempotent",
    }
}

fn busy(queued: u64) -> &'static str {
    if queued > 0 {
        "busy"
    } else {
        ""
    }
}

/// A component: a box with its title and a line or two of figures. With `links`, the
/// node is a link to the view that details `part` (it opens that tab and brings the
/// part into view).
fn node(
    (x, y, w, h): (f64, f64, f64, f64),
    title: &str,
    lines: &[&str],
    class: &'static str,
    part: Component,
    links: Option<&Callback<Msg>>,
) -> Html {
    let first = y - (lines.len() as f64) * 9.0 + 3.0;
    let shape = html! {
        <g class={classes!("node", class)}>
            <rect x={(x - w / 2.0).to_string()} y={(y - h / 2.0).to_string()}
                width={w.to_string()} height={h.to_string()} rx="8" />
            <text x={x.to_string()} y={first.to_string()} class="node-title">{ title.to_owned() }</text>
            { for lines.iter().enumerate().map(|(i, line)| html! {
                <text x={x.to_string()} y={(first + 18.0 + 16.0 * i as f64).to_string()} class="node-value">{ (*line).to_owned() }</text>
            }) }
        </g>
    };
    let Some(send) = links else {
        return shape;
    };
    let (tab, id) = part.details();
    let onclick = send.reform(move |e: MouseEvent| {
        e.prevent_default();
        Msg::ClickedComponent(part)
    });
    // The link is named by what the node shows (its text), so speech and sight agree.
    html! {
        <a href={format!("#{id}")} {onclick} aria-describedby={tab.tab_id()}>{ shape }</a>
    }
}

/// The arrow into a part, as points (none for a part no hop arrives at).
fn path(to: Component) -> Vec<(f64, f64)> {
    let right = |x: f64| x + W / 2.0;
    let left = |x: f64| x - W / 2.0;
    let lane = |name: ProjectionName| {
        ProjectionName::ALL
            .iter()
            .position(|n| *n == name)
            .and_then(|i| LANES.get(i))
            .copied()
            .unwrap_or(LANES[0])
    };
    match to {
        Component::CommandBus => vec![(right(CLIENT), TOP), (left(COMMAND_BUS), TOP)],
        Component::Handler => vec![(right(COMMAND_BUS), TOP), (left(HANDLER), TOP)],
        Component::Store => vec![(right(HANDLER), TOP), (left(STORE), TOP)],
        Component::EventBus => vec![(right(OUTBOX), TOP), (left(EVENT_BUS), TOP)],
        Component::Projection(name) => {
            let y = lane(name);
            vec![
                (EVENT_BUS, TOP + H / 2.0),
                (EVENT_BUS, y),
                (PROJECTION - LANE_W / 2.0, y),
            ]
        }
        Component::DeadLetters(name) => {
            let y = lane(name);
            vec![
                (EVENT_BUS, TOP + H / 2.0),
                (EVENT_BUS, y),
                (DEAD_LETTERS + DLQ_W / 2.0, y),
            ]
        }
        Component::Client | Component::Outbox | Component::Query | Component::System => Vec::new(),
    }
}

fn points(path: &[(f64, f64)]) -> String {
    path.iter()
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn edges() -> Html {
    let mut all = vec![
        Component::CommandBus,
        Component::Handler,
        Component::Store,
        Component::EventBus,
    ];
    for name in ProjectionName::ALL {
        all.push(Component::Projection(name));
        all.push(Component::DeadLetters(name));
    }
    let store_to_outbox = [(STORE + W / 2.0, TOP), (OUTBOX - W / 2.0, TOP)];
    html! {
        <g class="edges" aria-hidden="true">
            { for all.into_iter().map(|to| html! {
                <polyline points={points(&path(to))} class={classes!("edge", matches!(to, Component::DeadLetters(_)).then_some("dead"))} marker-end="url(#arrow)" />
            }) }
            <polyline points={points(&store_to_outbox)} class="edge atomic" marker-end="url(#arrow)" />
            { for LANES.iter().map(|y| html! {
                <polyline points={points(&[(PROJECTION + LANE_W / 2.0, *y), (QUERY - QUERY_W / 2.0, *y)])} class="edge" marker-end="url(#arrow)" />
            }) }
        </g>
    }
}

/// The point `progress` (thousandths) along a path.
fn along(path: &[(f64, f64)], progress: u16) -> (f64, f64) {
    let lengths: Vec<f64> = path
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut left = total * f64::from(progress.min(1000)) / 1000.0;
    for (w, length) in path.windows(2).zip(&lengths) {
        if left <= *length && *length > 0.0 {
            let t = left / length;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        left -= length;
    }
    path.last().copied().unwrap_or((0.0, 0.0))
}

fn pulse(p: &Pulse) -> Html {
    let (x, y) = along(&path(p.to), p.progress);
    shape(p.kind, x, y)
}

/// A pulse's shape at (x, y).
pub fn shape(kind: PulseKind, x: f64, y: f64) -> Html {
    let at = |dx: f64, dy: f64| format!("{},{}", x + dx, y + dy);
    match kind {
        PulseKind::Normal => {
            html! { <circle class="pulse normal" cx={x.to_string()} cy={y.to_string()} r="5" /> }
        }
        PulseKind::Duplicate => html! {
            <polygon class="pulse duplicate" points={[at(0.0, -7.0), at(7.0, 0.0), at(0.0, 7.0), at(-7.0, 0.0)].join(" ")} />
        },
        PulseKind::Retry => html! {
            <polygon class="pulse retry" points={[at(0.0, -7.0), at(7.0, 6.0), at(-7.0, 6.0)].join(" ")} />
        },
        PulseKind::DeadLetter => html! {
            <rect class="pulse dead-letter" x={(x - 6.0).to_string()} y={(y - 6.0).to_string()} width="12" height="12" />
        },
        PulseKind::Rejected => html! {
            <path class="pulse rejected" d={format!("M {} L {} M {} L {}", at(-6.0, -6.0), at(6.0, 6.0), at(-6.0, 6.0), at(6.0, -6.0))} />
        },
        PulseKind::Conflict => {
            html! { <circle class="pulse conflict" cx={x.to_string()} cy={y.to_string()} r="6" /> }
        }
    }
}
