//! A deterministic simulation of the order-fulfilment saga (`domain::saga`) and the three
//! aggregates it coordinates, each in its own streams of one log: `Order` (`o-1`),
//! `Payment` (`pay-o-1`) and `Inventory` (`stock-{product}`), plus the saga's own stream
//! (`saga-o-1`), which is its durable state.
//!
//! Messages between the saga and the participants travel on a simulated bus with lag and
//! duplicates. A participant may be slow (it answers after the saga's deadline, and does
//! the work late), fail (a refusal before the pivot, a transient refusal after it), or
//! answer twice. Participants do each command id once and answer a copy with their first
//! answer. The saga's process can crash: its timers are lost, messages for it wait in the
//! broker, and on recovery it refolds every saga from its stream, sends each unanswered
//! command again and sets its deadlines again. `violations` checks the invariants.

use crate::domain::ids::{CommandId, OrderId, ProductId, VirtualMillis};
use crate::domain::inventory::{self, InventoryCommand, InventoryEvent, Stock};
use crate::domain::money::Cents;
use crate::domain::order::{self, OrderCommand, OrderEvent, OrderState, OrderStatus};
use crate::domain::payment::{self, PaymentCommand, PaymentEvent};
use crate::domain::saga::{self, Input, Outcome, Phase, SagaEvent, SagaOrder, SagaState, SagaStep};
use crate::engine::rng::{PerMillion, SimRng};
use crate::engine::scheduler::Scheduler;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How one participant misbehaves, each a chance per command (whole percent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Behaviour {
    /// Answers (and acts) only after the saga's deadline (a forward step: the chance
    /// that the step the saga waits on is late; undoing is answered in time, though a
    /// crash can still make the saga send it again).
    pub slow: u32,
    /// Refuses (a forward step only: compensation always succeeds, eventually).
    pub fail: u32,
    /// Sends its answer twice.
    pub twice: u32,
}

/// The simulated world of a fulfilment run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FulfilmentConfig {
    /// Seed of the run's one random generator.
    pub seed: u64,
    /// How long the saga waits for an answer, in virtual ms.
    pub timeout_ms: u64,
    /// Longest bus delivery, in virtual ms (each delivery takes 10 ms up to this).
    pub lag_ms: u64,
    /// Chance the bus delivers a message twice (whole percent).
    pub duplicate_percent: u32,
    /// Units of each product in stock at the start.
    pub stock: u32,
    /// The inventory service.
    pub inventory: Behaviour,
    /// The payment provider.
    pub payment: Behaviour,
    /// Shipping (recorded on the order).
    pub shipping: Behaviour,
    /// Virtual times at which the saga's process crashes.
    pub crashes: Vec<u64>,
    /// How long it stays down after a crash, in virtual ms.
    pub downtime_ms: u64,
}

/// Most orders, crashes and units a run accepts (it must stay small enough to watch).
pub const MAX_ORDERS: usize = 200;
/// Most crashes in one run.
pub const MAX_CRASHES: usize = 20;
/// Longest deadline, lag or downtime, in virtual ms (ten minutes).
pub const MAX_DELAY_MS: u64 = 600_000;

impl Default for FulfilmentConfig {
    fn default() -> Self {
        FulfilmentConfig {
            seed: 1,
            timeout_ms: 2_000,
            lag_ms: 150,
            duplicate_percent: 0,
            stock: 10,
            inventory: Behaviour::default(),
            payment: Behaviour::default(),
            shipping: Behaviour::default(),
            crashes: Vec::new(),
            downtime_ms: 1_000,
        }
    }
}

/// A bad fulfilment setup, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// A field out of its range.
    #[error("{field} must be from {min} to {max} (got {got})")]
    OutOfRange {
        /// The field's name.
        field: &'static str,
        /// Lowest allowed.
        min: u64,
        /// Highest allowed.
        max: u64,
        /// What was given.
        got: u64,
    },
    /// An order the Order aggregate refuses.
    #[error("order {order}: {reason}")]
    BadOrder {
        /// Which order.
        order: String,
        /// Why.
        reason: String,
    },
}

