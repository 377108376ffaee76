//! The fulfilment saga drawn: its state machine with how many instances sit in each
//! state, every instance's steps and stream, and the participants' side.

use crate::app::saga_view::{Node, SagaView};
use yew::prelude::*;

const W: f64 = 150.0;
const H: f64 = 58.0;

/// Top-left corner of each state on the drawing.
fn at(node: Node) -> (f64, f64) {
    match node {
        Node::Reserving => (150.0, 60.0),
        Node::Charging => (370.0, 60.0),
        Node::Shipping => (590.0, 60.0),
        Node::Completed => (810.0, 60.0),
        Node::Compensating => (370.0, 210.0),
        Node::Compensated => (810.0, 210.0),
    }
}

fn edge(d: String, class: &'static str) -> Html {
    html! { <path class={classes!("edge", class)} d={d} marker-end="url(#saga-arrow)" /> }
}

/// A label centred on `x`.
fn label(x: f64, y: f64, text: &str) -> Html {
    html! { <text class="edge-label" x={x.to_string()} y={y.to_string()}>{ text.to_owned() }</text> }
}

/// The state machine, with a count on each state.
pub fn machine(name: &str, view: &SagaView) -> Html {
    let summary = Node::ALL
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n.label(),
                view.counts.get(*n as usize).copied().unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let right = |a: Node, b: Node| {
        let ((ax, ay), (bx, _)) = (at(a), at(b));
        format!(
            "M {} {} L {} {}",
            ax + W,
            ay + H / 2.0,
            bx - 2.0,
            ay + H / 2.0
        )
    };
    let (rx, ry) = at(Node::Reserving);
    let (cx, cy) = at(Node::Charging);
    let (sx, sy) = at(Node::Shipping);
    let (kx, ky) = at(Node::Compensating);
    html! {
        <figure class="diagram saga-machine" aria-label={name.to_owned()}>
            <p class="visually-hidden">{ format!("Saga states — {summary}") }</p>
            <svg class="flow" viewBox="0 0 980 300">
                <defs>
                    <marker id="saga-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                <circle class="start" cx="40" cy={(ry + H / 2.0).to_string()} r="9" />
                { edge(format!("M 50 {} L {} {}", ry + H / 2.0, rx - 2.0, ry + H / 2.0), "") }
                { label(99.0, ry + H / 2.0 - 8.0, "submitted") }
                { edge(right(Node::Reserving, Node::Charging), "") }
                { label(rx + W + 35.0, ry + H / 2.0 - 8.0, "reserved") }
                { edge(right(Node::Charging, Node::Shipping), "") }
                { label(cx + W + 35.0, cy + H / 2.0 - 8.0, "charged") }
                { edge(right(Node::Shipping, Node::Completed), "") }
                { label(sx + W + 35.0, sy + H / 2.0 - 8.0, "shipped") }
                // The pivot's loop: refused or late, it is asked again.
                { edge(format!("M {} {} C {} {}, {} {}, {} {}", sx + 40.0, sy, sx + 30.0, sy - 40.0, sx + 120.0, sy - 40.0, sx + 110.0, sy - 2.0), "retry") }
                { label(sx + W / 2.0, sy - 44.0, "refused or late: ask again") }
                // Failures before the pivot start compensation.
                { edge(format!("M {} {} L {} {}", rx + W / 2.0, ry + H, kx + 20.0, ky - 2.0), "dead") }
                { edge(format!("M {} {} L {} {}", cx + W / 2.0, cy + H, kx + W / 2.0, ky - 2.0), "dead") }
                { label(rx + 40.0, ky - 10.0, "refused, or no answer in time") }
                { edge(right(Node::Compensating, Node::Compensated), "") }
                { label((kx + W + at(Node::Compensated).0) / 2.0, ky + H / 2.0 - 8.0, "released, refunded, cancelled") }
                { label(kx + W / 2.0, ky + H + 22.0, "a late success is undone too") }
                { for Node::ALL.into_iter().map(|node| state(node, view.counts.get(node as usize).copied().unwrap_or(0))) }
            </svg>
            <figcaption>
                <ul class="legend" aria-label="Legend">
                    <li>{ "Solid arrows: the way forward" }</li>
                    <li>{ "Dashed red: compensation" }</li>
                    <li>{ "Loop: the pivot (shipping) is retried, never undone" }</li>
                </ul>
            </figcaption>
        </figure>
    }
}

