//! The Order aggregate's rules, one behaviour per test: given events, when a command,
//! then events or a rejection.

mod support;

use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{
    OrderCommand, OrderStatus, Rejection, MAX_LINES, MAX_QUANTITY, MAX_TEXT_LEN, MAX_UNIT_PRICE,
};
use support::*;

// --- CreateOrder → OrderCreated

#[test]
fn creating_a_new_order_records_order_created() {
    given([])
        .when(OrderCommand::CreateOrder {
            customer_id: customer(),
            currency: None,
            personal: None,
        })
        .then([created()]);
}

#[test]
fn creating_an_order_twice_is_rejected() {
    given([created()])
        .when(OrderCommand::CreateOrder {
            customer_id: customer(),
            currency: None,
            personal: None,
        })
        .then_rejected(Rejection::OrderAlreadyExists);
}

#[test]
fn any_other_command_on_a_missing_order_is_rejected() {
    for command in [
        add_item("sku-42", 1250, 1),
        OrderCommand::RemoveItem {
            product_id: product("sku-42"),
        },
        OrderCommand::SubmitOrder,
        pay(100),
        ship(),
        cancel(),
    ] {
        given([])
            .when(command)
            .then_rejected(Rejection::OrderNotFound);
    }
}

// --- AddItem → ItemAdded

#[test]
fn adding_an_item_to_a_draft_records_item_added() {
    given([created()])
        .when(add_item("sku-42", 1250, 2))
        .then([item_added("sku-42", 1250, 2)]);
}

#[test]
fn adding_more_of_a_product_at_the_same_price_is_accepted() {
    given(draft_with_item())
        .when(add_item("sku-42", 1250, 3))
        .then([item_added("sku-42", 1250, 3)]);
}

#[test]
fn adding_a_product_already_in_the_order_at_another_price_is_rejected() {
    given(draft_with_item())
        .when(add_item("sku-42", 999, 1))
        .then_rejected(Rejection::UnitPriceMismatch {
            product_id: product("sku-42"),
            existing: Cents(1250),
            requested: Cents(999),
        });
}

#[test]
fn a_zero_or_negative_quantity_is_rejected() {
    for quantity in [0, -1, i64::MIN] {
        given([created()])
            .when(add_item("sku-42", 1250, quantity))
            .then_rejected(Rejection::InvalidQuantity { quantity });
    }
}

#[test]
fn a_quantity_above_the_limit_is_rejected() {
    let quantity = i64::from(MAX_QUANTITY) + 1;
    given([created()])
        .when(add_item("sku-42", 1250, quantity))
        .then_rejected(Rejection::InvalidQuantity { quantity });
}

#[test]
fn a_line_cannot_grow_past_the_quantity_limit() {
    given([created(), item_added("sku-42", 1250, MAX_QUANTITY)])
        .when(add_item("sku-42", 1250, 1))
        .then_rejected(Rejection::LineQuantityExceeded {
            product_id: product("sku-42"),
        });
}

#[test]
fn a_zero_or_negative_unit_price_is_rejected() {
    for cents in [0, -1] {
        given([created()])
            .when(add_item("sku-42", cents, 1))
            .then_rejected(Rejection::InvalidUnitPrice {
                unit_price: Cents(cents),
            });
    }
}

#[test]
fn a_unit_price_above_the_limit_is_rejected() {
    let unit_price = Cents(MAX_UNIT_PRICE.0 + 1);
    given([created()])
        .when(add_item("sku-42", unit_price.0, 1))
        .then_rejected(Rejection::InvalidUnitPrice { unit_price });
}

#[test]
fn a_blank_product_name_is_rejected_by_name() {
    // ASCII spaces, Unicode spaces (no-break, ideographic), a tab and a line break.
    for name in ["   ", "\u{a0}\u{3000}", "\t\n"] {
        given([created()])
            .when(OrderCommand::AddItem {
                product_id: product("sku-42"),
                product_name: name.into(),
                unit_price: Cents(100),
                quantity: 1,
            })
            .then_rejected(Rejection::MissingField {
                field: "product name",
            });
    }
}

