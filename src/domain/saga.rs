//! The order-fulfilment saga as a pure process manager: it reacts to what happens (an
//! order was submitted, a participant answered, a step timed out) by recording its own
//! events (its durable state, stream `saga-{order}`) and asking participants to act.
//!
//! The process: reserve stock → take payment → ship. Shipping is the *pivot*: once asked,
//! the saga only goes forward (a refused or unanswered shipment is asked again). Before
//! it, a refusal or a timeout starts *compensation*: every step known to have happened is
//! undone (release stock, refund payment) and the order is cancelled. A timeout does not
//! mean the step did not happen: the participant may still do it, late. So the saga waits
//! for the answer to every step it asked for, and undoes a late success, before it calls
//! itself compensated. Answers are deduplicated by command id, so a participant that
//! answers twice, or a bus that delivers twice, changes nothing.

use super::ids::{CommandId, CustomerId, OrderId, ProductId};
use super::money::Cents;
pub use super::saga_step::{Participant, SagaStep};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a participant answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    /// It did it.
    Done,
    /// It refused, and did nothing.
    Refused {
        /// Why, in its words.
        reason: String,
    },
}

/// What the saga was started for: one submitted order of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SagaOrder {
    /// The order.
    pub order_id: OrderId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// What is reserved and shipped.
    pub product_id: ProductId,
    /// How many units.
    pub units: u32,
    /// What is charged.
    pub amount: Cents,
}

/// What the saga records about itself (its stream is its durable state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "eventType", content = "data", rename_all_fields = "camelCase")]
pub enum SagaEvent {
    /// The saga began for a submitted order.
    SagaStarted {
        /// The order it fulfils.
        order: SagaOrder,
    },
    /// It asked a participant to carry out a step (again, if `resent`).
    StepRequested {
        /// Which step.
        step: SagaStep,
        /// The command's id: the participant's idempotency key.
        command_id: CommandId,
        /// True when the same command is sent again after a timeout.
        resent: bool,
    },
    /// The first answer to a command (later copies are ignored).
    StepAnswered {
        /// The command answered.
        command_id: CommandId,
        /// The answer.
        outcome: Outcome,
    },
    /// No answer came in time.
    StepTimedOut {
        /// The command not answered.
        command_id: CommandId,
    },
    /// The saga gave up going forward and began to undo.
    CompensationStarted {
        /// Why.
        reason: String,
    },
    /// Every step done: the order shipped.
    SagaCompleted,
    /// Every step that happened was undone and the order cancelled.
    SagaCompensated,
}

impl SagaEvent {
    /// The event's type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            SagaEvent::SagaStarted { .. } => "SagaStarted",
            SagaEvent::StepRequested { .. } => "StepRequested",
            SagaEvent::StepAnswered { .. } => "StepAnswered",
            SagaEvent::StepTimedOut { .. } => "StepTimedOut",
            SagaEvent::CompensationStarted { .. } => "CompensationStarted",
            SagaEvent::SagaCompleted => "SagaCompleted",
            SagaEvent::SagaCompensated => "SagaCompensated",
        }
    }
}

/// Where a saga is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Not started.
    #[default]
    NotStarted,
    /// Waiting for this forward step.
    Running(SagaStep),
    /// Undoing what happened.
    Compensating,
    /// Ended: shipped.
    Completed,
    /// Ended: everything undone, order cancelled.
    Compensated,
}

impl Phase {
    /// True once the saga has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Completed | Phase::Compensated)
    }

    /// Words for people.
    pub fn label(self) -> String {
        match self {
            Phase::NotStarted => "not started".into(),
            Phase::Running(step) => format!("waiting to {step}"),
            Phase::Compensating => "compensating".into(),
            Phase::Completed => "completed".into(),
            Phase::Compensated => "compensated".into(),
        }
    }
}

/// One command the saga sent, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The step it carries out.
    pub step: SagaStep,
    /// How many times it was sent.
    pub sends: u32,
    /// The answer, once it came.
    pub answer: Option<Outcome>,
    /// True if its deadline passed before the answer.
    pub timed_out: bool,
}

/// The saga's state: a fold of its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SagaState {
    /// The order, once started.
    pub order: Option<SagaOrder>,
    /// Where it is.
    pub phase: Phase,
    /// Every command it sent, by id.
    pub requests: BTreeMap<CommandId, Request>,
    /// Why it compensates, if it does.
    pub reason: Option<String>,
}

