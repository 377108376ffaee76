//! `decide`: the order's business rules, read in one place.

use super::{
    OrderCommand, OrderEvent, OrderLine, OrderState, OrderStatus, Rejection, MAX_LINES,
    MAX_QUANTITY, MAX_TEXT_LEN, MAX_UNIT_PRICE,
};
use crate::domain::ids::ProductId;
use crate::domain::money::Cents;

/// Decides what a command means for an order: the events to record, or why not.
pub fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, Rejection> {
    let order = match (state, command) {
        (OrderState::NotCreated, OrderCommand::CreateOrder { customer_id }) => {
            return Ok(vec![OrderEvent::OrderCreated {
                customer_id: customer_id.clone(),
            }]);
        }
        (OrderState::Created(_), OrderCommand::CreateOrder { .. }) => {
            return Err(Rejection::OrderAlreadyExists)
        }
        (OrderState::NotCreated, _) => return Err(Rejection::OrderNotFound),
        (OrderState::Created(order), _) => order,
    };
    let status = order.status;
    let event = match command {
        OrderCommand::CreateOrder { .. } => return Err(Rejection::OrderAlreadyExists),
        OrderCommand::AddItem {
            product_id,
            product_name,
            unit_price,
            quantity,
        } => {
            require_draft(status)?;
            let quantity = valid_quantity(*quantity)?;
            let unit_price = valid_unit_price(*unit_price)?;
            let product_name = text("product name", product_name)?;
            check_line_fits(
                order.line(product_id),
                order.lines.len(),
                product_id,
                unit_price,
                quantity,
            )?;
            OrderEvent::ItemAdded {
                product_id: product_id.clone(),
                product_name,
                unit_price,
                quantity,
            }
        }
        OrderCommand::RemoveItem { product_id } => {
            require_draft(status)?;
            if order.line(product_id).is_none() {
                return Err(Rejection::UnknownProduct {
                    product_id: product_id.clone(),
                });
            }
            OrderEvent::ItemRemoved {
                product_id: product_id.clone(),
            }
        }
        OrderCommand::SubmitOrder => {
            if status != OrderStatus::Draft {
                return Err(Rejection::NotSubmittable { status });
            }
            if order.lines.is_empty() {
                return Err(Rejection::EmptyOrder);
            }
            OrderEvent::OrderSubmitted {
                total: order.total(),
            }
        }
        OrderCommand::ReceivePayment {
            amount,
            payment_method,
            transaction_id,
        } => {
            if status != OrderStatus::Submitted {
                return Err(Rejection::PaymentNotExpected { status });
            }
            let expected = order.total();
            if *amount != expected {
                return Err(Rejection::WrongPaymentAmount {
                    expected,
                    received: *amount,
                });
            }
            OrderEvent::PaymentReceived {
                amount: *amount,
                payment_method: text("payment method", payment_method)?,
                transaction_id: text("transaction id", transaction_id)?,
            }
        }
        OrderCommand::ShipOrder {
            carrier,
            tracking_number,
        } => {
            if status != OrderStatus::Paid {
                return Err(Rejection::NotPaid { status });
            }
            OrderEvent::OrderShipped {
                carrier: text("carrier", carrier)?,
                tracking_number: text("tracking number", tracking_number)?,
            }
        }
        OrderCommand::CancelOrder {
            reason,
            cancelled_by,
        } => {
            match status {
                OrderStatus::Shipped => return Err(Rejection::AlreadyShipped),
                OrderStatus::Cancelled => return Err(Rejection::AlreadyCancelled),
                OrderStatus::Draft | OrderStatus::Submitted | OrderStatus::Paid => {}
            }
            OrderEvent::OrderCancelled {
                reason: text("reason", reason)?,
                cancelled_by: text("cancelled by", cancelled_by)?,
            }
        }
    };
    Ok(vec![event])
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

/// A required, trimmed, bounded piece of free text.
fn text(field: &'static str, value: &str) -> Result<String, Rejection> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Rejection::MissingField { field });
    }
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(Rejection::FieldTooLong {
            field,
            max: MAX_TEXT_LEN,
        });
    }
    Ok(value.to_owned())
}

/// An added product merges into its line, at the same price and within the limits.
fn check_line_fits(
    existing: Option<&OrderLine>,
    line_count: usize,
    product_id: &ProductId,
    unit_price: Cents,
    quantity: u32,
) -> Result<(), Rejection> {
    match existing {
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
        None if line_count >= MAX_LINES => Err(Rejection::TooManyLines),
        None => Ok(()),
    }
}