#[test]
fn an_overlong_product_name_is_rejected_by_name() {
    given([created()])
        .when(OrderCommand::AddItem {
            product_id: product("sku-42"),
            product_name: "x".repeat(MAX_TEXT_LEN + 1).into(),
            unit_price: Cents(100),
            quantity: 1,
        })
        .then_rejected(Rejection::FieldTooLong {
            field: "product name",
            max: MAX_TEXT_LEN,
        });
}

#[test]
fn a_product_name_is_stored_trimmed() {
    // Spaces on either side or one, tabs and line breaks, Unicode spaces (no-break,
    // ideographic); visible letters that are not ASCII stay, inside or at the ends.
    for (given_name, stored) in [
        ("  Espresso beans ", "Espresso beans"),
        ("Espresso beans ", "Espresso beans"),
        (" Espresso beans", "Espresso beans"),
        ("\tEspresso beans\n", "Espresso beans"),
        ("\u{a0}Espresso beans\u{3000}", "Espresso beans"),
        ("Espresso beans", "Espresso beans"),
        ("Élan café", "Élan café"),
        (" Élan café\u{a0}", "Élan café"),
    ] {
        given([created()])
            .when(OrderCommand::AddItem {
                product_id: product("sku-42"),
                product_name: given_name.into(),
                unit_price: Cents(1250),
                quantity: 1,
            })
            .then([cqrs_lab::domain::order::OrderEvent::ItemAdded {
                product_id: product("sku-42"),
                product_name: stored.into(),
                unit_price: Cents(1250),
                quantity: 1,
            }]);
    }
}

#[test]
fn an_order_cannot_hold_more_than_the_line_limit() {
    let mut events = vec![created()];
    events.extend((0..MAX_LINES).map(|i| item_added(&format!("p{i}"), 100, 1)));
    given(events)
        .when(add_item("one-more", 100, 1))
        .then_rejected(Rejection::TooManyLines);
}

#[test]
fn nothing_can_be_added_once_submitted() {
    given(submitted_order())
        .when(add_item("sku-1", 100, 1))
        .then_rejected(Rejection::NotEditable {
            status: OrderStatus::Submitted,
        });
}

#[test]
fn nothing_can_be_added_to_a_cancelled_order() {
    given([created(), cancelled()])
        .when(add_item("sku-1", 100, 1))
        .then_rejected(Rejection::NotEditable {
            status: OrderStatus::Cancelled,
        });
}

// --- RemoveItem → ItemRemoved

#[test]
fn removing_a_product_in_the_draft_records_item_removed() {
    given(draft_with_item())
        .when(OrderCommand::RemoveItem {
            product_id: product("sku-42"),
        })
        .then([cqrs_lab::domain::order::OrderEvent::ItemRemoved {
            product_id: product("sku-42"),
        }]);
}

#[test]
fn removing_an_unknown_product_is_rejected() {
    given(draft_with_item())
        .when(OrderCommand::RemoveItem {
            product_id: product("sku-404"),
        })
        .then_rejected(Rejection::UnknownProduct {
            product_id: product("sku-404"),
        });
}

#[test]
fn nothing_can_be_removed_once_submitted() {
    given(submitted_order())
        .when(OrderCommand::RemoveItem {
            product_id: product("sku-42"),
        })
        .then_rejected(Rejection::NotEditable {
            status: OrderStatus::Submitted,
        });
}

// --- SubmitOrder → OrderSubmitted

#[test]
fn submitting_a_draft_records_its_total() {
    given([
        created(),
        item_added("a", 1250, 2),
        item_added("b", 199, 3),
        item_added("a", 1250, 1),
    ])
    .when(OrderCommand::SubmitOrder)
    .then([submitted(1250 * 3 + 199 * 3)]);
}

#[test]
fn an_empty_order_cannot_be_submitted() {
    given([created()])
        .when(OrderCommand::SubmitOrder)
        .then_rejected(Rejection::EmptyOrder);
}

#[test]
fn an_order_emptied_by_removal_cannot_be_submitted() {
    let mut events = draft_with_item();
    events.push(cqrs_lab::domain::order::OrderEvent::ItemRemoved {
        product_id: product("sku-42"),
    });
    given(events)
        .when(OrderCommand::SubmitOrder)
        .then_rejected(Rejection::EmptyOrder);
}

#[test]
fn an_order_cannot_be_submitted_twice() {
    given(submitted_order())
        .when(OrderCommand::SubmitOrder)
        .then_rejected(Rejection::NotSubmittable {
            status: OrderStatus::Submitted,
        });
}