impl SagaState {
    fn requests_for(&self, step: SagaStep) -> impl Iterator<Item = (&CommandId, &Request)> {
        self.requests.iter().filter(move |(_, r)| r.step == step)
    }

    fn asked(&self, step: SagaStep) -> bool {
        self.requests_for(step).next().is_some()
    }

    fn succeeded(&self, step: SagaStep) -> bool {
        self.requests_for(step)
            .any(|(_, r)| r.answer == Some(Outcome::Done))
    }

    /// Commands still waiting for an answer.
    pub fn unanswered(&self) -> impl Iterator<Item = (&CommandId, &Request)> {
        self.requests.iter().filter(|(_, r)| r.answer.is_none())
    }

    /// The steps that have happened and not been undone (what compensation must undo).
    pub fn to_undo(&self) -> Vec<SagaStep> {
        SagaStep::FORWARD
            .into_iter()
            .filter(|s| {
                s.undo()
                    .is_some_and(|u| self.succeeded(*s) && !self.succeeded(u))
            })
            .collect()
    }
}

/// Folds one event into the state; total.
pub fn evolve(mut state: SagaState, event: &SagaEvent) -> SagaState {
    match event {
        SagaEvent::SagaStarted { order } => {
            state.order = Some(order.clone());
        }
        SagaEvent::StepRequested {
            step, command_id, ..
        } => {
            let request = state.requests.entry(command_id.clone()).or_insert(Request {
                step: *step,
                sends: 0,
                answer: None,
                timed_out: false,
            });
            request.sends = request.sends.saturating_add(1);
            if step.is_forward() && !state.phase.is_final() && state.phase != Phase::Compensating {
                state.phase = Phase::Running(*step);
            }
        }
        SagaEvent::StepAnswered {
            command_id,
            outcome,
        } => {
            if let Some(request) = state.requests.get_mut(command_id) {
                request.answer.get_or_insert_with(|| outcome.clone());
            }
        }
        SagaEvent::StepTimedOut { command_id } => {
            if let Some(request) = state.requests.get_mut(command_id) {
                request.timed_out = true;
            }
        }
        SagaEvent::CompensationStarted { reason } => {
            state.phase = Phase::Compensating;
            state.reason = Some(reason.clone());
        }
        SagaEvent::SagaCompleted => state.phase = Phase::Completed,
        SagaEvent::SagaCompensated => state.phase = Phase::Compensated,
    }
    state
}

/// Replays a saga's events.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a SagaEvent>) -> SagaState {
    events.into_iter().fold(SagaState::default(), evolve)
}

/// What the saga reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An order was submitted (may be delivered more than once).
    Start(SagaOrder),
    /// A participant answered a command (may come twice, or late).
    Answer {
        /// The command answered.
        command_id: CommandId,
        /// The answer.
        outcome: Outcome,
    },
    /// A command's deadline passed.
    Deadline {
        /// The command.
        command_id: CommandId,
    },
}

/// The id of a step's command: `{order}.{step}.{n}`, stable for a given saga.
pub fn command_id(order: &OrderId, step: SagaStep, n: usize) -> CommandId {
    CommandId::parse(&format!("{order}.{}.{n}", step.tag()))
        .unwrap_or_else(|_| CommandId::numbered("saga-step", n as u64))
}

/// Reacts to one input: the events to record (each `StepRequested` is a command to
/// send and a deadline to set). Nothing, for a duplicate or an input that no longer
/// matters.
pub fn react(state: &SagaState, input: &Input) -> Vec<SagaEvent> {
    match input {
        Input::Start(order) => {
            if state.order.is_some() {
                return Vec::new();
            }
            vec![
                SagaEvent::SagaStarted {
                    order: order.clone(),
                },
                request(order, state, SagaStep::ReserveStock),
            ]
        }
        Input::Answer {
            command_id,
            outcome,
        } => answered(state, command_id, outcome),
        Input::Deadline { command_id } => timed_out(state, command_id),
    }
}