fn in_range(field: &'static str, got: u64, min: u64, max: u64) -> Result<(), SetupError> {
    if (min..=max).contains(&got) {
        Ok(())
    } else {
        Err(SetupError::OutOfRange {
            field,
            min,
            max,
            got,
        })
    }
}

impl FulfilmentConfig {
    /// Checks every field.
    pub fn check(&self) -> Result<(), SetupError> {
        in_range("timeoutMs", self.timeout_ms, 100, MAX_DELAY_MS)?;
        in_range("lagMs", self.lag_ms, 10, MAX_DELAY_MS)?;
        in_range("downtimeMs", self.downtime_ms, 1, MAX_DELAY_MS)?;
        in_range("duplicatePercent", self.duplicate_percent.into(), 0, 100)?;
        in_range(
            "stock",
            self.stock.into(),
            0,
            u64::from(inventory::MAX_UNITS),
        )?;
        in_range("crashes", self.crashes.len() as u64, 0, MAX_CRASHES as u64)?;
        for at in &self.crashes {
            in_range("crashes", *at, 0, MAX_DELAY_MS)?;
        }
        for (b, fields) in [
            (
                self.inventory,
                ["inventory.slow", "inventory.fail", "inventory.twice"],
            ),
            (
                self.payment,
                ["payment.slow", "payment.fail", "payment.twice"],
            ),
            (
                self.shipping,
                ["shipping.slow", "shipping.fail", "shipping.twice"],
            ),
        ] {
            for (field, value) in fields.into_iter().zip([b.slow, b.fail, b.twice]) {
                in_range(field, value.into(), 0, 100)?;
            }
        }
        Ok(())
    }

    fn behaviour(&self, step: SagaStep) -> Behaviour {
        match step.participant() {
            saga::Participant::Inventory => self.inventory,
            saga::Participant::Payment => self.payment,
            saga::Participant::Order => self.shipping,
        }
    }
}

/// One order a client places (and submits) at a virtual time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacedOrder {
    /// When, in virtual ms.
    pub at: u64,
    /// The order's id.
    pub order_id: OrderId,
    /// Who.
    pub customer_id: crate::domain::ids::CustomerId,
    /// What.
    pub product_id: ProductId,
    /// How many.
    pub units: u32,
    /// Price of one unit.
    pub unit_price: Cents,
}

/// A fact in the shared log, from whichever aggregate recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "aggregate", content = "event")]
pub enum Fact {
    /// An order's event.
    Order(OrderEvent),
    /// A payment's event.
    Payment(PaymentEvent),
    /// A product's stock event.
    Inventory(InventoryEvent),
    /// A saga's event.
    Saga(SagaEvent),
}

impl Fact {
    /// The order's event, if it is one.
    pub fn as_order(&self) -> Option<&OrderEvent> {
        match self {
            Fact::Order(e) => Some(e),
            _ => None,
        }
    }

    /// The payment's event, if it is one.
    pub fn as_payment(&self) -> Option<&PaymentEvent> {
        match self {
            Fact::Payment(e) => Some(e),
            _ => None,
        }
    }

    /// The stock's event, if it is one.
    pub fn as_inventory(&self) -> Option<&InventoryEvent> {
        match self {
            Fact::Inventory(e) => Some(e),
            _ => None,
        }
    }

    /// The saga's event, if it is one.
    pub fn as_saga(&self) -> Option<&SagaEvent> {
        match self {
            Fact::Saga(e) => Some(e),
            _ => None,
        }
    }

    /// The event's type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            Fact::Order(e) => e.event_type(),
            Fact::Payment(e) => match e {
                PaymentEvent::PaymentCharged { .. } => "PaymentCharged",
                PaymentEvent::PaymentDeclined { .. } => "PaymentDeclined",
                PaymentEvent::PaymentRefunded { .. } => "PaymentRefunded",
            },
            Fact::Inventory(e) => match e {
                InventoryEvent::StockRestocked { .. } => "StockRestocked",
                InventoryEvent::StockReserved { .. } => "StockReserved",
                InventoryEvent::StockReleased { .. } => "StockReleased",
            },
            Fact::Saga(e) => e.event_type(),
        }
    }
}

