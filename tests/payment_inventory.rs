//! The Payment and Inventory aggregates: given past events, when a command, then the
//! new events or the rejection; and, over random command sequences, a customer is
//! never charged twice and stock never goes below zero or loses a unit.

use cqrs_lab::domain::ids::{CustomerId, OrderId};
use cqrs_lab::domain::inventory::{
    self, InventoryCommand, InventoryEvent, InventoryRejection, Stock, MAX_UNITS,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::payment::{
    self, net_charged, PaymentCommand, PaymentEvent, PaymentRejection, PaymentState,
};

fn order(n: u32) -> OrderId {
    OrderId::parse(&format!("o-{n}")).expect("valid id")
}

fn customer() -> CustomerId {
    CustomerId::parse("cust-ana").expect("valid id")
}

fn charge(amount: i64) -> PaymentCommand {
    PaymentCommand::Charge {
        order_id: order(1),
        customer_id: customer(),
        amount: Cents(amount),
    }
}

fn charged(amount: i64) -> PaymentEvent {
    PaymentEvent::PaymentCharged {
        order_id: order(1),
        customer_id: customer(),
        amount: Cents(amount),
    }
}

fn pay(
    given: &[PaymentEvent],
    when: &PaymentCommand,
) -> Result<Vec<PaymentEvent>, PaymentRejection> {
    payment::decide(&payment::fold(given), when)
}

#[test]
fn a_payment_is_charged_once_and_refunded_once_for_what_was_charged() {
    assert_eq!(pay(&[], &charge(2500)), Ok(vec![charged(2500)]));
    assert_eq!(
        pay(&[charged(2500)], &charge(2500)),
        Err(PaymentRejection::AlreadyCharged)
    );
    let refund = PaymentCommand::Refund {
        reason: "stock ran out".into(),
    };
    let refunded = PaymentEvent::PaymentRefunded {
        amount: Cents(2500),
        reason: "stock ran out".into(),
    };
    assert_eq!(pay(&[charged(2500)], &refund), Ok(vec![refunded.clone()]));
    assert_eq!(
        pay(&[charged(2500), refunded.clone()], &refund),
        Err(PaymentRejection::AlreadyRefunded)
    );
    assert_eq!(
        pay(&[charged(2500), refunded.clone()], &charge(2500)),
        Err(PaymentRejection::Closed)
    );
    assert_eq!(
        payment::fold(&[charged(2500), refunded.clone()]),
        PaymentState::Refunded(Cents(2500))
    );
    assert_eq!(net_charged(&[charged(2500), refunded]), Cents(0));
}

#[test]
fn a_declined_payment_takes_nothing_and_cannot_be_refunded_or_charged() {
    let decline = PaymentCommand::Decline {
        reason: "card expired".into(),
    };
    let declined = PaymentEvent::PaymentDeclined {
        reason: "card expired".into(),
    };
    assert_eq!(pay(&[], &decline), Ok(vec![declined.clone()]));
    assert_eq!(
        pay(std::slice::from_ref(&declined), &charge(100)),
        Err(PaymentRejection::Closed)
    );
    let refund = PaymentCommand::Refund { reason: "x".into() };
    assert_eq!(
        pay(std::slice::from_ref(&declined), &refund),
        Err(PaymentRejection::NotCharged)
    );
    assert_eq!(pay(&[], &refund), Err(PaymentRejection::NotCharged));
    assert_eq!(
        pay(&[charged(100)], &decline),
        Err(PaymentRejection::CannotDeclineCharged)
    );
    assert_eq!(net_charged(&[declined]), Cents(0));
}

#[test]
fn amounts_and_reasons_are_checked() {
    for bad in [0, -5, payment::MAX_AMOUNT.0 + 1] {
        assert_eq!(
            pay(&[], &charge(bad)),
            Err(PaymentRejection::InvalidAmount { amount: Cents(bad) })
        );
    }
    for reason in ["", "   ", &"x".repeat(201)] {
        let refund = PaymentCommand::Refund {
            reason: reason.to_owned(),
        };
        assert_eq!(
            pay(&[charged(100)], &refund),
            Err(PaymentRejection::BadReason)
        );
    }
    assert_eq!(
        PaymentRejection::AlreadyCharged.to_string(),
        "this payment was already charged: a customer is never charged twice"
    );
}

fn stock(given: &[InventoryEvent]) -> Stock {
    inventory::fold(given)
}

fn reserve(n: u32, units: u32) -> InventoryCommand {
    InventoryCommand::Reserve {
        order_id: order(n),
        units,
    }
}

#[test]
fn stock_is_reserved_per_order_once_and_released_as_reserved() {
    let restocked = InventoryEvent::StockRestocked { units: 5 };
    let given = [restocked.clone()];
    assert_eq!(
        inventory::decide(&stock(&given), &reserve(1, 3)),
        Ok(vec![InventoryEvent::StockReserved {
            order_id: order(1),
            units: 3
        }])
    );
    let held = [
        restocked.clone(),
        InventoryEvent::StockReserved {
            order_id: order(1),
            units: 3,
        },
    ];
    assert_eq!(stock(&held).available, 2);
    assert_eq!(
        inventory::decide(&stock(&held), &reserve(1, 1)),
        Err(InventoryRejection::AlreadyReserved)
    );
    assert_eq!(
        inventory::decide(&stock(&held), &reserve(2, 3)),
        Err(InventoryRejection::NotEnoughStock {
            available: 2,
            wanted: 3
        })
    );
    let release = InventoryCommand::Release { order_id: order(1) };
    assert_eq!(
        inventory::decide(&stock(&held), &release),
        Ok(vec![InventoryEvent::StockReleased {
            order_id: order(1),
            units: 3
        }])
    );
    assert_eq!(
        inventory::decide(&stock(&given), &release),
        Err(InventoryRejection::NothingReserved)
    );
    let released = [
        held[0].clone(),
        held[1].clone(),
        InventoryEvent::StockReleased {
            order_id: order(1),
            units: 3,
        },
    ];
    assert_eq!(stock(&released).available, 5);
    assert!(stock(&released).reserved.is_empty());
}

#[test]
fn units_are_checked() {
    for units in [0, MAX_UNITS + 1] {
        assert_eq!(
            inventory::decide(&Stock::default(), &InventoryCommand::Restock { units }),
            Err(InventoryRejection::InvalidUnits { units })
        );
    }
    let full = stock(&[InventoryEvent::StockRestocked { units: MAX_UNITS }]);
    assert_eq!(
        inventory::decide(&full, &InventoryCommand::Restock { units: 1 }),
        Err(InventoryRejection::TooMuchStock)
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn payment_command() -> impl Strategy<Value = PaymentCommand> {
        prop_oneof![
            (1_i64..10_000).prop_map(charge),
            Just(PaymentCommand::Decline {
                reason: "declined".into()
            }),
            Just(PaymentCommand::Refund {
                reason: "compensation".into()
            }),
        ]
    }

    fn inventory_command() -> impl Strategy<Value = InventoryCommand> {
        prop_oneof![
            (1_u32..20).prop_map(|units| InventoryCommand::Restock { units }),
            (0_u32..4, 1_u32..8).prop_map(|(n, units)| reserve(n, units)),
            (0_u32..4).prop_map(|n| InventoryCommand::Release { order_id: order(n) }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn a_customer_is_never_charged_twice(commands in proptest::collection::vec(payment_command(), 0..30)) {
            let mut events: Vec<PaymentEvent> = Vec::new();
            for command in &commands {
                if let Ok(new) = payment::decide(&payment::fold(&events), command) {
                    events.extend(new);
                }
            }
            let charges: Vec<i64> = events.iter().filter_map(|e| match e {
                PaymentEvent::PaymentCharged { amount, .. } => Some(amount.0),
                _ => None,
            }).collect();
            prop_assert!(charges.len() <= 1, "charged {} times", charges.len());
            let net = net_charged(&events).0;
            prop_assert!(net == 0 || Some(&net) == charges.first(), "net {net}");
        }

        #[test]
        fn stock_never_goes_below_zero_nor_loses_a_unit(commands in proptest::collection::vec(inventory_command(), 0..40)) {
            let mut events: Vec<InventoryEvent> = Vec::new();
            let mut restocked: u64 = 0;
            for command in &commands {
                if let Ok(new) = inventory::decide(&inventory::fold(&events), command) {
                    for e in &new {
                        if let InventoryEvent::StockRestocked { units } = e {
                            restocked += u64::from(*units);
                        }
                    }
                    events.extend(new);
                }
            }
            let stock = inventory::fold(&events);
            let held: u64 = stock.reserved.values().map(|u| u64::from(*u)).sum();
            prop_assert_eq!(u64::from(stock.available) + held, restocked);
        }
    }
}
