//! Properties of the Order aggregate over many random command sequences (proptest):
//! whatever the commands, the store's events replay to the same state and every business
//! invariant holds. A failure prints the shrunk command sequence.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::app::log_view::LogView;
use cqrs_lab::app::session::{run_in_memory, Session};
use cqrs_lab::domain::envelope::EventEnvelope;
use cqrs_lab::domain::ids::{CustomerId, OrderId, ProductId};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{
    fold, OrderCommand, OrderEvent, OrderState, OrderStatus, MAX_QUANTITY,
};
use cqrs_lab::engine::views::Stream;
use cqrs_lab::store::MemoryStore;
use proptest::prelude::*;

fn product() -> impl Strategy<Value = ProductId> {
    prop::sample::select(vec!["a", "b", "c"]).prop_map(|p| ProductId::parse(p).expect("valid"))
}

/// Commands with a bias towards valid ones, plus the invalid values the rules guard against.
fn command() -> impl Strategy<Value = OrderCommand> {
    let cents = prop_oneof![
        4 => prop::sample::select(vec![100i64, 250, 1250]),
        1 => -200i64..=0,
    ];
    let quantity = prop_oneof![4 => 1i64..=5, 1 => -2i64..=0, 1 => Just(i64::from(MAX_QUANTITY))];
    prop_oneof![
        1 => Just(OrderCommand::CreateOrder {
            customer_id: CustomerId::parse("c-1").expect("valid"), currency: None, personal: None
        }),
        6 => (product(), cents.clone(), quantity).prop_map(|(product_id, c, quantity)| {
            OrderCommand::AddItem {
                product_id,
                product_name: "Thing".into(),
                unit_price: Cents(c),
                quantity,
            }
        }),
        2 => product().prop_map(|product_id| OrderCommand::RemoveItem { product_id }),
        2 => Just(OrderCommand::SubmitOrder),
        2 => (0i64..=6000).prop_map(|c| OrderCommand::ReceivePayment {
            amount: Cents(c - c % 50),
            payment_method: "card".into(),
            transaction_id: "t-1".into(),
        }),
        1 => Just(OrderCommand::ShipOrder {
            carrier: "Contoso".into(),
            tracking_number: "TRK".into()
        }),
        1 => Just(OrderCommand::CancelOrder {
            reason: "why not".into(),
            cancelled_by: "test".into()
        }),
    ]
}

fn status_of(state: &OrderState) -> Option<OrderStatus> {
    match state {
        OrderState::NotCreated => None,
        OrderState::Created(order) => Some(order.status),
    }
}

/// The order's status may only move forward along the life cycle.
fn allowed(from: Option<OrderStatus>, to: Option<OrderStatus>) -> bool {
    use OrderStatus::*;
    from == to
        || matches!(
            (from, to),
            (None, Some(Draft))
                | (Some(Draft), Some(Submitted | Cancelled))
                | (Some(Submitted), Some(Paid | Cancelled))
                | (Some(Paid), Some(Shipped | Cancelled))
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_command_sequence_keeps_every_invariant(commands in prop::collection::vec(command(), 1..40)) {
        // The page's path: a session's engine on a store, and the view of that store.
        let (mut session, mut store, mut lab) = (Session::new(""), MemoryStore::new(), LogView::new());
        let order = OrderId::parse("order-1").expect("valid");
        // The page reads the targeted order first (empty here), then folds what arrives.
        lab.put_stream(order.clone(), Stream::fold(store.load_stream(&order)));
        let mut previous = OrderState::NotCreated;
        for command in commands {
            let before = lab.count();
            let sent = session.send(order.clone(), command);
            run_in_memory(&mut session, &mut store);
            let accepted = session.outcome(&sent).expect("handled").result.is_ok();
            lab.absorb(store.read_all(lab.head(), u64::MAX).to_vec());
            // A rejected command records nothing; an accepted one records something.
            prop_assert_eq!(accepted, lab.count() > before);
            let state = lab.stream(&order).map(|s| s.state.clone()).unwrap_or_default();
            prop_assert!(allowed(status_of(&previous), status_of(&state)),
                "{:?} -> {:?}", status_of(&previous), status_of(&state));
            // Items change only while the order is a draft.
            if let (OrderState::Created(before), OrderState::Created(after)) = (&previous, &state) {
                if before.status != OrderStatus::Draft {
                    prop_assert_eq!(&before.lines, &after.lines);
                }
            }
            previous = state;
        }
        let log: Vec<EventEnvelope> = store.events().iter().map(|e| e.as_ref().clone()).collect();
        check_log(&log, &previous)?;
    }
}

/// The log replays to the lab's state, is well numbered, and tells a consistent story.
fn check_log(log: &[EventEnvelope], state: &OrderState) -> Result<(), TestCaseError> {
    let events: Vec<&OrderEvent> = log.iter().map(|e| &e.event).collect();
    prop_assert_eq!(&fold(events.iter().copied()), state);
    // A handler replays into the lines of the aggregate it replayed before: the same
    // state, whatever that buffer held.
    let mut spare = Vec::new();
    for _ in 0..2 {
        let mut reused = OrderState::NotCreated;
        for event in events.iter().copied() {
            reused.apply_reusing(event, &mut spare);
        }
        prop_assert_eq!(&reused, state);
        reused.recycle(&mut spare);
        prop_assert!(spare.is_empty());
    }
    for (i, envelope) in log.iter().enumerate() {
        prop_assert_eq!(envelope.global_position.0, i as u64 + 1);
        prop_assert_eq!(envelope.stream_version.0, i as u64 + 1);
        let json = serde_json::to_string(envelope).expect("serializable");
        let back: EventEnvelope = serde_json::from_str(&json).expect("readable");
        prop_assert_eq!(&back, envelope);
    }
    let mut submitted_total = None;
    for event in events {
        match event {
            OrderEvent::OrderSubmitted { total } => {
                prop_assert!(submitted_total.is_none(), "submitted twice");
                prop_assert!(*total > Cents::ZERO);
                submitted_total = Some(*total);
            }
            OrderEvent::PaymentReceived { amount, .. } => {
                prop_assert_eq!(Some(*amount), submitted_total, "paid other than the total");
            }
            OrderEvent::ItemAdded {
                unit_price,
                quantity,
                ..
            } => {
                prop_assert!(*unit_price > Cents::ZERO && *quantity >= 1);
            }
            _ => {}
        }
    }
    if let OrderState::Created(order) = state {
        prop_assert!(order
            .lines
            .iter()
            .all(|l| l.quantity >= 1 && l.quantity <= MAX_QUANTITY));
        if let Some(total) = submitted_total {
            prop_assert_eq!(order.total(), total, "lines changed after submission");
        }
    }
    Ok(())
}
