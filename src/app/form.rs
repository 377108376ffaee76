//! The command form: raw text fields in, a validated `(OrderId, OrderCommand)` out, or an
//! error naming the field. Number and id parsing happens here; business rules stay in
//! the decider.

use crate::domain::ids::{CustomerId, IdError, OrderId, ProductId};
use crate::domain::money::{Cents, MoneyError};
use crate::domain::order::OrderCommand;
use crate::domain::privacy::{Personal, PrivacyError, MAX_PERSONAL_LEN};
use crate::domain::text::Text;
use std::fmt;

/// One input of the command form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The order every command targets.
    OrderId,
    /// `CreateOrder`'s customer.
    CustomerId,
    /// `CreateOrder`'s customer name (personal data: sealed before it is stored).
    CustomerName,
    /// `CreateOrder`'s customer address (personal data: sealed before it is stored).
    Address,
    /// `AddItem`'s and `RemoveItem`'s product.
    ProductId,
    /// `AddItem`'s product name.
    ProductName,
    /// `AddItem`'s unit price.
    UnitPrice,
    /// `AddItem`'s quantity.
    Quantity,
    /// `ReceivePayment`'s amount.
    Amount,
    /// `ReceivePayment`'s payment method.
    PaymentMethod,
    /// `ReceivePayment`'s transaction id.
    TransactionId,
    /// `ShipOrder`'s carrier.
    Carrier,
    /// `ShipOrder`'s tracking number.
    TrackingNumber,
    /// `CancelOrder`'s reason.
    Reason,
    /// `CancelOrder`'s requester.
    CancelledBy,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 15] = [
        Field::OrderId,
        Field::CustomerId,
        Field::CustomerName,
        Field::Address,
        Field::ProductId,
        Field::ProductName,
        Field::UnitPrice,
        Field::Quantity,
        Field::Amount,
        Field::PaymentMethod,
        Field::TransactionId,
        Field::Carrier,
        Field::TrackingNumber,
        Field::Reason,
        Field::CancelledBy,
    ];

    /// The field's visible label (also its accessible name).
    pub fn label(self) -> &'static str {
        match self {
            Field::OrderId => "Order id",
            Field::CustomerId => "Customer id",
            Field::CustomerName => "Customer name",
            Field::Address => "Address",
            Field::ProductId => "Product id",
            Field::ProductName => "Product name",
            Field::UnitPrice => "Unit price",
            Field::Quantity => "Quantity",
            Field::Amount => "Amount",
            Field::PaymentMethod => "Payment method",
            Field::TransactionId => "Transaction id",
            Field::Carrier => "Carrier",
            Field::TrackingNumber => "Tracking number",
            Field::Reason => "Reason",
            Field::CancelledBy => "Cancelled by",
        }
    }

    /// A stable key for element ids.
    pub fn key(self) -> &'static str {
        match self {
            Field::OrderId => "order-id",
            Field::CustomerId => "customer-id",
            Field::CustomerName => "customer-name",
            Field::Address => "address",
            Field::ProductId => "product-id",
            Field::ProductName => "product-name",
            Field::UnitPrice => "unit-price",
            Field::Quantity => "quantity",
            Field::Amount => "amount",
            Field::PaymentMethod => "payment-method",
            Field::TransactionId => "transaction-id",
            Field::Carrier => "carrier",
            Field::TrackingNumber => "tracking-number",
            Field::Reason => "reason",
            Field::CancelledBy => "cancelled-by",
        }
    }

    fn default_value(self) -> &'static str {
        match self {
            Field::OrderId => "order-1",
            Field::CustomerId => "cust-789",
            Field::CustomerName | Field::Address => "",
            Field::ProductId => "sku-42",
            Field::ProductName => "Espresso beans",
            Field::UnitPrice => "12.50",
            Field::Quantity => "2",
            Field::Amount => "25.00",
            Field::PaymentMethod => "card",
            Field::TransactionId => "txn-1",
            Field::Carrier => "Contoso Express",
            Field::TrackingNumber => "TRK-1",
            Field::Reason => "Customer changed their mind",
            Field::CancelledBy => "customer",
        }
    }
}

/// Which command a form button sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// `CreateOrder`.
    CreateOrder,
    /// `AddItem`.
    AddItem,
    /// `RemoveItem`.
    RemoveItem,
    /// `SubmitOrder`.
    SubmitOrder,
    /// `ReceivePayment`.
    ReceivePayment,
    /// `ShipOrder`.
    ShipOrder,
    /// `CancelOrder`.
    CancelOrder,
}