/// One recorded event of the run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    /// Position in the whole log, from 1.
    pub position: u64,
    /// When.
    pub at: VirtualMillis,
    /// The stream it belongs to.
    pub stream: String,
    /// Its version in that stream, from 1.
    pub version: u64,
    /// The event.
    #[serde(flatten)]
    pub fact: Fact,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Task {
    Place(PlacedOrder),
    ToSaga(Input),
    ToParticipant {
        command_id: CommandId,
        step: SagaStep,
        order: SagaOrder,
    },
    Process {
        command_id: CommandId,
        step: SagaStep,
        order: SagaOrder,
    },
    Deadline {
        order_id: OrderId,
        command_id: CommandId,
    },
    Crash,
    Recover,
}

/// Counters of what happened, for the views.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages the bus delivered (copies included).
    pub delivered: u64,
    /// Extra copies the bus or a participant sent.
    pub duplicates: u64,
    /// Commands a participant had done already (answered again, not done again).
    pub deduplicated: u64,
    /// Deadlines that passed without an answer.
    pub timeouts: u64,
    /// Crashes of the saga's process.
    pub crashes: u64,
    /// Timers a crash lost (set again on recovery).
    pub timers_lost: u64,
    /// Commands sent again on recovery.
    pub resent: u64,
}

/// The fulfilment run. Own it in one place and step it.
#[derive(Debug, Clone)]
pub struct Fulfilment {
    config: FulfilmentConfig,
    scheduler: Scheduler<Task>,
    rng: SimRng,
    log: Vec<Recorded>,
    streams: BTreeMap<String, Vec<usize>>,
    sagas: BTreeMap<OrderId, SagaState>,
    processed: BTreeMap<CommandId, Outcome>,
    in_progress: BTreeSet<CommandId>,
    products: BTreeSet<ProductId>,
    down_until: Option<VirtualMillis>,
    counts: Counts,
}

/// The stream of an order's saga.
pub fn saga_stream(order: &OrderId) -> String {
    format!("saga-{order}")
}

/// The stream of an order's payment.
pub fn payment_stream(order: &OrderId) -> String {
    format!("pay-{order}")
}

/// The commands that place an order: create, add its line, submit.
fn placement(placed: &PlacedOrder) -> [OrderCommand; 3] {
    [
        OrderCommand::CreateOrder {
            customer_id: placed.customer_id.clone(),
            currency: None,
            personal: None,
        },
        OrderCommand::AddItem {
            product_id: placed.product_id.clone(),
            product_name: placed.product_id.as_str().into(),
            unit_price: placed.unit_price,
            quantity: i64::from(placed.units),
        },
        OrderCommand::SubmitOrder,
    ]
}

/// The Order aggregate's answer to placing an order: its rules (a unit price and a
/// quantity within bounds, …) are the ones a setup must meet.
fn placement_refused(placed: &PlacedOrder) -> Option<order::Rejection> {
    let mut state = OrderState::NotCreated;
    for command in placement(placed) {
        match order::decide(&state, &command) {
            Ok(events) => state = events.iter().fold(state, order::evolve),
            Err(rejection) => return Some(rejection),
        }
    }
    None
}

/// The stream of a product's stock.
pub fn stock_stream(product: &ProductId) -> String {
    format!("stock-{product}")
}

