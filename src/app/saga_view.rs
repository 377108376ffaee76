//! What the saga panel draws, computed from a fulfilment run: how many instances sit in
//! each state of the state machine, each instance's steps and its stream in words, and
//! the participants' side (stock held, money taken). Pure, so it is tested natively.

use crate::domain::ids::VirtualMillis;
use crate::domain::money::Cents;
use crate::domain::saga::{Outcome, Phase, SagaEvent, SagaState, SagaStep};
use crate::engine::fulfilment::{saga_stream, Counts, Fact, Fulfilment};

/// A state of the saga's state machine, as drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Node {
    /// Waiting for stock.
    Reserving,
    /// Waiting for the payment.
    Charging,
    /// Waiting for the shipment (past the pivot).
    Shipping,
    /// Ended: shipped.
    Completed,
    /// Undoing.
    Compensating,
    /// Ended: undone and cancelled.
    Compensated,
}

impl Node {
    /// Every state, in drawing order.
    pub const ALL: [Node; 6] = [
        Node::Reserving,
        Node::Charging,
        Node::Shipping,
        Node::Completed,
        Node::Compensating,
        Node::Compensated,
    ];

    /// Its name on the diagram.
    pub fn label(self) -> &'static str {
        match self {
            Node::Reserving => "Reserve stock",
            Node::Charging => "Take payment",
            Node::Shipping => "Ship order",
            Node::Completed => "Completed",
            Node::Compensating => "Compensating",
            Node::Compensated => "Compensated",
        }
    }

    /// The state a saga in `phase` is drawn in.
    pub fn of(phase: Phase) -> Option<Node> {
        match phase {
            Phase::NotStarted => None,
            Phase::Running(SagaStep::ReserveStock) => Some(Node::Reserving),
            Phase::Running(SagaStep::TakePayment) => Some(Node::Charging),
            Phase::Running(_) => Some(Node::Shipping),
            Phase::Compensating => Some(Node::Compensating),
            Phase::Completed => Some(Node::Completed),
            Phase::Compensated => Some(Node::Compensated),
        }
    }
}

/// Where one step of one instance stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// Not asked.
    NotAsked,
    /// Asked; no answer yet.
    Waiting {
        /// True once its deadline passed.
        timed_out: bool,
    },
    /// Done.
    Done,
    /// Refused, with the participant's reason.
    Refused(String),
}

impl StepStatus {
    /// Words for the table cell.
    pub fn label(&self) -> String {
        match self {
            StepStatus::NotAsked => "—".into(),
            StepStatus::Waiting { timed_out: false } => "waiting…".into(),
            StepStatus::Waiting { timed_out: true } => "timed out, still waiting".into(),
            StepStatus::Done => "✓ done".into(),
            StepStatus::Refused(reason) => format!("✗ refused: {reason}"),
        }
    }
}

/// One saga instance, as its row shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The order.
    pub order_id: String,
    /// Its state on the machine.
    pub node: Option<Node>,
    /// Its phase in words.
    pub phase: String,
    /// Each step in `Step::FORWARD` then `Step::BACKWARD` order.
    pub steps: Vec<(SagaStep, StepStatus)>,
    /// Why it compensates.
    pub reason: Option<String>,
    /// Charged minus refunded.
    pub net_charged: Cents,
    /// The saga's stream in words: time, event type, what it says.
    pub history: Vec<(VirtualMillis, &'static str, String)>,
}