/// A participant answered a command: the next step, compensation, or nothing (a late
/// answer to an ended saga, or to a superseded command, is history).
fn answered(state: &SagaState, command_id: &CommandId, outcome: &Outcome) -> Vec<SagaEvent> {
    let mut out = Vec::new();
    let Some(asked) = state.requests.get(command_id) else {
        return out;
    };
    if asked.answer.is_some() {
        return out;
    }
    out.push(SagaEvent::StepAnswered {
        command_id: command_id.clone(),
        outcome: outcome.clone(),
    });
    let step = asked.step;
    let now = evolve(state.clone(), &out[0]);
    let Some(order) = now.order.as_ref() else {
        return out;
    };
    match (now.phase, outcome) {
        (Phase::Running(current), Outcome::Done) if current == step => match step {
            SagaStep::ReserveStock => out.push(request(order, &now, SagaStep::TakePayment)),
            SagaStep::TakePayment => out.push(request(order, &now, SagaStep::ShipOrder)),
            _ => out.push(SagaEvent::SagaCompleted),
        },
        (Phase::Running(SagaStep::ShipOrder), Outcome::Refused { .. })
            if step == SagaStep::ShipOrder =>
        {
            // The pivot is never undone: ask again with a new command.
            out.push(request(order, &now, SagaStep::ShipOrder));
        }
        (Phase::Running(current), Outcome::Refused { reason }) if current == step => {
            let started = SagaEvent::CompensationStarted {
                reason: format!("{} refused: {reason}", step.participant().label()),
            };
            let now = evolve(now.clone(), &started);
            out.push(started);
            out.extend(compensate(order, &now));
        }
        (Phase::Compensating, _) => out.extend(compensate(order, &now)),
        // Late answers to an ended saga, or to a superseded command, are history.
        _ => {}
    }
    out
}

/// A command's deadline passed unanswered: sent again (the pivot, an undoing step),
/// compensation (a forward step before the pivot), or waited for (while compensating).
fn timed_out(state: &SagaState, command_id: &CommandId) -> Vec<SagaEvent> {
    let mut out = Vec::new();
    let Some(asked) = state.requests.get(command_id) else {
        return out;
    };
    let Some(order) = state.order.as_ref() else {
        return out;
    };
    if asked.answer.is_some() || state.phase.is_final() {
        return out;
    }
    out.push(SagaEvent::StepTimedOut {
        command_id: command_id.clone(),
    });
    let step = asked.step;
    let forward_now = state.phase == Phase::Running(step);
    if (forward_now && step == SagaStep::ShipOrder) || !step.is_forward() {
        // Retriable steps are sent again, with the same id: the participant
        // does each command once, and answers a copy with its first answer.
        out.push(SagaEvent::StepRequested {
            step,
            command_id: command_id.clone(),
            resent: true,
        });
    } else if forward_now {
        let started = SagaEvent::CompensationStarted {
            reason: format!(
                "{} did not answer in time (it may still {step})",
                step.participant().label()
            ),
        };
        let now = evolve(evolve(state.clone(), &out[0]), &started);
        out.push(started);
        out.extend(compensate(order, &now));
    }
    // A forward step that timed out while compensating is only waited for.
    out
}

fn request(order: &SagaOrder, state: &SagaState, step: SagaStep) -> SagaEvent {
    let n = state.requests_for(step).count() + 1;
    SagaEvent::StepRequested {
        step,
        command_id: command_id(&order.order_id, step, n),
        resent: false,
    }
}

/// The next compensation events: undo each step known to have happened (once), and
/// when every forward step has answered and every undo is done, cancel the order, then
/// end.
fn compensate(order: &SagaOrder, state: &SagaState) -> Vec<SagaEvent> {
    let mut out = Vec::new();
    for step in state.to_undo() {
        if let Some(undo) = step.undo() {
            if !state.asked(undo) {
                out.push(request(order, state, undo));
            }
        }
    }
    let forward_pending = state.unanswered().any(|(_, r)| r.step.is_forward());
    let undo_pending = !state.to_undo().is_empty();
    if out.is_empty() && !forward_pending && !undo_pending {
        if !state.asked(SagaStep::CancelOrder) {
            out.push(request(order, state, SagaStep::CancelOrder));
        } else if state.succeeded(SagaStep::CancelOrder) {
            out.push(SagaEvent::SagaCompensated);
        }
    }
    out
}
