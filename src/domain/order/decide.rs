//! `decide`: the order's business rules, read in one place.

use super::{
    Order, OrderCommand, OrderEvent, OrderState, OrderStatus, Rejection, MAX_LINES, MAX_QUANTITY,
    MAX_TEXT_LEN, MAX_UNIT_PRICE,
};
use crate::domain::ids::ProductId;
use crate::domain::money::Cents;
use crate::domain::text::Text;

/// Decides what a command means for an order: the events to record, or why not.
pub fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, Rejection> {
    let mut events = Vec::with_capacity(1);
    decide_into(state, command, &mut events)?;
    Ok(events)
}

/// [`decide`], adding the events to `events` (nothing when it rejects the command): a
/// handler deciding command after command reuses one list.
pub fn decide_into(
    state: &OrderState,
    command: &OrderCommand,
    events: &mut Vec<OrderEvent>,
) -> Result<(), Rejection> {
    let order = match (state, command) {
        (
            OrderState::NotCreated,
            OrderCommand::CreateOrder {
                customer_id,
                currency,
                personal,
            },
        ) => {
            if personal.as_ref().is_some_and(|p| p.key_id != *customer_id) {
                return Err(Rejection::PersonalDataOfAnotherCustomer);
            }
            events.push(OrderEvent::OrderCreated {
                customer_id: customer_id.clone(),
                currency: currency.clone(),
                personal: personal.clone().map(Box::new),
            });
            return Ok(());
        }
        (OrderState::Created(_), OrderCommand::CreateOrder { .. }) => {
            return Err(Rejection::OrderAlreadyExists)
        }
        (OrderState::NotCreated, _) => return Err(Rejection::OrderNotFound),
        (OrderState::Created(order), _) => order,
    };
    let event = match command {
        OrderCommand::CreateOrder { .. } => Err(Rejection::OrderAlreadyExists),
        OrderCommand::AddItem {
            product_id,
            product_name,
            unit_price,
            quantity,
        } => add_item(order, product_id, product_name, *unit_price, *quantity),
        OrderCommand::RemoveItem { product_id } => remove_item(order, product_id),
        OrderCommand::SubmitOrder => submit(order),
        OrderCommand::ReceivePayment {
            amount,
            payment_method,
            transaction_id,
        } => receive_payment(order, *amount, payment_method, transaction_id),
        OrderCommand::ShipOrder {
            carrier,
            tracking_number,
        } => ship(order, carrier, tracking_number),
        OrderCommand::CancelOrder {
            reason,
            cancelled_by,
        } => cancel(order, reason, cancelled_by),
    }?;
    events.push(event);
    Ok(())
}

fn add_item(
    order: &Order,
    product_id: &ProductId,
    product_name: &Text,
    unit_price: Cents,
    quantity: i64,
) -> Result<OrderEvent, Rejection> {
    require_draft(order.status)?;
    let quantity = valid_quantity(quantity)?;
    let unit_price = valid_unit_price(unit_price)?;
    let product_name = text("product name", product_name)?;
    check_line_fits(order, product_id, unit_price, quantity)?;
    Ok(OrderEvent::ItemAdded {
        product_id: product_id.clone(),
        product_name,
        unit_price,
        quantity,
    })
}

fn remove_item(order: &Order, product_id: &ProductId) -> Result<OrderEvent, Rejection> {
    require_draft(order.status)?;
    if order.line(product_id).is_none() {
        return Err(Rejection::UnknownProduct {
            product_id: product_id.clone(),
        });
    }
    Ok(OrderEvent::ItemRemoved {
        product_id: product_id.clone(),
    })
}

fn submit(order: &Order) -> Result<OrderEvent, Rejection> {
    if order.status != OrderStatus::Draft {
        return Err(Rejection::NotSubmittable {
            status: order.status,
        });
    }
    if order.lines.is_empty() {
        return Err(Rejection::EmptyOrder);
    }
    Ok(OrderEvent::OrderSubmitted {
        total: order.total(),
    })
}