impl CommandKind {
    /// The button's label (its accessible name).
    pub fn button_label(self) -> &'static str {
        match self {
            CommandKind::CreateOrder => "Create order",
            CommandKind::AddItem => "Add item",
            CommandKind::RemoveItem => "Remove item",
            CommandKind::SubmitOrder => "Submit order",
            CommandKind::ReceivePayment => "Receive payment",
            CommandKind::ShipOrder => "Ship order",
            CommandKind::CancelOrder => "Cancel order",
        }
    }

    /// The fields this command reads besides the order id.
    pub fn fields(self) -> &'static [Field] {
        match self {
            CommandKind::CreateOrder => &[Field::CustomerId, Field::CustomerName, Field::Address],
            CommandKind::AddItem => &[
                Field::ProductId,
                Field::ProductName,
                Field::UnitPrice,
                Field::Quantity,
            ],
            CommandKind::RemoveItem => &[Field::ProductId],
            CommandKind::SubmitOrder => &[],
            CommandKind::ReceivePayment => {
                &[Field::Amount, Field::PaymentMethod, Field::TransactionId]
            }
            CommandKind::ShipOrder => &[Field::Carrier, Field::TrackingNumber],
            CommandKind::CancelOrder => &[Field::Reason, Field::CancelledBy],
        }
    }
}

/// A form input that could not be read, with the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The bad field.
    pub field: Field,
    /// What is wrong, completing a sentence that starts with the field's label.
    pub problem: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field.label(), self.problem)
    }
}

/// The text of every field, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandForm {
    values: [String; Field::ALL.len()],
}

impl Default for CommandForm {
    fn default() -> Self {
        Self {
            values: Field::ALL.map(|f| f.default_value().to_owned()),
        }
    }
}

impl CommandForm {
    /// The text of a field.
    pub fn get(&self, field: Field) -> &str {
        &self.values[field as usize]
    }

    /// Replaces the text of a field.
    pub fn set(&mut self, field: Field, text: String) {
        self.values[field as usize] = text;
    }

    /// The customer name and address typed for `CreateOrder` (`None` when both are
    /// blank), or the bad field.
    pub fn personal(&self) -> Result<Option<Personal>, FormError> {
        Personal::parse(self.get(Field::CustomerName), self.get(Field::Address)).map_err(|e| {
            let field = match e {
                PrivacyError::TooLong { field } | PrivacyError::ControlCharacter { field }
                    if field == "the address" =>
                {
                    Field::Address
                }
                _ => Field::CustomerName,
            };
            let problem = match e {
                PrivacyError::NameRequired => "is required when an address is given".to_owned(),
                PrivacyError::TooLong { .. } => {
                    format!("must be at most {MAX_PERSONAL_LEN} characters")
                }
                PrivacyError::ControlCharacter { .. } => {
                    "must not contain control characters".to_owned()
                }
                other => format!("cannot be used: {other}"),
            };
            FormError { field, problem }
        })
    }

    /// Reads the fields a command needs into the command, or names the first bad field.
    pub fn build(&self, kind: CommandKind) -> Result<(OrderId, OrderCommand), FormError> {
        let order_id = self.id(Field::OrderId, OrderId::parse)?;
        let text = |field| Text::from(self.get(field));
        let command = match kind {
            CommandKind::CreateOrder => OrderCommand::CreateOrder {
                customer_id: self.id(Field::CustomerId, CustomerId::parse)?,
                currency: None,
                personal: None,
            },
            CommandKind::AddItem => OrderCommand::AddItem {
                product_id: self.id(Field::ProductId, ProductId::parse)?,
                product_name: text(Field::ProductName),
                unit_price: self.money(Field::UnitPrice)?,
                quantity: self.whole_number(Field::Quantity)?,
            },
            CommandKind::RemoveItem => OrderCommand::RemoveItem {
                product_id: self.id(Field::ProductId, ProductId::parse)?,
            },
            CommandKind::SubmitOrder => OrderCommand::SubmitOrder,
            CommandKind::ReceivePayment => OrderCommand::ReceivePayment {
                amount: self.money(Field::Amount)?,
                payment_method: text(Field::PaymentMethod),
                transaction_id: text(Field::TransactionId),
            },
            CommandKind::ShipOrder => OrderCommand::ShipOrder {
                carrier: text(Field::Carrier),
                tracking_number: text(Field::TrackingNumber),
            },
            CommandKind::CancelOrder => OrderCommand::CancelOrder {
                reason: text(Field::Reason),
                cancelled_by: text(Field::CancelledBy),
            },
        };
        Ok((order_id, command))
    }

    fn id<T>(&self, field: Field, parse: fn(&str) -> Result<T, IdError>) -> Result<T, FormError> {
        parse(self.get(field)).map_err(|e| FormError {
            field,
            problem: e.to_string(),
        })
    }

    fn money(&self, field: Field) -> Result<Cents, FormError> {
        Cents::parse(self.get(field)).map_err(|e: MoneyError| FormError {
            field,
            problem: e.to_string(),
        })
    }

    fn whole_number(&self, field: Field) -> Result<i64, FormError> {
        let text = self.get(field).trim();
        text.parse().map_err(|_| FormError {
            field,
            problem: if text.is_empty() {
                "is required".to_owned()
            } else {
                "must be a whole number such as 2".to_owned()
            },
        })
    }
}
