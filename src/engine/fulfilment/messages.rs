//! A fulfilment run's moving parts: the bus between the saga and the participants,
//! the saga receiving answers and deadlines, each participant doing its work once,
//! and the saga's process crashing and recovering.

use super::{
    payment_stream, placement, saga_stream, stock_stream, Fact, Fulfilment, PlacedOrder, Recorded,
    Task,
};
use crate::domain::ids::{CommandId, OrderId, VirtualMillis};
use crate::domain::inventory::{self, InventoryCommand};
use crate::domain::order::{self, OrderCommand, OrderState};
use crate::domain::payment::{self, PaymentCommand, PaymentEvent};
use crate::domain::saga::{self, Input, Outcome, SagaEvent, SagaOrder, SagaState, SagaStep};
use crate::engine::rng::PerMillion;
use std::collections::BTreeMap;

impl Fulfilment {
    /// Appends a fact to a stream of the log.
    pub(super) fn record(&mut self, stream: String, fact: Fact) {
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
    pub(super) fn send(&mut self, task: Task) {
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

    pub(super) fn place(&mut self, placed: &PlacedOrder) {
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

    pub(super) fn order_state(&self, stream: &str) -> OrderState {
        order::fold(self.stream(stream).filter_map(|r| r.fact.as_order()))
    }

    pub(super) fn saga_receives(&mut self, input: Input) {
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

    pub(super) fn deadline(&mut self, order_id: OrderId, command_id: CommandId) {
        let Some(state) = self.sagas.get(&order_id).cloned() else {
            return;
        };
        let events = saga::react(&state, &Input::Deadline { command_id });
        if !events.is_empty() {
            self.counts.timeouts += 1;
        }
        self.apply(&order_id, state, events);
    }

    pub(super) fn participant_receives(
        &mut self,
        command_id: CommandId,
        step: SagaStep,
        order: SagaOrder,
    ) {
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
    pub(super) fn process(&mut self, command_id: CommandId, step: SagaStep, order: &SagaOrder) {
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
            SagaStep::TakePayment | SagaStep::RefundPayment => self.pay(step, order, fails),
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

    /// The Payment aggregate takes a payment (or declines it, when the step fails) or
    /// refunds it.
    fn pay(&mut self, step: SagaStep, order: &SagaOrder, fails: bool) -> Result<(), String> {
        let id = &order.order_id;
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

    pub(super) fn crash(&mut self) {
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

    pub(super) fn recover(&mut self) {
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
