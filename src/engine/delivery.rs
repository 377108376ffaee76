//! Delivering to the projections, and what each transport does with a delivery that
//! fails (`transport::OnFailure`): the lab's bus and Service Bus (PeekLock) deliver it
//! again up to the max delivery count, then dead-letter it; ReceiveAndDelete loses it;
//! Event Grid retries on its schedule, then dead-letters or drops it; the change feed
//! and Event Hubs consumers work in batches: the processor sends a failed batch again
//! until it succeeds, a Functions trigger moves past it (after its retry policy, if one
//! is set) and the rest of the batch is lost.

use super::bus::{Batch, DeadLetter, DeliveryFailure, Dropped, Message};
use super::effects::Effect;
use super::message::DropCause;
use super::projection::Applied;
use super::trace::HopKind;
use super::transport::{event_grid_backoff, OnFailure, Transport};
use super::Engine;
use crate::domain::ids::{SchemaVersion, VirtualMillis};
use crate::store::ProjectionName;

/// What one delivery came to.
enum Handled {
    /// Applied to its projection.
    Applied,
    /// Done with: ignored, deferred, or settled by the transport.
    Done,
    /// The handler failed it.
    Failed(Message, DeliveryFailure),
}

/// What the transport does next with a failed message.
enum NextTry {
    /// Deliver it again after this long.
    After(VirtualMillis),
    /// Into the dead-letter queue.
    DeadLetter,
    /// Let it go.
    Drop(DropCause),
}

impl Engine {
    /// Delivers a batch: each message in turn; then each projection that applied any
    /// saves once (rows and checkpoint together), and only then are the messages
    /// completed to the outbox, so a crash between the two redelivers rather than loses.
    pub(super) fn deliver(&mut self, batch: Batch) {
        self.bus.completed.reserve(batch.len());
        let mut applied = [false; ProjectionName::ALL.len()];
        // A batch is one subscription's.
        let Some(subscription) = batch.first().map(|m| m.subscription) else {
            return;
        };
        let sessions = self.config.bus.sessions(subscription);
        if let OnFailure::RetryBatch { delay, retries } = self.config.bus.on_failure(subscription) {
            self.deliver_batch(batch, delay, retries, &mut applied);
        } else {
            for message in batch {
                let index = message.subscription.index();
                match self.deliver_one(message) {
                    Handled::Applied => {
                        if let Some(flag) = applied.get_mut(index) {
                            *flag = true;
                        }
                    }
                    Handled::Done => {}
                    Handled::Failed(message, reason) if sessions => {
                        if self.fail_in_session(message, reason) {
                            if let Some(flag) = applied.get_mut(index) {
                                *flag = true;
                            }
                        }
                    }
                    Handled::Failed(message, reason) => self.fail(message, reason),
                }
            }
        }
        for (name, applied) in ProjectionName::ALL.into_iter().zip(applied) {
            if let Some(p) = self.projection_mut(name).filter(|_| applied) {
                let save = p.take_save();
                self.effects.push_back(Effect::SaveProjection(save));
            }
        }
        if !self.bus.completed.is_empty() {
            let positions = std::mem::take(&mut self.bus.completed);
            self.effects.push_back(Effect::MarkPublished(positions));
        }
    }

    /// A consumer that works batch by batch (change feed, Event Hubs): it stops at the
    /// first failure; then the whole batch comes again (what it applied included), or,
    /// with no retries left, the failed message and the rest are lost.
    fn deliver_batch(
        &mut self,
        batch: Batch,
        delay: VirtualMillis,
        retries: Option<u32>,
        applied: &mut [bool; ProjectionName::ALL.len()],
    ) {
        // Each message is cloned as it is delivered (the delivery consumes it): the batch
        // stays whole, to be sent again or skipped from the failure on.
        for done in 0..batch.len() {
            let Some(message) = batch.get(done).cloned() else {
                break;
            };
            let index = message.subscription.index();
            match self.deliver_one(message) {
                handled @ (Handled::Applied | Handled::Done) => {
                    if let (Handled::Applied, Some(flag)) = (&handled, applied.get_mut(index)) {
                        *flag = true;
                    }
                    if let Some(message) = batch.get(done) {
                        self.hub_handled(message);
                    }
                }
                Handled::Failed(failed, reason) => {
                    let attempt = failed.delivery_count + 1;
                    if retries.is_none_or(|most| attempt <= most) {
                        self.retry_batch(batch, done, attempt, delay, reason);
                    } else {
                        self.skip_batch(batch, done, attempt);
                    }
                    return;
                }
            }
        }
    }

    /// Sends a batch again: the messages before `failed` were handled (copies now, the
    /// outbox already counted them), the others come as they were.
    fn retry_batch(
        &mut self,
        whole: Batch,
        failed: usize,
        attempt: u32,
        delay: VirtualMillis,
        reason: DeliveryFailure,
    ) {
        if let Some(message) = whole.get(failed) {
            self.metrics.redeliveries += 1;
            self.record(HopKind::Redelivering {
                subscription: message.subscription,
                position: message.event.global_position,
                delivery_count: attempt,
                reason,
            });
        }
        let again: Batch = whole
            .into_iter()
            .enumerate()
            .map(|(i, message)| Message {
                delivery_count: attempt,
                acknowledges: message.acknowledges && i >= failed,
                duplicate: message.duplicate || i < failed,
                ..message
            })
            .collect();
        self.schedule_delivery(delay, again);
    }

