//! The targeted order as the aggregate sees it: the fold of its stream, and its
//! history with the snapshot a handler starts from.

use crate::app::privacy_view::describe;
use crate::app::screen::{Msg, Screen};
use crate::domain::order::{OrderState, OrderStatus};
use yew::prelude::*;

/// The list of streams (when there is more than one) and the targeted order.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <>
            { streams(screen, send) }
            <div class="stream-view">
                { order(screen) }
                { history(screen) }
            </div>
        </>
    }
}

/// One button per stream; the targeted one is marked as current.
fn streams(screen: &Screen, send: &Callback<Msg>) -> Html {
    let (listed, more) = screen.listed_streams();
    if listed.len() < 2 {
        return Html::default();
    }
    let target = screen.target_order();
    html! {
        <nav class="streams" aria-label="Orders">
            { for listed.into_iter().map(|(id, version)| {
                let current = target.as_ref() == Some(id);
                let version = version.0;
                let onclick = send.reform({
                    let id = id.clone();
                    move |_: MouseEvent| Msg::ClickedStream(id.clone())
                });
                html! {
                    <button
                        type="button"
                        class={classes!("stream", current.then_some("current"))}
                        aria-current={current.then_some("true")}
                        {onclick}
                    >
                        { id.as_str() }
                        <span class="version">{ format!(" v{version}") }</span>
                    </button>
                }
            }) }
            if more {
                <span class="more">
                    { "The most recently changed orders; type any other order id to target it." }
                </span>
            }
        </nav>
    }
}

/// The order named in the form, or a hint if it has no events.
fn order(screen: &Screen) -> Html {
    let Some(order_id) = screen.target_order() else {
        return html! { <p class="empty">{ "Enter a valid order id to see its state." }</p> };
    };
    let Some(stream) = screen.log.stream(&order_id) else {
        return html! {
            <p class="empty">{ format!("Reading order {order_id}…") }</p>
        };
    };
    let OrderState::Created(order) = &stream.state else {
        return html! {
            <p class="empty">{ format!("Order {order_id} has no events yet.") }</p>
        };
    };
    html! {
        <div class="order">
            <dl class="facts">
                <div><dt>{ "Order" }</dt><dd>{ order_id.as_str() }</dd></div>
                <div><dt>{ "Customer" }</dt><dd>{ order.customer_id.as_str() }</dd></div>
                if let Some(personal) = describe(order.personal.as_ref(), &screen.privacy.vault) {
                    <div><dt>{ "Name and address" }</dt><dd class="personal">{ personal }</dd></div>
                }
                <div><dt>{ "Status" }</dt><dd>{ status_badge(order.status) }</dd></div>
                <div><dt>{ "Stream version" }</dt><dd>{ stream.version.0 }</dd></div>
                <div><dt>{ "Total" }</dt><dd>{ order.total().to_string() }</dd></div>
            </dl>
            if order.lines.is_empty() {
                <p class="empty">{ "No items." }</p>
            } else {
                <div class="table-scroll">
                    <table class="lines">
                        <thead>
                            <tr>
                                <th scope="col">{ "Product" }</th>
                                <th scope="col">{ "Name" }</th>
                                <th scope="col" class="num">{ "Unit price" }</th>
                                <th scope="col" class="num">{ "Quantity" }</th>
                                <th scope="col" class="num">{ "Subtotal" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for order.lines.iter().map(|line| html! {
                                <tr key={line.product_id.as_str()}>
                                    <td>{ line.product_id.as_str() }</td>
                                    <td>{ line.product_name.as_str() }</td>
                                    <td class="num">{ line.unit_price.to_string() }</td>
                                    <td class="num">{ line.quantity }</td>
                                    <td class="num">{ line.subtotal().to_string() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </div>
    }
}

fn status_badge(status: OrderStatus) -> Html {
    let class = format!("badge status-{}", status.to_string().to_ascii_lowercase());
    html! { <span class={class}>{ status.to_string() }</span> }
}

/// The targeted order's newest events in version order, with the kept snapshot
/// marked where it falls, and what loading the order costs.
fn history(screen: &Screen) -> Html {
    let Some(order_id) = screen.target_order() else {
        return Html::default();
    };
    let Some(stream) = screen.log.stream(&order_id) else {
        return Html::default();
    };
    let Some(first) = stream.history.front() else {
        return Html::default();
    };
    let every = screen.log.snapshot_every();
    let cost = stream.replay_cost();
    let loading = match stream.snapshot {
        Some(at) => format!(
            "Loading {order_id}: a handler reads the snapshot at v{at} and replays {cost} event{} after it, instead of all {}.",
            if cost == 1 { "" } else { "s" },
            stream.version.0
        ),
        None => format!(
            "No snapshot yet (one every {every} events): loading {order_id} replays all {} event{}.",
            stream.version.0,
            if stream.version.0 == 1 { "" } else { "s" }
        ),
    };
    let older = first.stream_version.0.saturating_sub(1);
    html! {
        <section class="history" aria-labelledby="history-heading">
            <h3 id="history-heading">{ format!("History of {order_id}") }</h3>
            <p class="replay-cost">{ loading }</p>
            if older > 0 {
                <p class="hint">{ format!("{older} older event{} not shown (the event store tab has every one).", if older == 1 { "" } else { "s" }) }</p>
            }
            <ol class="history-list" tabindex="0" aria-labelledby="history-heading">
                { for stream.history.iter().map(|e| {
                    let version = e.stream_version;
                    html! {
                        <>
                            <li key={version.0}>
                                <span class="version">{ format!("v{}", version.0) }</span>
                                <span class="event-type">{ e.event_type() }</span>
                                <span class="at">{ format!("position {} · {} ms", e.global_position.0, e.recorded_at.0) }</span>
                            </li>
                            if stream.snapshot == Some(version) {
                                <li class="snapshot-marker" key={format!("snapshot-{}", version.0)}>
                                    <span class="marker" aria-hidden="true">{ "◆" }</span>
                                    { format!("Snapshot at v{}: the state after this event, kept so a handler need not replay what came before.", version.0) }
                                </li>
                            }
                        </>
                    }
                }) }
            </ol>
        </section>
    }
}
