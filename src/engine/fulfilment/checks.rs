//! The invariants a settled fulfilment run must hold, checked against its log.

use super::{saga_stream, Fulfilment};
use crate::domain::money::Cents;
use crate::domain::order::{OrderState, OrderStatus};
use crate::domain::payment::PaymentEvent;
use crate::domain::saga::{Phase, SagaEvent};

impl Fulfilment {
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
}