fn receive_payment(
    order: &Order,
    amount: Cents,
    payment_method: &Text,
    transaction_id: &Text,
) -> Result<OrderEvent, Rejection> {
    if order.status != OrderStatus::Submitted {
        return Err(Rejection::PaymentNotExpected {
            status: order.status,
        });
    }
    let expected = order.total();
    if amount != expected {
        return Err(Rejection::WrongPaymentAmount {
            expected,
            received: amount,
        });
    }
    Ok(OrderEvent::PaymentReceived {
        amount,
        payment_method: text("payment method", payment_method)?,
        transaction_id: text("transaction id", transaction_id)?,
    })
}

fn ship(order: &Order, carrier: &Text, tracking_number: &Text) -> Result<OrderEvent, Rejection> {
    if order.status != OrderStatus::Paid {
        return Err(Rejection::NotPaid {
            status: order.status,
        });
    }
    Ok(OrderEvent::OrderShipped {
        carrier: text("carrier", carrier)?,
        tracking_number: text("tracking number", tracking_number)?,
    })
}

fn cancel(order: &Order, reason: &Text, cancelled_by: &Text) -> Result<OrderEvent, Rejection> {
    match order.status {
        OrderStatus::Shipped => return Err(Rejection::AlreadyShipped),
        OrderStatus::Cancelled => return Err(Rejection::AlreadyCancelled),
        OrderStatus::Draft | OrderStatus::Submitted | OrderStatus::Paid => {}
    }
    Ok(OrderEvent::OrderCancelled {
        reason: text("reason", reason)?,
        cancelled_by: text("cancelled by", cancelled_by)?,
    })
}

fn require_draft(status: OrderStatus) -> Result<(), Rejection> {
    match status {
        OrderStatus::Draft => Ok(()),
        _ => Err(Rejection::NotEditable { status }),
    }
}

fn valid_quantity(quantity: i64) -> Result<u32, Rejection> {
    match u32::try_from(quantity) {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(q),
        _ => Err(Rejection::InvalidQuantity { quantity }),
    }
}

fn valid_unit_price(unit_price: Cents) -> Result<Cents, Rejection> {
    if unit_price > Cents::ZERO && unit_price <= MAX_UNIT_PRICE {
        Ok(unit_price)
    } else {
        Err(Rejection::InvalidUnitPrice { unit_price })
    }
}

/// A required, trimmed, bounded piece of free text; text already trimmed is shared, not
/// copied.
fn text(field: &'static str, given: &Text) -> Result<Text, Rejection> {
    let value = trimmed(given);
    if value.is_empty() {
        return Err(Rejection::MissingField { field });
    }
    // No more bytes than the limit means no more characters (counted only past it).
    if value.len() > MAX_TEXT_LEN && value.chars().count() > MAX_TEXT_LEN {
        return Err(Rejection::FieldTooLong {
            field,
            max: MAX_TEXT_LEN,
        });
    }
    Ok(if value.len() == given.len() {
        given.clone()
    } else {
        Text::from(value)
    })
}

/// Text without the whitespace around it; text that starts and ends with a visible
/// ASCII character (most of it) has none, and is not searched for Unicode spaces.
fn trimmed(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !(*b as char).is_whitespace());
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// An added product merges into its line, at the same price and within the limits.
fn check_line_fits(
    order: &Order,
    product_id: &ProductId,
    unit_price: Cents,
    quantity: u32,
) -> Result<(), Rejection> {
    match order.line(product_id) {
        Some(line) if line.unit_price != unit_price => Err(Rejection::UnitPriceMismatch {
            product_id: product_id.clone(),
            existing: line.unit_price,
            requested: unit_price,
        }),
        Some(line) if line.quantity.saturating_add(quantity) > MAX_QUANTITY => {
            Err(Rejection::LineQuantityExceeded {
                product_id: product_id.clone(),
            })
        }
        Some(_) => Ok(()),
        None if order.lines.len() >= MAX_LINES => Err(Rejection::TooManyLines),
        None => Ok(()),
    }
}