impl Fulfilment {
    /// A run at time 0: stock for every product of the script, the orders and the
    /// crashes scheduled. Checks the setup and every order first.
    pub fn new(config: FulfilmentConfig, orders: &[PlacedOrder]) -> Result<Self, SetupError> {
        config.check()?;
        in_range("orders", orders.len() as u64, 0, MAX_ORDERS as u64)?;
        for placed in orders {
            in_range("at", placed.at, 0, MAX_DELAY_MS)?;
            let bad = |reason: String| SetupError::BadOrder {
                order: placed.order_id.to_string(),
                reason,
            };
            let total = placed
                .unit_price
                .checked_times(placed.units)
                .ok_or_else(|| bad("the total overflows".into()))?;
            if placed.units == 0 || placed.units > inventory::MAX_UNITS {
                return Err(bad(format!(
                    "units must be from 1 to {}",
                    inventory::MAX_UNITS
                )));
            }
            if total.0 <= 0 || total > payment::MAX_AMOUNT {
                return Err(bad(format!(
                    "the total must be from $0.01 to {}",
                    payment::MAX_AMOUNT
                )));
            }
            if let Some(rejection) = placement_refused(placed) {
                return Err(bad(format!("the order would be rejected: {rejection}")));
            }
        }
        let mut ids = BTreeSet::new();
        if let Some(dup) = orders.iter().find(|o| !ids.insert(o.order_id.clone())) {
            return Err(SetupError::BadOrder {
                order: dup.order_id.to_string(),
                reason: "the same order id appears twice".into(),
            });
        }
        let mut run = Fulfilment {
            rng: SimRng::seeded(config.seed),
            scheduler: Scheduler::default(),
            log: Vec::new(),
            streams: BTreeMap::new(),
            sagas: BTreeMap::new(),
            processed: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            products: orders.iter().map(|o| o.product_id.clone()).collect(),
            down_until: None,
            counts: Counts::default(),
            config,
        };
        if run.config.stock > 0 {
            for product in run.products.clone() {
                let units = run.config.stock;
                run.record(
                    stock_stream(&product),
                    Fact::Inventory(InventoryEvent::StockRestocked { units }),
                );
            }
        }
        for placed in orders {
            run.scheduler
                .schedule_anyway(VirtualMillis(placed.at), Task::Place(placed.clone()));
        }
        for at in run.config.crashes.clone() {
            run.scheduler
                .schedule_anyway(VirtualMillis(at), Task::Crash);
        }
        Ok(run)
    }

    /// The virtual time now.
    pub fn now(&self) -> VirtualMillis {
        self.scheduler.now()
    }

    /// When the next thing is due.
    pub fn next_due(&self) -> Option<VirtualMillis> {
        self.scheduler.next_due()
    }