// --- ReceivePayment → PaymentReceived

#[test]
fn paying_the_exact_total_records_payment_received() {
    given(submitted_order()).when(pay(2500)).then([paid(2500)]);
}

#[test]
fn paying_a_draft_is_rejected() {
    given(draft_with_item())
        .when(pay(2500))
        .then_rejected(Rejection::PaymentNotExpected {
            status: OrderStatus::Draft,
        });
}

#[test]
fn paying_twice_is_rejected() {
    given(paid_order())
        .when(pay(2500))
        .then_rejected(Rejection::PaymentNotExpected {
            status: OrderStatus::Paid,
        });
}

#[test]
fn paying_less_or_more_than_the_total_is_rejected() {
    for received in [2499, 2501, 0, -2500] {
        given(submitted_order())
            .when(pay(received))
            .then_rejected(Rejection::WrongPaymentAmount {
                expected: Cents(2500),
                received: Cents(received),
            });
    }
}

#[test]
fn a_payment_needs_a_method_and_a_transaction_id() {
    given(submitted_order())
        .when(OrderCommand::ReceivePayment {
            amount: Cents(2500),
            payment_method: "".into(),
            transaction_id: "txn-1".into(),
        })
        .then_rejected(Rejection::MissingField {
            field: "payment method",
        });
    given(submitted_order())
        .when(OrderCommand::ReceivePayment {
            amount: Cents(2500),
            payment_method: "card".into(),
            transaction_id: " ".into(),
        })
        .then_rejected(Rejection::MissingField {
            field: "transaction id",
        });
}

// --- ShipOrder → OrderShipped

#[test]
fn shipping_a_paid_order_records_order_shipped() {
    given(paid_order()).when(ship()).then([shipped()]);
}

#[test]
fn shipping_an_unpaid_order_is_rejected() {
    given(submitted_order())
        .when(ship())
        .then_rejected(Rejection::NotPaid {
            status: OrderStatus::Submitted,
        });
}

#[test]
fn shipping_twice_is_rejected() {
    let mut events = paid_order();
    events.push(shipped());
    given(events)
        .when(ship())
        .then_rejected(Rejection::NotPaid {
            status: OrderStatus::Shipped,
        });
}

#[test]
fn a_shipment_needs_a_carrier() {
    given(paid_order())
        .when(OrderCommand::ShipOrder {
            carrier: "".into(),
            tracking_number: "TRK-1".into(),
        })
        .then_rejected(Rejection::MissingField { field: "carrier" });
}

// --- CancelOrder → OrderCancelled

#[test]
fn a_draft_submitted_or_paid_order_can_be_cancelled() {
    for events in [draft_with_item(), submitted_order(), paid_order()] {
        given(events).when(cancel()).then([cancelled()]);
    }
}

#[test]
fn a_shipped_order_cannot_be_cancelled() {
    let mut events = paid_order();
    events.push(shipped());
    given(events)
        .when(cancel())
        .then_rejected(Rejection::AlreadyShipped);
}

#[test]
fn a_cancelled_order_cannot_be_cancelled_again() {
    given([created(), cancelled()])
        .when(cancel())
        .then_rejected(Rejection::AlreadyCancelled);
}

#[test]
fn a_cancellation_needs_a_reason() {
    given([created()])
        .when(OrderCommand::CancelOrder {
            reason: " ".into(),
            cancelled_by: "customer".into(),
        })
        .then_rejected(Rejection::MissingField { field: "reason" });
}

// --- Rejections read as sentences a user can act on

#[test]
fn rejection_messages_name_the_rule_and_the_values() {
    assert_eq!(
        Rejection::EmptyOrder.to_string(),
        "an empty order cannot be submitted: add an item first"
    );
    assert_eq!(
        Rejection::WrongPaymentAmount {
            expected: Cents(2500),
            received: Cents(2000)
        }
        .to_string(),
        "payment must equal the order total of $25.00 exactly (got $20.00)"
    );
    assert_eq!(
        Rejection::NotEditable {
            status: OrderStatus::Submitted
        }
        .to_string(),
        "items can only be added or removed while the order is a draft (status: Submitted)"
    );
}
