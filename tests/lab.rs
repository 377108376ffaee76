//! The in-memory lab and the screen model: what a user's clicks do, without a browser.

use cqrs_lab::app::form::{CommandKind, Field};
use cqrs_lab::app::lab::{Lab, JOURNAL_LIMIT};
use cqrs_lab::app::screen::{Feedback, Msg, Screen};
use cqrs_lab::domain::ids::{GlobalPosition, OrderId, StreamVersion};
use cqrs_lab::domain::order::{OrderCommand, OrderStatus, Rejection};

fn click(screen: &mut Screen, kind: CommandKind) {
    screen.update(Msg::ClickedCommand(kind));
}

fn types(screen: &Screen) -> Vec<&'static str> {
    screen.lab.events().iter().map(|e| e.event_type()).collect()
}

#[test]
fn the_default_form_walks_an_order_through_its_whole_life() {
    let mut screen = Screen::default();
    for kind in [
        CommandKind::CreateOrder,
        CommandKind::AddItem,
        CommandKind::SubmitOrder,
        CommandKind::ReceivePayment,
        CommandKind::ShipOrder,
    ] {
        click(&mut screen, kind);
        assert!(
            matches!(&screen.feedback, Feedback::Handled(o) if o.result.is_ok()),
            "{kind:?}: {:?}",
            screen.feedback
        );
    }
    assert_eq!(
        types(&screen),
        [
            "OrderCreated",
            "ItemAdded",
            "OrderSubmitted",
            "PaymentReceived",
            "OrderShipped"
        ]
    );
}

#[test]
fn events_get_contiguous_versions_per_stream_and_increasing_positions() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    screen.update(Msg::EditedField(Field::OrderId, "order-2".into()));
    click(&mut screen, CommandKind::CreateOrder);
    screen.update(Msg::EditedField(Field::OrderId, "order-1".into()));
    click(&mut screen, CommandKind::AddItem);
    let rows: Vec<(&str, u64, u64)> = screen
        .lab
        .events()
        .iter()
        .map(|e| {
            (
                e.stream_id.as_str(),
                e.stream_version.0,
                e.global_position.0,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("order-1", 1, 1), ("order-2", 1, 2), ("order-1", 2, 3)]
    );
}

#[test]
fn a_rejected_command_records_nothing_and_says_why() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    click(&mut screen, CommandKind::SubmitOrder);
    assert_eq!(screen.lab.events().len(), 1);
    let Feedback::Handled(outcome) = &screen.feedback else {
        panic!("expected a handled command, got {:?}", screen.feedback);
    };
    assert_eq!(outcome.result, Err(Rejection::EmptyOrder));
    assert_eq!(
        outcome.describe(),
        "SubmitOrder on order-1 was rejected: an empty order cannot be submitted: add an item first. No event was recorded."
    );
}

#[test]
fn an_unreadable_field_is_named_and_nothing_is_sent() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    screen.update(Msg::EditedField(Field::UnitPrice, "12,50".into()));
    click(&mut screen, CommandKind::AddItem);
    let error = screen
        .field_error(Field::UnitPrice)
        .expect("unit price is named");
    assert_eq!(
        error.to_string(),
        "Unit price must be an amount such as 12.50"
    );
    assert_eq!(screen.lab.events().len(), 1);
    assert_eq!(
        screen.lab.journal().count(),
        1,
        "the bad click sent no command"
    );
}

#[test]
fn editing_the_bad_field_clears_its_error() {
    let mut screen = Screen::default();
    screen.update(Msg::EditedField(Field::OrderId, "order 1".into()));
    click(&mut screen, CommandKind::CreateOrder);
    assert!(screen.field_error(Field::OrderId).is_some());
    screen.update(Msg::EditedField(Field::OrderId, "order-1".into()));
    assert_eq!(screen.feedback, Feedback::Idle);
}

#[test]
fn the_write_model_follows_the_targeted_order() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    click(&mut screen, CommandKind::AddItem);
    click(&mut screen, CommandKind::SubmitOrder);
    let target = screen.target_order().expect("a valid id");
    let stream = screen.lab.stream(&target).expect("order-1 has events");
    assert_eq!(stream.version, StreamVersion(3));
    match &stream.state {
        cqrs_lab::domain::order::OrderState::Created(order) => {
            assert_eq!(order.status, OrderStatus::Submitted);
            assert_eq!(order.total().to_string(), "$25.00");
        }
        other => panic!("expected an order, got {other:?}"),
    }
}

#[test]
fn clicking_an_event_opens_its_json_and_clicking_again_closes_it() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    screen.update(Msg::ClickedEvent(GlobalPosition(1)));
    let open = screen.selected_event().expect("event 1 is open");
    assert!(open
        .to_pretty_json()
        .contains("\"eventType\": \"OrderCreated\""));
    screen.update(Msg::ClickedEvent(GlobalPosition(1)));
    assert!(screen.selected_event().is_none());
    screen.update(Msg::ClickedEvent(GlobalPosition(9)));
    assert!(screen.selected_event().is_none(), "no such event");
}

#[test]
fn the_journal_keeps_only_the_most_recent_outcomes() {
    let mut lab = Lab::new();
    let order = OrderId::parse("order-1").expect("valid");
    for _ in 0..JOURNAL_LIMIT + 5 {
        lab.handle(order.clone(), OrderCommand::SubmitOrder);
    }
    assert_eq!(lab.journal().count(), JOURNAL_LIMIT);
    let first = lab.journal().next().expect("an outcome");
    assert_eq!(first.command_id.as_str(), "cmd-6");
}

#[test]
fn virtual_time_advances_per_command_not_with_the_wall_clock() {
    let mut lab = Lab::new();
    let order = OrderId::parse("order-1").expect("valid");
    lab.handle(order.clone(), OrderCommand::SubmitOrder);
    lab.handle(order, OrderCommand::SubmitOrder);
    assert_eq!(lab.now().0, 200);
}

#[test]
fn clicking_a_stream_targets_that_order() {
    let mut screen = Screen::default();
    click(&mut screen, CommandKind::CreateOrder);
    screen.update(Msg::EditedField(Field::OrderId, "order 2".into()));
    click(&mut screen, CommandKind::CreateOrder);
    assert!(screen.field_error(Field::OrderId).is_some());
    screen.update(Msg::ClickedStream(
        OrderId::parse("order-1").expect("valid"),
    ));
    assert_eq!(screen.form.get(Field::OrderId), "order-1");
    assert_eq!(screen.feedback, Feedback::Idle, "the stale error is gone");
}