/// The whole panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaView {
    /// Instances in each state, in `Node::ALL` order (a node's number).
    pub counts: [u32; Node::ALL.len()],
    /// Every instance, by order id.
    pub instances: Vec<Instance>,
    /// Each product: units free and units held.
    pub stock: Vec<(String, u32, u32)>,
    /// Events in the log, by aggregate: orders, payments, stock, sagas.
    pub events_by_aggregate: [(&'static str, u64); 4],
    /// Counters of the run.
    pub counts_of_run: Counts,
    /// Broken invariants (checked only once the run has settled).
    pub violations: Option<Vec<String>>,
}

fn status(state: &SagaState, step: SagaStep) -> StepStatus {
    let asked: Vec<_> = state.requests.values().filter(|r| r.step == step).collect();
    if asked.iter().any(|r| r.answer == Some(Outcome::Done)) {
        return StepStatus::Done;
    }
    match asked.last() {
        None => StepStatus::NotAsked,
        Some(r) => match &r.answer {
            None => StepStatus::Waiting {
                timed_out: r.timed_out,
            },
            Some(Outcome::Refused { reason }) => StepStatus::Refused(reason.clone()),
            Some(Outcome::Done) => StepStatus::Done,
        },
    }
}

fn describe(state: &SagaState, event: &SagaEvent) -> String {
    let step_of = |id| {
        state
            .requests
            .get(id)
            .map_or("an unknown step", |r| r.step.label())
    };
    match event {
        SagaEvent::SagaStarted { order } => format!(
            "order {} submitted: {} × {}, {} to charge {}",
            order.order_id, order.units, order.product_id, order.amount, order.customer_id
        ),
        SagaEvent::StepRequested {
            step,
            command_id,
            resent,
        } => format!(
            "asks {} to {step} (command {command_id}){}",
            step.participant().label(),
            if *resent { ", again" } else { "" }
        ),
        SagaEvent::StepAnswered {
            command_id,
            outcome,
        } => match outcome {
            Outcome::Done => format!("{}: done", step_of(command_id)),
            Outcome::Refused { reason } => format!("{}: refused ({reason})", step_of(command_id)),
        },
        SagaEvent::StepTimedOut { command_id } => {
            format!("{}: no answer before the deadline", step_of(command_id))
        }
        SagaEvent::CompensationStarted { reason } => format!("starts to compensate: {reason}"),
        SagaEvent::SagaCompleted => "completed: the order shipped".into(),
        SagaEvent::SagaCompensated => {
            "compensated: every step that happened was undone, the order cancelled".into()
        }
    }
}

impl SagaView {
    /// The panel for this run.
    pub fn of(run: &Fulfilment) -> SagaView {
        let mut counts = [0; Node::ALL.len()];
        let mut instances = Vec::new();
        for (order_id, state) in run.sagas() {
            let node = Node::of(state.phase);
            if let Some(n) = node {
                if let Some(count) = counts.get_mut(n as usize) {
                    *count += 1;
                }
            }
            let history = run
                .stream(&saga_stream(order_id))
                .filter_map(|r| {
                    let e = r.fact.as_saga()?;
                    Some((r.at, e.event_type(), describe(state, e)))
                })
                .collect();
            instances.push(Instance {
                order_id: order_id.to_string(),
                node,
                phase: state.phase.label(),
                steps: SagaStep::FORWARD
                    .into_iter()
                    .chain(SagaStep::BACKWARD)
                    .map(|s| (s, status(state, s)))
                    .collect(),
                reason: state.reason.clone(),
                net_charged: run.net_charged(order_id),
                history,
            });
        }
        let stock = run
            .products()
            .map(|p| {
                let s = run.stock(p);
                (p.to_string(), s.available, s.reserved.values().sum())
            })
            .collect();
        let mut by = [("Order", 0), ("Payment", 0), ("Inventory", 0), ("Saga", 0)];
        for r in run.log() {
            let i = match r.fact {
                Fact::Order(_) => 0,
                Fact::Payment(_) => 1,
                Fact::Inventory(_) => 2,
                Fact::Saga(_) => 3,
            };
            by[i].1 += 1;
        }
        SagaView {
            counts,
            instances,
            stock,
            events_by_aggregate: by,
            counts_of_run: run.counts(),
            violations: run.is_settled().then(|| run.violations()),
        }
    }
}
