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
use crate::domain::inventory::{self, InventoryEvent, Stock};
use crate::domain::money::Cents;
use crate::domain::order::{self, OrderCommand, OrderEvent, OrderState};
use crate::domain::payment::{self, PaymentEvent};
use crate::domain::saga::{Input, Outcome, SagaEvent, SagaOrder, SagaState, SagaStep};
use crate::engine::rng::SimRng;
use crate::engine::scheduler::Scheduler;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod checks;
mod config;
mod messages;

use config::in_range;
pub use config::{Behaviour, FulfilmentConfig, SetupError, MAX_CRASHES, MAX_DELAY_MS, MAX_ORDERS};

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
}