/// A state of the machine, with how many sagas are in it.
fn state(node: Node, n: u32) -> Html {
    let (x, y) = at(node);
    let class = match node {
        _ if n == 0 => "",
        Node::Completed => "done",
        Node::Compensated => "undone",
        Node::Compensating => "alarm",
        _ => "busy",
    };
    let count = match n {
        0 => "none".to_owned(),
        1 => "1 saga".to_owned(),
        n => format!("{n} sagas"),
    };
    html! {
        <g class={classes!("node", class)}>
            <rect x={x.to_string()} y={y.to_string()} width={W.to_string()} height={H.to_string()} rx="10" />
            <text class="node-title" x={(x + W / 2.0).to_string()} y={(y + 24.0).to_string()}>{ node.label() }</text>
            <text class="node-value" x={(x + W / 2.0).to_string()} y={(y + 45.0).to_string()}>{ count }</text>
        </g>
    }
}

/// Every instance, the participants' side and what the run counted.
pub fn details(view: &SagaView) -> Html {
    let c = view.counts_of_run;
    html! {
        <div class="saga-details">
            <div class="table-scroll" tabindex="0" role="region" aria-label="Saga instances">
            <table class="lab-facts saga-instances">
                <caption>{ format!("{} saga instance(s)", view.instances.len()) }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "Order" }</th>
                        <th scope="col">{ "State" }</th>
                        { for view.instances.first().into_iter().flat_map(|i| i.steps.iter()).map(|(step, _)| html! {
                            <th scope="col">{ capitalised(step.label()) }</th>
                        }) }
                        <th scope="col">{ "Customer paid" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for view.instances.iter().map(|i| html! {
                        <tr>
                            <th scope="row">{ i.order_id.clone() }</th>
                            <td class={classes!("phase", i.node.map(node_class))}>{ i.phase.clone() }</td>
                            { for i.steps.iter().map(|(_, status)| html! { <td>{ status.label() }</td> }) }
                            <td class="amount">{ i.net_charged.to_string() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
            { for view.instances.iter().map(|i| html! {
                <details class="saga-stream">
                    <summary>{ format!("Stream saga-{} ({} events){}", i.order_id, i.history.len(), i.reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default()) }</summary>
                    <ol>
                        { for i.history.iter().map(|(at, kind, text)| html! {
                            <li><span class="at">{ format!("{} ms", at.0) }</span>{ " " }<code>{ *kind }</code>{ " " }{ text.clone() }</li>
                        }) }
                    </ol>
                </details>
            }) }
            <div class="saga-participants">
                <table class="lab-facts">
                    <caption>{ "Stock (Inventory streams)" }</caption>
                    <thead><tr><th scope="col">{ "Product" }</th><th scope="col">{ "Free" }</th><th scope="col">{ "Held for orders" }</th></tr></thead>
                    <tbody>
                        { for view.stock.iter().map(|(p, free, held)| html! {
                            <tr><th scope="row">{ format!("stock-{p}") }</th><td>{ free }</td><td>{ held }</td></tr>
                        }) }
                    </tbody>
                </table>
                <table class="lab-facts">
                    <caption>{ "What happened" }</caption>
                    <tbody>
                        { for view.events_by_aggregate.iter().map(|(name, n)| html! {
                            <tr><th scope="row">{ format!("{name} events") }</th><td>{ n }</td></tr>
                        }) }
                        <tr><th scope="row">{ "Copies sent (bus or participant)" }</th><td>{ c.duplicates }</td></tr>
                        <tr><th scope="row">{ "Commands seen again, not done again" }</th><td>{ c.deduplicated }</td></tr>
                        <tr><th scope="row">{ "Deadlines missed" }</th><td>{ c.timeouts }</td></tr>
                        <tr><th scope="row">{ "Crashes of the saga's process" }</th><td>{ c.crashes }</td></tr>
                        <tr><th scope="row">{ "Timers lost in crashes" }</th><td>{ c.timers_lost }</td></tr>
                        <tr><th scope="row">{ "Commands sent again on recovery" }</th><td>{ c.resent }</td></tr>
                    </tbody>
                </table>
            </div>
            { match &view.violations {
                None => html! { <p class="invariants">{ "Messages are still on their way: the invariants are checked once the run has settled." }</p> },
                Some(v) if v.is_empty() => html! { <p class="invariants ok">{ "✓ Every invariant holds: each saga ended completed or compensated (never both), no customer was charged twice, a compensated order costs nothing and holds no stock." }</p> },
                Some(v) => html! {
                    <div class="invariants broken" role="alert">
                        <p>{ "✗ Broken invariants:" }</p>
                        <ul>{ for v.iter().map(|x| html! { <li>{ x.clone() }</li> }) }</ul>
                    </div>
                },
            } }
        </div>
    }
}

fn node_class(node: Node) -> &'static str {
    match node {
        Node::Completed => "done",
        Node::Compensated => "undone",
        Node::Compensating => "alarm",
        _ => "busy",
    }
}

/// The text with its first letter capitalised (the texts are the lab's own, in ASCII:
/// no Unicode case tables are needed).
fn capitalised(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}