    /// A Functions trigger moves on: the failed message and the rest of its batch never
    /// reach the projection.
    fn skip_batch(&mut self, whole: Batch, failed: usize, attempt: u32) {
        for message in whole.into_iter().skip(failed) {
            self.hub_handled(&message);
            let message = Message {
                delivery_count: attempt,
                ..message
            };
            self.drop_message(message, DropCause::BatchSkipped);
        }
    }

    /// Delivers one message: applied, done with, or failed (for the caller to settle).
    fn deliver_one(&mut self, message: Message) -> Handled {
        self.metrics.deliveries += 1;
        if let Some(depth) = self.bus.in_flight.get_mut(message.subscription.index()) {
            *depth = depth.saturating_sub(1);
        }
        if self.expired(&message) {
            self.expire(message);
            return Handled::Done;
        }
        let position = message.event.global_position;
        let subscription = message.subscription;
        let failing = self.config.bus.failing.contains(&subscription)
            || self.rng.chance(self.config.bus.failure_rate);
        self.check_lock(&message);
        let outcome = if failing {
            None
        } else {
            self.projection_mut(subscription)
                .map(|p| p.deliver(&message.event))
        };
        match outcome {
            Some(Applied::Applied) => {
                self.metrics.applied += 1;
                self.record(HopKind::Applied {
                    subscription,
                    position,
                    duplicate: message.duplicate,
                });
                self.ack(&message);
                self.release_stream(subscription, &message.event.stream_id);
                return Handled::Applied;
            }
            Some(Applied::Ignored) => {
                self.metrics.ignored += 1;
                self.record(HopKind::Ignored {
                    subscription,
                    position,
                });
                self.ack(&message);
            }
            Some(Applied::Gap { awaited }) => self.defer(message, awaited),
            Some(Applied::UnknownSchema) => {
                let understands = self
                    .projection(subscription)
                    .map_or(SchemaVersion(1), |p| p.schema);
                let schema = message.event.schema_version;
                let reason = DeliveryFailure::UnknownSchema {
                    schema,
                    understands,
                };
                return Handled::Failed(message, reason);
            }
            None => return Handled::Failed(message, DeliveryFailure::HandlerFailed),
        }
        Handled::Done
    }

    /// True when a Service Bus message's time-to-live has passed.
    fn expired(&self, message: &Message) -> bool {
        match self.config.bus.transport_of(message.subscription) {
            Transport::ServiceBus(sb) => sb
                .time_to_live
                .is_some_and(|ttl| self.now().0.saturating_sub(message.sent.0) > ttl.0),
            _ => false,
        }
    }

    #[cold]
    fn expire(&mut self, message: Message) {
        let to_dead_letters = matches!(
            self.config.bus.transport_of(message.subscription),
            Transport::ServiceBus(sb) if sb.dead_letter_on_expiration
        );
        if to_dead_letters {
            self.dead_letter(message, DeliveryFailure::Expired);
        } else {
            self.drop_message(message, DropCause::Expired);
        }
    }

    /// A handler slower than the lock (or than Event Grid's wait for an answer) loses
    /// the message: the broker counts a delivery and sends it again (the handler still
    /// finishes its work), within the transport's limits, whatever duplicate detection
    /// says.
    fn check_lock(&mut self, message: &Message) {
        let Some(lock) = self.config.bus.lock(message.subscription) else {
            return;
        };
        let took = self.config.bus.processing_time.draw(&mut self.rng);
        if took > lock {
            self.lock_lost(message, lock);
        }
    }

    #[cold]
    fn lock_lost(&mut self, message: &Message, lock: VirtualMillis) {
        let (subscription, position) = (message.subscription, message.event.global_position);
        self.metrics.locks_expired += 1;
        self.record(HopKind::LockExpired {
            subscription,
            position,
        });
        let again = Message {
            delivery_count: message.delivery_count + 1,
            acknowledges: false,
            duplicate: true,
            ..message.clone()
        };
        match self.next_try(&again, DeliveryFailure::LockLost) {
            NextTry::After(wait) => {
                let grid = self.config.bus.transport_of(message.subscription);
                let wait = if matches!(grid, Transport::EventGrid(_)) {
                    VirtualMillis(lock.0.saturating_add(wait.0))
                } else {
                    lock
                };
                self.schedule_delivery(wait, vec![again]);
            }
            NextTry::DeadLetter => self.dead_letter(again, DeliveryFailure::LockLost),
            NextTry::Drop(cause) => self.drop_message(again, cause),
        }
    }

