//! Why a command was rejected: one variant per business rule, each a sentence a user can act on.

use super::OrderStatus;
use crate::domain::ids::ProductId;
use crate::domain::money::Cents;

/// A command the order refused. Nothing is recorded; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Rejection {
    /// Personal data sealed with another customer's key.
    #[error("the personal data is sealed with another customer's key")]
    PersonalDataOfAnotherCustomer,
    /// `CreateOrder` for an id that already has events.
    #[error("an order with this id already exists")]
    OrderAlreadyExists,
    /// Any command but `CreateOrder` for an id with no events.
    #[error("there is no order with this id: create it first")]
    OrderNotFound,
    /// A required text field was blank.
    #[error("{field} is required")]
    MissingField {
        /// The field's name as the form labels it.
        field: &'static str,
    },
    /// A text field was longer than the limit.
    #[error("{field} must be at most {max} characters")]
    FieldTooLong {
        /// The field's name as the form labels it.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// Quantity zero, negative or absurdly large.
    #[error("quantity must be a whole number from 1 to {max} (got {quantity})", max = super::MAX_QUANTITY)]
    InvalidQuantity {
        /// What was asked for.
        quantity: i64,
    },
    /// Unit price zero, negative or absurdly large.
    #[error("unit price must be more than $0.00 and at most {max} (got {unit_price})", max = super::MAX_UNIT_PRICE)]
    InvalidUnitPrice {
        /// What was asked for.
        unit_price: Cents,
    },
    /// The product is already in the order at another price.
    #[error("product {product_id} is already in this order at {existing}; remove it before adding it at {requested}")]
    UnitPriceMismatch {
        /// Which product.
        product_id: ProductId,
        /// The price in the order.
        existing: Cents,
        /// The price asked for.
        requested: Cents,
    },
    /// Adding would take one line over the quantity limit.
    #[error("product {product_id} would exceed {max} units in one order", max = super::MAX_QUANTITY)]
    LineQuantityExceeded {
        /// Which product.
        product_id: ProductId,
    },
    /// The order already has the maximum number of distinct products.
    #[error("an order can hold at most {max} different products", max = super::MAX_LINES)]
    TooManyLines,
    /// `AddItem` or `RemoveItem` after the draft stage.
    #[error("items can only be added or removed while the order is a draft (status: {status})")]
    NotEditable {
        /// The order's status.
        status: OrderStatus,
    },
    /// `RemoveItem` for a product that is not in the order.
    #[error("product {product_id} is not in this order")]
    UnknownProduct {
        /// Which product.
        product_id: ProductId,
    },
    /// `SubmitOrder` with no items.
    #[error("an empty order cannot be submitted: add an item first")]
    EmptyOrder,
    /// `SubmitOrder` after the draft stage.
    #[error("only a draft order can be submitted (status: {status})")]
    NotSubmittable {
        /// The order's status.
        status: OrderStatus,
    },
    /// `ReceivePayment` for an order that is not awaiting payment.
    #[error("payment is only accepted for a submitted order (status: {status})")]
    PaymentNotExpected {
        /// The order's status.
        status: OrderStatus,
    },
    /// `ReceivePayment` for an amount other than the order's total.
    #[error("payment must equal the order total of {expected} exactly (got {received})")]
    WrongPaymentAmount {
        /// The order's total.
        expected: Cents,
        /// What was paid.
        received: Cents,
    },
    /// `ShipOrder` for an order that is not paid.
    #[error("only a paid order can be shipped (status: {status})")]
    NotPaid {
        /// The order's status.
        status: OrderStatus,
    },
    /// `CancelOrder` for a shipped order.
    #[error("a shipped order cannot be cancelled")]
    AlreadyShipped,
    /// `CancelOrder` for a cancelled order.
    #[error("this order is already cancelled")]
    AlreadyCancelled,
}
