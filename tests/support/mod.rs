//! Given/when/then for the Order decider: given past events, when a command, then the
//! new events or the rejection.
#![allow(dead_code)] // each test binary uses a different subset of the builders

use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, CustomerId, EventId, OrderId, ProductId, SchemaVersion,
    StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{decide, decide_into, fold, OrderCommand, OrderEvent, Rejection};
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::store::{AppendRequest, NewEvent};

/// A scenario under construction.
pub struct Given(Vec<OrderEvent>);

/// A scenario with its command decided.
pub struct When(Result<Vec<OrderEvent>, Rejection>);

/// Starts a scenario from these past events.
pub fn given(events: impl IntoIterator<Item = OrderEvent>) -> Given {
    Given(events.into_iter().collect())
}

impl Given {
    /// Decides a command against the state folded from the given events.
    pub fn when(self, command: OrderCommand) -> When {
        let state = fold(&self.0);
        let decided = decide(&state, &command);
        // `decide_into` adds the same events to a list, or nothing when it rejects.
        let mut list = vec![created()];
        let added = decide_into(&state, &command, &mut list).map(|()| list.split_off(1));
        assert_eq!(added, decided, "decide_into agrees with decide");
        assert_eq!(list, [created()], "what the list held stays");
        When(decided)
    }
}

impl When {
    /// Asserts the command was accepted with exactly these events.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = OrderEvent>) {
        assert_eq!(self.0, Ok(expected.into_iter().collect::<Vec<_>>()));
    }

    /// Asserts the command was rejected for exactly this reason.
    #[track_caller]
    pub fn then_rejected(self, expected: Rejection) {
        assert_eq!(self.0, Err(expected));
    }
}

// Builders for the events and commands the tests use most, with sensible data.

pub fn customer() -> CustomerId {
    CustomerId::parse("cust-789").expect("valid id")
}

pub fn product(id: &str) -> ProductId {
    ProductId::parse(id).expect("valid id")
}

pub fn created() -> OrderEvent {
    OrderEvent::OrderCreated {
        customer_id: customer(),
        currency: None,
        personal: None,
    }
}

pub fn item_added(id: &str, cents: i64, quantity: u32) -> OrderEvent {
    OrderEvent::ItemAdded {
        product_id: product(id),
        product_name: format!("Product {id}").into(),
        unit_price: Cents(cents),
        quantity,
    }
}

pub fn add_item(id: &str, cents: i64, quantity: i64) -> OrderCommand {
    OrderCommand::AddItem {
        product_id: product(id),
        product_name: format!("Product {id}").into(),
        unit_price: Cents(cents),
        quantity,
    }
}

pub fn submitted(cents: i64) -> OrderEvent {
    OrderEvent::OrderSubmitted {
        total: Cents(cents),
    }
}

pub fn paid(cents: i64) -> OrderEvent {
    OrderEvent::PaymentReceived {
        amount: Cents(cents),
        payment_method: "card".into(),
        transaction_id: "txn-1".into(),
    }
}

pub fn pay(cents: i64) -> OrderCommand {
    OrderCommand::ReceivePayment {
        amount: Cents(cents),
        payment_method: "card".into(),
        transaction_id: "txn-1".into(),
    }
}

pub fn shipped() -> OrderEvent {
    OrderEvent::OrderShipped {
        carrier: "Contoso Express".into(),
        tracking_number: "TRK-1".into(),
    }
}

pub fn ship() -> OrderCommand {
    OrderCommand::ShipOrder {
        carrier: "Contoso Express".into(),
        tracking_number: "TRK-1".into(),
    }
}

pub fn cancelled() -> OrderEvent {
    OrderEvent::OrderCancelled {
        reason: "changed mind".into(),
        cancelled_by: "customer".into(),
    }
}

pub fn cancel() -> OrderCommand {
    OrderCommand::CancelOrder {
        reason: "changed mind".into(),
        cancelled_by: "customer".into(),
    }
}

/// An order with one line of 2 × $12.50 ($25.00 total), still a draft.
pub fn draft_with_item() -> Vec<OrderEvent> {
    vec![created(), item_added("sku-42", 1250, 2)]
}

/// The draft above, submitted.
pub fn submitted_order() -> Vec<OrderEvent> {
    let mut events = draft_with_item();
    events.push(submitted(2500));
    events
}

/// The submitted order above, paid.
pub fn paid_order() -> Vec<OrderEvent> {
    let mut events = submitted_order();
    events.push(paid(2500));
    events
}

/// A command a simulated client sends at `at` ms; its correlation id is `corr-{id}`.
pub fn scripted(
    at: u64,
    client: u32,
    id: &str,
    order: &str,
    command: OrderCommand,
) -> ScriptedCommand {
    ScriptedCommand {
        at: VirtualMillis(at),
        client: ClientId(client),
        command_id: CommandId::parse(id).expect("valid"),
        correlation_id: CorrelationId::parse(&format!("corr-{id}")).expect("valid"),
        order_id: OrderId::parse(order).expect("valid"),
        command,
    }
}

/// Client 1 creates an order (schema v1: no currency).
pub fn create_order(at: u64, id: &str, order: &str) -> ScriptedCommand {
    scripted(
        at,
        1,
        id,
        order,
        OrderCommand::CreateOrder {
            customer_id: customer(),
            currency: None,
            personal: None,
        },
    )
}

/// Command `cmd-<command>` appending `events` to `stream` at the expected version, with
/// outbox rows: event ids `evt-<command * 100 + i>`, all caused by the command.
pub fn append_request(
    stream: &str,
    expected: u64,
    command: u64,
    events: Vec<OrderEvent>,
) -> AppendRequest {
    AppendRequest {
        stream_id: OrderId::parse(stream).expect("valid"),
        expected_version: StreamVersion(expected),
        events: events
            .into_iter()
            .enumerate()
            .map(|(i, event)| NewEvent {
                event_id: EventId::numbered("evt", command * 100 + i as u64),
                schema_version: SchemaVersion(1),
                recorded_at: VirtualMillis(command),
                correlation_id: CorrelationId::numbered("corr", command),
                causation_id: CommandId::numbered("cmd", command),
                event,
            })
            .collect(),
        command_id: CommandId::numbered("cmd", command),
        with_outbox: true,
    }
}