    /// What the transport does with `message` (its delivery count already counts the
    /// failed delivery).
    fn next_try(&self, message: &Message, reason: DeliveryFailure) -> NextTry {
        let count = message.delivery_count;
        match self.config.bus.on_failure(message.subscription) {
            OnFailure::Redeliver {
                delay,
                max_deliveries,
            } => {
                if count >= max_deliveries {
                    NextTry::DeadLetter
                } else {
                    NextTry::After(delay)
                }
            }
            OnFailure::Lose => NextTry::Drop(DropCause::ReceivedAndDeleted),
            OnFailure::EventGrid(grid) => {
                let give_up = |cause| {
                    if grid.dead_letter {
                        NextTry::DeadLetter
                    } else {
                        NextTry::Drop(cause)
                    }
                };
                if matches!(reason, DeliveryFailure::UnknownSchema { .. }) {
                    return give_up(DropCause::NotRetried);
                }
                let wait = event_grid_backoff(count);
                let next = self.now().0.saturating_add(wait.0);
                let expires = message.sent.0.saturating_add(grid.time_to_live.0);
                if count >= grid.max_attempts.max(1) || next > expires {
                    give_up(DropCause::RetriesExhausted)
                } else {
                    NextTry::After(wait)
                }
            }
            OnFailure::RetryBatch { delay, .. } => NextTry::After(delay),
        }
    }

    /// With sessions the receiver holds the session's lock: an abandoned message is the
    /// session's next message again, so it is received again at once, before anything
    /// after it (FIFO per session), until it succeeds or is dead-lettered. True when it
    /// was applied in the end.
    fn fail_in_session(&mut self, mut message: Message, mut reason: DeliveryFailure) -> bool {
        loop {
            message.delivery_count += 1;
            let (subscription, position) = (message.subscription, message.event.global_position);
            match self.next_try(&message, reason) {
                NextTry::After(_) => {
                    self.metrics.redeliveries += 1;
                    self.record(HopKind::Redelivering {
                        subscription,
                        position,
                        delivery_count: message.delivery_count,
                        reason,
                    });
                    if let Some(depth) = self.bus.in_flight.get_mut(subscription.index()) {
                        *depth += 1;
                    }
                    match self.deliver_one(message) {
                        Handled::Applied => return true,
                        Handled::Done => return false,
                        Handled::Failed(again, why) => (message, reason) = (again, why),
                    }
                }
                NextTry::DeadLetter => {
                    self.dead_letter(message, reason);
                    return false;
                }
                NextTry::Drop(cause) => {
                    self.drop_message(message, cause);
                    return false;
                }
            }
        }
    }

    fn fail(&mut self, mut message: Message, reason: DeliveryFailure) {
        message.delivery_count += 1;
        let (subscription, position) = (message.subscription, message.event.global_position);
        match self.next_try(&message, reason) {
            NextTry::After(wait) => {
                self.metrics.redeliveries += 1;
                self.record(HopKind::Redelivering {
                    subscription,
                    position,
                    delivery_count: message.delivery_count,
                    reason,
                });
                self.schedule_delivery(wait, vec![message]);
            }
            NextTry::DeadLetter => self.dead_letter(message, reason),
            NextTry::Drop(cause) => self.drop_message(message, cause),
        }
    }

    fn dead_letter(&mut self, message: Message, reason: DeliveryFailure) {
        self.metrics.dead_lettered += 1;
        self.record(HopKind::DeadLettered {
            subscription: message.subscription,
            position: message.event.global_position,
            reason,
            deliveries: message.delivery_count,
        });
        self.ack(&message);
        self.bus.dead_letters.push(DeadLetter {
            message,
            reason,
            at: self.now(),
        });
    }

    /// The transport lets a message go: counted, shown, and done with for the outbox
    /// (nothing will deliver it again; a rebuild from the store brings its event back).
    fn drop_message(&mut self, message: Message, cause: DropCause) {
        self.metrics.dropped += 1;
        self.record(HopKind::Dropped {
            subscription: message.subscription,
            position: message.event.global_position,
            cause,
            deliveries: message.delivery_count,
        });
        self.ack(&message);
        self.bus.dropped.push(Dropped {
            message,
            cause,
            at: self.now(),
        });
    }

    /// Counts one subscription done with an event; when all are, the outbox row is (one
    /// update at the end of the batch).
    fn ack(&mut self, message: &Message) {
        if !message.acknowledges || !self.config.outbox {
            return;
        }
        let position = message.event.global_position;
        let Some(left) = self.bus.pending_acks.get_mut(position) else {
            return;
        };
        *left = left.saturating_sub(1);
        if *left == 0 {
            self.bus.pending_acks.remove(position);
            self.bus.completed.push(position);
        }
    }

    /// Sends a subscription's dead letters again with a fresh delivery count.
    pub fn resubmit_dead_letters(&mut self, subscription: ProjectionName) -> u64 {
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.bus.dead_letters)
            .into_iter()
            .partition(|d| d.message.subscription == subscription);
        self.bus.dead_letters = others;
        let count = mine.len() as u64;
        let now = self.now();
        let batch: Batch = mine
            .into_iter()
            .map(|dead| Message {
                delivery_count: 0,
                acknowledges: false,
                sent: now,
                ..dead.message
            })
            .collect();
        if !batch.is_empty() {
            self.schedule_delivery(VirtualMillis(0), batch);
        }
        count
    }
}
