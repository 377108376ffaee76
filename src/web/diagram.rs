//! The live architecture diagram (SVG): client → command bus → handler → event store →
//! outbox → event bus → each subscription's projection → query. Each component shows
//! its queue depth or count; the hops of the last moments move along the edges, each
//! kind with its own shape (and colour, never colour alone).

use super::slides;
use crate::app::component::Component;
use crate::app::diagram::{DiagramView, Lane, Pulse, PulseKind};
use crate::app::diagram_layout::{along, Geometry, Layout, Rect};
use crate::app::screen::{Msg, Screen};
use crate::engine::config::ProjectionMode;
use crate::store::ProjectionName;
use yew::prelude::*;

/// The workbench's diagram, with its legend and its buttons for slides; each node
/// opens the view that details it.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let Some(d) = &screen.controls.diagram else {
        return html! { <p class="empty">{ "The diagram appears when the engine starts." }</p> };
    };
    let layout = Layout::pick(screen.presenter, super::media::width());
    let (w, h) = layout.geometry().size;
    let drawing = (w as u32, h as u32);
    let buttons = slides::buttons(
        "Diagram",
        "cqrs-lab-diagram",
        slides::diagram_size(drawing),
        move || slides::diagram_svg(drawing),
        send,
    );
    figure(
        "Architecture diagram",
        d,
        screen.log.count(),
        screen.log.head().0,
        Some(send),
        buttons,
        layout,
    )
}

/// The diagram of `d`, named `name`, for a store of `events` events up to position
/// `head`; with `links`, each node opens the view that details it; `extra` goes under
/// the legend; drawn in `layout`.
pub fn figure(
    name: &str,
    d: &DiagramView,
    events: u64,
    head: u64,
    links: Option<&Callback<Msg>>,
    extra: Html,
    layout: Layout,
) -> Html {
    let summary = summary(d, events, head);
    let g = layout.geometry();
    let node = |part, title: &str, lines: &[&str], class| {
        let at = g.rect(part).unwrap_or(g.query);
        node(g, at, title, lines, class, part, links)
    };
    let (width, height) = g.size;
    html! {
        <figure class="diagram" aria-label={name.to_owned()}>
            <p class="visually-hidden">{ summary }</p>
            <svg class={classes!("flow", layout.class())} viewBox={format!("0 0 {width} {height}")}>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                { edges(g) }
                { node(Component::Client, "Client", &["you", "and scripts"], "") }
                { node(Component::CommandBus, "Command bus", &[&format!("{} queued", d.commands_queued)], busy(d.commands_queued)) }
                { node(Component::Handler, "Handler", &[&format!("{} rejected", d.rejected), &plural(d.conflicts, "conflict")], "") }
                { node(Component::Store, "Event store", &[&plural(events, "event")], "") }
                { node(Component::Outbox, "Outbox", &[&format!("{} published", d.published)], "") }
                { node(Component::EventBus, d.transport.0, &transport_lines(&d.transport.1), "") }
                { for d.lanes.iter().zip(g.lanes).map(|(lane, at)| subscription(g, lane, at, head, links)) }
                { node(Component::Query, "Query", &["read", "models"], "") }
                <g class="pulses" aria-hidden="true">
                    { for d.pulses.iter().map(|p| pulse(g, p)) }
                </g>
            </svg>
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

/// A subscription's projection and its dead-letter queue, in their boxes `at`.
fn subscription(
    g: &Geometry,
    lane: &Lane,
    at: (Rect, Rect),
    head: u64,
    links: Option<&Callback<Msg>>,
) -> Html {
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
            { node(g, at.0, lane.name.title(), &lines,
                busy(lane.queued + lane.deferred), Component::Projection(lane.name), links) }
            { node(g, at.1, "Dead letters", &dead,
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
    g: &Geometry,
    at: Rect,
    title: &str,
    lines: &[&str],
    class: &'static str,
    part: Component,
    links: Option<&Callback<Msg>>,
) -> Html {
    let (first, gap) = g.text_top(at.y(), lines.len());
    let x = at.x().to_string();
    let shape = html! {
        <g class={classes!("node", class)}>
            <rect x={at.left().to_string()} y={at.top().to_string()}
                width={at.w().to_string()} height={at.h().to_string()} rx="8" />
            <text x={x.clone()} y={first.to_string()} class="node-title">{ title.to_owned() }</text>
            { for lines.iter().enumerate().map(|(i, line)| html! {
                <text x={x.clone()} y={(first + gap + g.line * i as f64).to_string()} class="node-value">{ (*line).to_owned() }</text>
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

fn points(path: &[(f64, f64)]) -> String {
    path.iter()
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn edges(g: &Geometry) -> Html {
    let mut all = vec![
        Component::CommandBus,
        Component::Handler,
        Component::Store,
        Component::Outbox,
        Component::EventBus,
    ];
    for name in ProjectionName::ALL {
        all.push(Component::Projection(name));
        all.push(Component::DeadLetters(name));
    }
    let class = |to: Component| match to {
        Component::DeadLetters(_) => "edge dead",
        // The append and the outbox's row are one transaction.
        Component::Outbox => "edge atomic",
        _ => "edge",
    };
    html! {
        <g class="edges" aria-hidden="true">
            { for all.into_iter().map(|to| html! {
                <polyline points={points(&g.arrow(to))} class={class(to)} marker-end="url(#arrow)" />
            }) }
            { for g.reads().iter().map(|path| html! {
                <polyline points={points(path)} class="edge" marker-end="url(#arrow)" />
            }) }
        </g>
    }
}

fn pulse(g: &Geometry, p: &Pulse) -> Html {
    let (x, y) = along(&g.arrow(p.to), p.progress);
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