    /// Runs the next task; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let Some(task) = self.scheduler.pop() else {
            return false;
        };
        match task {
            Task::Place(placed) => self.place(&placed),
            Task::ToSaga(input) => self.saga_receives(input),
            Task::ToParticipant {
                command_id,
                step,
                order,
            } => self.participant_receives(command_id, step, order),
            Task::Process {
                command_id,
                step,
                order,
            } => {
                self.in_progress.remove(&command_id);
                self.process(command_id, step, &order);
            }
            Task::Deadline {
                order_id,
                command_id,
            } => self.deadline(order_id, command_id),
            Task::Crash => self.crash(),
            Task::Recover => self.recover(),
        }
        true
    }

    /// Runs everything due up to `t`, then moves the clock to `t`.
    pub fn run_until(&mut self, t: VirtualMillis) {
        while self.next_due().is_some_and(|due| due <= t) {
            self.step();
        }
        if self.now() < t {
            self.scheduler.advance_to(t);
        }
    }

    /// Runs until nothing is left (or `max_steps` ran); true if it went quiet.
    pub fn run_to_end(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps {
            if !self.step() {
                return true;
            }
        }
        self.next_due().is_none()
    }

    /// True when nothing more can happen: no message, crash or order is on its way, and
    /// every deadline still set would find its command answered. The invariants hold
    /// only from then on (while messages fly, sagas are still running).
    pub fn is_settled(&self) -> bool {
        !self.scheduler.any(|task| match task {
            Task::Deadline {
                order_id,
                command_id,
            } => self.sagas.get(order_id).is_some_and(|s| {
                !s.phase.is_final()
                    && s.requests
                        .get(command_id)
                        .is_some_and(|r| r.answer.is_none())
            }),
            _ => true,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FulfilmentConfig {
        &self.config
    }

    /// A fingerprint of the log (FNV-1a of its JSON): equal runs have equal ones.
    pub fn fingerprint(&self) -> u64 {
        let text = serde_json::to_string(&self.log).unwrap_or_default();
        text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// The whole log.
    pub fn log(&self) -> &[Recorded] {
        &self.log
    }

    /// The events of one stream, oldest first.
    pub fn stream(&self, name: &str) -> impl Iterator<Item = &Recorded> {
        self.streams
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|i| self.log.get(*i))
    }

    /// Every saga's state, by order.
    pub fn sagas(&self) -> &BTreeMap<OrderId, SagaState> {
        &self.sagas
    }

    /// Counters.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// True while the saga's process is down.
    pub fn is_down(&self) -> bool {
        self.down_until.is_some()
    }

    /// The order's state, folded from its stream.
    pub fn order(&self, order: &OrderId) -> OrderState {
        self.order_state(order.as_str())
    }

    /// A product's stock, folded from its stream.
    pub fn stock(&self, product: &ProductId) -> Stock {
        inventory::fold(
            self.stream(&stock_stream(product))
                .filter_map(|r| r.fact.as_inventory()),
        )
    }

    /// The products stocked.
    pub fn products(&self) -> impl Iterator<Item = &ProductId> {
        self.products.iter()
    }

    fn payment_events(&self, order: &OrderId) -> Vec<&PaymentEvent> {
        self.stream(&payment_stream(order))
            .filter_map(|r| r.fact.as_payment())
            .collect()
    }

    /// What the customer is out of pocket for this order: charged minus refunded.
    pub fn net_charged(&self, order: &OrderId) -> Cents {
        payment::net_charged(self.payment_events(order))
    }

    /// Every broken invariant, in words (none, when all hold). Meant for a settled run
    /// (`is_settled`): while messages are in flight, sagas are still running.
    pub fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (order_id, state) in &self.sagas {
            let events: Vec<&SagaEvent> = self
                .stream(&saga_stream(order_id))
                .filter_map(|r| r.fact.as_saga())
                .collect();
            let completed = events.iter().any(|e| **e == SagaEvent::SagaCompleted);
            let compensated = events.iter().any(|e| **e == SagaEvent::SagaCompensated);
            if completed && compensated {
                out.push(format!("saga {order_id} both completed and compensated"));
            }
            if !state.phase.is_final() {
                out.push(format!(
                    "saga {order_id} ended neither completed nor compensated ({})",
                    state.phase.label()
                ));
            }
            let charges = self
                .payment_events(order_id)
                .into_iter()
                .filter(|e| matches!(e, PaymentEvent::PaymentCharged { .. }))
                .count();
            if charges > 1 {
                out.push(format!(
                    "order {order_id}: the customer was charged {charges} times"
                ));
            }
            let Some(order) = &state.order else { continue };
            let net = self.net_charged(order_id);
            let held = self
                .stock(&order.product_id)
                .reserved
                .get(order_id)
                .copied();
            let status = match self.order(order_id) {
                OrderState::Created(o) => Some(o.status),
                OrderState::NotCreated => None,
            };
            match state.phase {
                Phase::Completed => {
                    if net != order.amount {
                        out.push(format!(
                            "order {order_id} shipped but the customer paid {net}, not {}",
                            order.amount
                        ));
                    }
                    if held != Some(order.units) {
                        out.push(format!("order {order_id} shipped without its stock held"));
                    }
                    if status != Some(OrderStatus::Shipped) {
                        out.push(format!(
                            "saga {order_id} completed but the order is not shipped"
                        ));
                    }
                }
                Phase::Compensated => {
                    if net != Cents(0) {
                        out.push(format!(
                            "order {order_id} was compensated but the customer is out {net}"
                        ));
                    }
                    if held.is_some() {
                        out.push(format!(
                            "order {order_id} was compensated but still holds stock"
                        ));
                    }
                    if status != Some(OrderStatus::Cancelled) {
                        out.push(format!(
                            "saga {order_id} compensated but the order is not cancelled"
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn record(&mut self, stream: String, fact: Fact) {
        let index = self.log.len();
        let entry = self.streams.entry(stream.clone()).or_default();
        entry.push(index);
        let version = entry.len() as u64;
        self.log.push(Recorded {
            position: index as u64 + 1,
            at: self.now(),
            stream,
            version,
            fact,
        });
    }

    /// Sends a message on the bus: it arrives after some lag, and maybe twice.
    fn send(&mut self, task: Task) {
        let lag = self.rng.between(10, self.config.lag_ms);
        if self
            .rng
            .chance(PerMillion::percent(self.config.duplicate_percent))
        {
            let again = self.rng.between(10, self.config.lag_ms);
            self.counts.duplicates += 1;
            self.scheduler
                .schedule_anyway(VirtualMillis(again), task.clone());
        }
        self.scheduler.schedule_anyway(VirtualMillis(lag), task);
    }

    fn place(&mut self, placed: &PlacedOrder) {
        let commands = placement(placed);
        let stream = placed.order_id.to_string();
        for command in &commands {
            if let Err(rejection) = self.decide_order(&stream, command) {
                // Checked in `new`; a refusal here would be a bug worth seeing.
                debug_assert!(false, "placing {stream}: {rejection}");
                return;
            }
        }
        let total = match self.order(&placed.order_id) {
            OrderState::Created(o) => o.total(),
            OrderState::NotCreated => return,
        };
        self.send(Task::ToSaga(Input::Start(SagaOrder {
            order_id: placed.order_id.clone(),
            customer_id: placed.customer_id.clone(),
            product_id: placed.product_id.clone(),
            units: placed.units,
            amount: total,
        })));
    }

    fn decide_order(&mut self, stream: &str, command: &OrderCommand) -> Result<(), String> {
        let state = self.order_state(stream);
        let events = order::decide(&state, command).map_err(|r| r.to_string())?;
        for event in events {
            self.record(stream.to_owned(), Fact::Order(event));
        }
        Ok(())
    }

    fn order_state(&self, stream: &str) -> OrderState {
        order::fold(self.stream(stream).filter_map(|r| r.fact.as_order()))
    }

    fn saga_receives(&mut self, input: Input) {
        if let Some(until) = self.down_until {
            // The broker keeps the message until the process is back.
            let wait = until.0.saturating_sub(self.now().0).saturating_add(1);
            self.scheduler
                .schedule_anyway(VirtualMillis(wait), Task::ToSaga(input));
            return;
        }
        self.counts.delivered += 1;
        let order_id = match &input {
            Input::Start(order) => order.order_id.clone(),
            Input::Answer { command_id, .. } | Input::Deadline { command_id } => {
                match self.owner_of(command_id) {
                    Some(id) => id,
                    None => return,
                }
            }
        };
        let state = self.sagas.get(&order_id).cloned().unwrap_or_default();
        let events = saga::react(&state, &input);
        self.apply(&order_id, state, events);
    }

    fn owner_of(&self, command_id: &CommandId) -> Option<OrderId> {
        self.sagas
            .iter()
            .find(|(_, s)| s.requests.contains_key(command_id))
            .map(|(id, _)| id.clone())
    }

    /// Records a saga's events, then sends the commands they ask for and sets deadlines.
    fn apply(&mut self, order_id: &OrderId, mut state: SagaState, events: Vec<SagaEvent>) {
        let stream = saga_stream(order_id);
        let mut sends = Vec::new();
        for event in events {
            state = saga::evolve(state, &event);
            if let SagaEvent::StepRequested {
                step, command_id, ..
            } = &event
            {
                sends.push((*step, command_id.clone()));
            }
            self.record(stream.clone(), Fact::Saga(event));
        }
        let order = state.order.clone();
        self.sagas.insert(order_id.clone(), state);
        let Some(order) = order else { return };
        for (step, command_id) in sends {
            self.dispatch(&order, step, command_id);
        }
    }

    fn dispatch(&mut self, order: &SagaOrder, step: SagaStep, command_id: CommandId) {
        self.send(Task::ToParticipant {
            command_id: command_id.clone(),
            step,
            order: order.clone(),
        });
        self.scheduler.schedule_anyway(
            VirtualMillis(self.config.timeout_ms),
            Task::Deadline {
                order_id: order.order_id.clone(),
                command_id,
            },
        );
    }

    fn deadline(&mut self, order_id: OrderId, command_id: CommandId) {
        let Some(state) = self.sagas.get(&order_id).cloned() else {
            return;
        };
        let events = saga::react(&state, &Input::Deadline { command_id });
        if !events.is_empty() {
            self.counts.timeouts += 1;
        }
        self.apply(&order_id, state, events);
    }

    fn participant_receives(&mut self, command_id: CommandId, step: SagaStep, order: SagaOrder) {
        self.counts.delivered += 1;
        if let Some(outcome) = self.processed.get(&command_id).cloned() {
            self.counts.deduplicated += 1;
            return self.answer(command_id, step, outcome);
        }
        if self.in_progress.contains(&command_id) {
            // Already being worked on (slowly): that work will answer.
            self.counts.deduplicated += 1;
            return;
        }
        let behaviour = self.config.behaviour(step);
        if step.is_forward() && self.rng.chance(PerMillion::percent(behaviour.slow)) {
            self.in_progress.insert(command_id.clone());
            let late = self
                .config
                .timeout_ms
                .saturating_mul(2)
                .saturating_add(self.rng.between(0, self.config.lag_ms));
            self.scheduler.schedule_anyway(
                VirtualMillis(late),
                Task::Process {
                    command_id,
                    step,
                    order,
                },
            );
            return;
        }
        self.process(command_id, step, &order);
    }

    /// A participant carries out a command (once per id) and answers.
    fn process(&mut self, command_id: CommandId, step: SagaStep, order: &SagaOrder) {
        if let Some(outcome) = self.processed.get(&command_id).cloned() {
            self.counts.deduplicated += 1;
            return self.answer(command_id, step, outcome);
        }
        let behaviour = self.config.behaviour(step);
        let fails = step.is_forward() && self.rng.chance(PerMillion::percent(behaviour.fail));
        let outcome = match self.carry_out(step, order, fails) {
            Ok(()) => Outcome::Done,
            Err(reason) => Outcome::Refused { reason },
        };
        self.processed.insert(command_id.clone(), outcome.clone());
        self.answer(command_id, step, outcome);
    }

    fn carry_out(&mut self, step: SagaStep, order: &SagaOrder, fails: bool) -> Result<(), String> {
        let id = &order.order_id;
        match step {
            SagaStep::ReserveStock if fails => Err("the warehouse system is unavailable".into()),
            SagaStep::ReserveStock | SagaStep::ReleaseStock => {
                let command = if step == SagaStep::ReserveStock {
                    InventoryCommand::Reserve {
                        order_id: id.clone(),
                        units: order.units,
                    }
                } else {
                    InventoryCommand::Release {
                        order_id: id.clone(),
                    }
                };
                let events = inventory::decide(&self.stock(&order.product_id), &command)
                    .map_err(|r| r.to_string())?;
                let stream = stock_stream(&order.product_id);
                for event in events {
                    self.record(stream.clone(), Fact::Inventory(event));
                }
                Ok(())
            }
            SagaStep::TakePayment | SagaStep::RefundPayment => {
                let command = match (step, fails) {
                    (SagaStep::TakePayment, false) => PaymentCommand::Charge {
                        order_id: id.clone(),
                        customer_id: order.customer_id.clone(),
                        amount: order.amount,
                    },
                    (SagaStep::TakePayment, true) => PaymentCommand::Decline {
                        reason: "card declined by the bank".into(),
                    },
                    _ => PaymentCommand::Refund {
                        reason: "order compensated by the fulfilment saga".into(),
                    },
                };
                let state = payment::fold(self.payment_events(id));
                let events = payment::decide(&state, &command).map_err(|r| r.to_string())?;
                let declined = events
                    .iter()
                    .any(|e| matches!(e, PaymentEvent::PaymentDeclined { .. }));
                let stream = payment_stream(id);
                for event in events {
                    self.record(stream.clone(), Fact::Payment(event));
                }
                if declined {
                    Err("card declined by the bank".into())
                } else {
                    Ok(())
                }
            }
            SagaStep::ShipOrder if fails => Err("no carrier is available; try again".into()),
            SagaStep::ShipOrder => {
                let stream = id.to_string();
                let pay = OrderCommand::ReceivePayment {
                    amount: order.amount,
                    payment_method: "card".into(),
                    transaction_id: payment_stream(id).into(),
                };
                let ship = OrderCommand::ShipOrder {
                    carrier: "Contoso Freight".into(),
                    tracking_number: format!("trk-{id}").into(),
                };
                // Both or neither: check the second against the first's outcome.
                let state = self.order_state(&stream);
                let paid = order::decide(&state, &pay).map_err(|r| r.to_string())?;
                let after = paid.iter().fold(state, order::evolve);
                let shipped = order::decide(&after, &ship).map_err(|r| r.to_string())?;
                for event in paid.into_iter().chain(shipped) {
                    self.record(stream.clone(), Fact::Order(event));
                }
                Ok(())
            }
            SagaStep::CancelOrder => self.decide_order(
                id.as_str(),
                &OrderCommand::CancelOrder {
                    reason: "fulfilment failed; every step was undone".into(),
                    cancelled_by: "fulfilment saga".into(),
                },
            ),
        }
    }

    fn answer(&mut self, command_id: CommandId, step: SagaStep, outcome: Outcome) {
        let twice = self
            .rng
            .chance(PerMillion::percent(self.config.behaviour(step).twice));
        let message = Task::ToSaga(Input::Answer {
            command_id,
            outcome,
        });
        if twice {
            self.counts.duplicates += 1;
            self.send(message.clone());
        }
        self.send(message);
    }

    fn crash(&mut self) {
        if self.down_until.is_some() {
            return;
        }
        self.counts.crashes += 1;
        let before = self.scheduler.len();
        self.scheduler
            .retain(|task| !matches!(task, Task::Deadline { .. }));
        self.counts.timers_lost += before - self.scheduler.len();
        // What the process held in memory is gone; only the log remains.
        self.sagas.clear();
        let back = VirtualMillis(self.now().0.saturating_add(self.config.downtime_ms));
        self.down_until = Some(back);
        self.scheduler
            .schedule_anyway(VirtualMillis(self.config.downtime_ms), Task::Recover);
    }

    fn recover(&mut self) {
        self.down_until = None;
        let mut by_saga: BTreeMap<OrderId, Vec<SagaEvent>> = BTreeMap::new();
        for record in &self.log {
            if let Fact::Saga(event) = &record.fact {
                if let Some(id) = record.stream.strip_prefix("saga-") {
                    if let Ok(id) = OrderId::parse(id) {
                        by_saga.entry(id).or_default().push(event.clone());
                    }
                }
            }
        }
        for (order_id, events) in by_saga {
            let state = saga::fold(&events);
            // It cannot know which sends arrived: it sends every unanswered one again,
            // recorded as such (participants know each command id).
            let resend: Vec<SagaEvent> = if state.phase.is_final() {
                Vec::new()
            } else {
                state
                    .unanswered()
                    .map(|(id, r)| SagaEvent::StepRequested {
                        step: r.step,
                        command_id: id.clone(),
                        resent: true,
                    })
                    .collect()
            };
            self.counts.resent += resend.len() as u64;
            self.apply(&order_id, state, resend);
        }
    }
}
