//! `evolve`: what each event does to the order's state, one event per test.

mod support;

use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{evolve, fold, Order, OrderEvent, OrderState, OrderStatus};
use support::*;

fn order(events: &[OrderEvent]) -> Order {
    match fold(events) {
        OrderState::Created(order) => order,
        OrderState::NotCreated => panic!("expected an order from {events:?}"),
    }
}

#[test]
fn order_created_opens_an_empty_draft_for_the_customer() {
    let order = order(&[created()]);
    assert_eq!(order.customer_id, customer());
    assert_eq!(order.status, OrderStatus::Draft);
    assert!(order.lines.is_empty());
    assert_eq!(order.total(), Cents::ZERO);
}

#[test]
fn item_added_adds_a_line_or_grows_the_existing_one() {
    let order = order(&[
        created(),
        item_added("a", 1250, 2),
        item_added("b", 199, 1),
        item_added("a", 1250, 3),
    ]);
    let quantities: Vec<(&str, u32)> = order
        .lines
        .iter()
        .map(|l| (l.product_id.as_str(), l.quantity))
        .collect();
    assert_eq!(quantities, [("a", 5), ("b", 1)]);
    assert_eq!(order.total(), Cents(1250 * 5 + 199));
}

#[test]
fn item_removed_drops_the_whole_line() {
    let order = order(&[
        created(),
        item_added("a", 1250, 2),
        item_added("b", 199, 1),
        OrderEvent::ItemRemoved {
            product_id: product("a"),
        },
    ]);
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.total(), Cents(199));
}

#[test]
fn order_submitted_payment_received_and_order_shipped_advance_the_status() {
    let mut events = draft_with_item();
    for (event, status) in [
        (submitted(2500), OrderStatus::Submitted),
        (paid(2500), OrderStatus::Paid),
        (shipped(), OrderStatus::Shipped),
    ] {
        events.push(event);
        assert_eq!(order(&events).status, status);
    }
    assert_eq!(order(&events).total(), Cents(2500), "lines are kept");
}

#[test]
fn order_cancelled_ends_the_order_and_keeps_its_lines() {
    let mut events = draft_with_item();
    events.push(cancelled());
    let order = order(&events);
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.lines.len(), 1);
}

#[test]
fn an_event_before_order_created_changes_nothing() {
    // Never produced by `decide`; a replay must still not fail on it.
    assert_eq!(
        evolve(OrderState::NotCreated, &submitted(100)),
        OrderState::NotCreated
    );
}
