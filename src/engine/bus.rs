//! The outbox relay and the event bus: publish appended events to one subscription per
//! projection with lag, duplicates, ordering per partition key (as the Cosmos DB change
//! feed keeps it; Service Bus keeps order only with sessions), redelivery on failure
//! and a dead-letter queue, then acknowledge to the outbox. A message
//! that must wait for an earlier event is deferred (`deferral.rs`), not failed.

use super::config::LagDistribution;
use super::effects::Effect;
use super::event_bus::{Dues, SentRun};
pub use super::message::{Batch, DeadLetter, DeliveryFailure, Message};
use super::projection::Applied;
use super::rng::SimRng;
use super::trace::HopKind;
use super::{Engine, Task};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, SchemaVersion, VirtualMillis};
use crate::store::ProjectionName;
use std::rc::Rc;

/// What one publication sends, per subscription (in `ProjectionName::ALL` order), in
/// send order, with when each message is due.
struct Outgoing([Vec<(VirtualMillis, Message)>; ProjectionName::ALL.len()]);

impl Outgoing {
    /// Room for a message per event and subscription (copies make it grow).
    fn for_events(count: usize) -> Self {
        Outgoing(std::array::from_fn(|_| Vec::with_capacity(count)))
    }

    fn push(&mut self, (due, message): (VirtualMillis, Message)) {
        if let Some(sent) = self.0.get_mut(message.subscription.index()) {
            sent.push((due, message));
        }
    }
}

/// Says when each message of one publication is due: after a drawn lag, and with
/// ordering on never before an earlier message of the same partition.
struct Sender<'e> {
    rng: &'e mut SimRng,
    lag: LagDistribution,
    now: VirtualMillis,
    /// The partition's last due time per subscription (ordering on).
    dues: Option<&'e mut Dues>,
}

impl Sender<'_> {
    fn send(&mut self, message: Message) -> (VirtualMillis, Message) {
        let lag = self.lag.draw(self.rng);
        let mut due = VirtualMillis(self.now.0.saturating_add(lag.0));
        let last = self.dues.as_deref_mut();
        if let Some(last) = last.and_then(|d| d.get_mut(message.subscription.index())) {
            due = due.max(*last);
            *last = due;
        }
        (due, message)
    }
}

impl Engine {
    /// After an append: the relay will publish from the outbox, or (outbox off) the
    /// handler publishes from memory: the dual write a crash can cut in half.
    pub(super) fn after_append(&mut self, events: &[SharedEvent]) {
        let delay = self.config.bus.publish_delay;
        if self.config.outbox {
            if !self.relay_scheduled {
                self.relay_scheduled = true;
                self.schedule(delay, Task::Relay);
            }
        } else {
            self.schedule(delay, Task::Publish(events.to_vec()));
        }
    }

    pub(super) fn relay(&mut self) {
        self.relay_scheduled = false;
        self.effects.push_back(Effect::ReadOutbox {
            after: self.bus.relayed,
            limit: 1000,
        });
    }

    /// Publishes outbox rows past the relay's cursor.
    pub(super) fn outbox_read(&mut self, events: Vec<SharedEvent>, more: bool) {
        if let Some(last) = events.last() {
            self.bus.relayed = self.bus.relayed.max(last.global_position);
        }
        self.publish(events);
        if more && !self.relay_scheduled {
            self.relay_scheduled = true;
            self.schedule(self.config.bus.publish_delay, Task::Relay);
        }
    }

    /// Sends each event to the topic, which fans it out to every subscription. With
    /// `publisher_retry_rate` the publisher sends it again under the same message id:
    /// duplicate detection drops that second send; without it, every subscription gets
    /// a copy.
    pub(super) fn publish(&mut self, events: Vec<SharedEvent>) {
        self.forget_old_ids();
        let mut outgoing = Outgoing::for_events(events.len());
        for event in events {
            self.publish_one(&event, &mut outgoing);
            if self.rng.chance(self.config.bus.publisher_retry_rate) {
                self.publish_again(&event, &mut outgoing);
            }
        }
        self.dispatch(outgoing);
    }

    fn publish_one(&mut self, event: &SharedEvent, outgoing: &mut Outgoing) {
        if self.config.bus.detection_window().is_some() {
            let (at, position) = (self.now(), event.global_position);
            self.bus.recent_ids.insert(position, at);
            match self.bus.recent_order.back_mut() {
                Some(run)
                    if run.at == at
                        && run.first.0 + u64::from(run.count) == position.0
                        && run.count < u32::MAX =>
                {
                    run.count += 1;
                }
                _ => self.bus.recent_order.push_back(SentRun {
                    at,
                    first: position,
                    count: 1,
                }),
            }
        }
        self.metrics.events_published += 1;
        self.record(HopKind::Published {
            position: event.global_position,
        });
        if self.config.outbox {
            self.bus
                .pending_acks
                .insert(event.global_position, ProjectionName::ALL.len() as u32);
        }
        let duplicate_rate = self.config.bus.duplicate_rate;
        let mut sender = self.sender(&event.stream_id);
        for subscription in ProjectionName::ALL {
            let message = Message {
                event: Rc::clone(event),
                subscription,
                delivery_count: 0,
                acknowledges: true,
                duplicate: false,
            };
            if sender.rng.chance(duplicate_rate) {
                let copy = Message {
                    acknowledges: false,
                    duplicate: true,
                    ..message.clone()
                };
                outgoing.push(sender.send(copy));
            }
            outgoing.push(sender.send(message));
        }
    }

    fn publish_again(&mut self, event: &SharedEvent, outgoing: &mut Outgoing) {
        let position = event.global_position;
        if self.bus.recent_ids.contains_key(position) {
            self.metrics.duplicates_detected += 1;
            self.record(HopKind::DuplicateDetected { position });
            return;
        }
        self.record(HopKind::PublishedAgain { position });
        let mut sender = self.sender(&event.stream_id);
        for subscription in ProjectionName::ALL {
            let message = Message {
                event: Rc::clone(event),
                subscription,
                delivery_count: 0,
                acknowledges: false,
                duplicate: true,
            };
            outgoing.push(sender.send(message));
        }
    }

    /// A sender for one publication of an event of `stream` (its partition).
    fn sender(&mut self, stream: &OrderId) -> Sender<'_> {
        let bus = &self.config.bus;
        let now = self.scheduler.now();
        if bus.ordered_partitions {
            self.bus.forget_past_dues(now);
        }
        Sender {
            lag: bus.lag,
            now,
            // One lookup per publication, not one per message.
            dues: bus
                .ordered_partitions
                .then(|| self.bus.partition_due.entry(stream.clone()).or_default()),
            rng: &mut self.rng,
        }
    }

    /// Schedules what one publication sent: consecutive messages of a subscription due
    /// at the same time travel as one batch. Batches go out in send order, so among
    /// tasks due together a partition's messages keep their order.
    fn dispatch(&mut self, outgoing: Outgoing) {
        for sent in outgoing.0 {
            let mut rest = sent.into_iter();
            while let Some(due) = rest.as_slice().first().map(|(due, _)| *due) {
                let run = rest
                    .as_slice()
                    .iter()
                    .take_while(|(d, _)| *d == due)
                    .count();
                let batch: Batch = rest.by_ref().take(run).map(|(_, m)| m).collect();
                self.schedule_batch(due, batch);
            }
        }
    }

    fn schedule_batch(&mut self, due: VirtualMillis, batch: Batch) {
        let delay = VirtualMillis(due.0.saturating_sub(self.now().0));
        self.schedule_delivery(delay, batch);
    }

    fn forget_old_ids(&mut self) {
        let Some(window) = self.config.bus.detection_window() else {
            self.bus.recent_ids.clear();
            self.bus.recent_order.clear();
            return;
        };
        let now = self.now();
        while let Some(run) = self.bus.recent_order.front().copied() {
            if now.0.saturating_sub(run.at.0) < window.0 {
                break;
            }
            self.bus.recent_order.pop_front();
            for i in 0..u64::from(run.count) {
                let position = GlobalPosition(run.first.0 + i);
                // Sent again since, it is remembered from then.
                if self.bus.recent_ids.get(position) == Some(&run.at) {
                    self.bus.recent_ids.remove(position);
                }
            }
        }
    }

    pub(super) fn schedule_delivery(&mut self, delay: VirtualMillis, batch: Batch) {
        for message in &batch {
            if let Some(depth) = self.bus.in_flight.get_mut(message.subscription.index()) {
                *depth += 1;
            }
        }
        self.schedule(delay, Task::Deliver(batch));
    }

    /// Delivers a batch: each message in turn; then each projection that applied any
    /// saves once (rows and checkpoint together), and only then are the messages
    /// completed to the outbox, so a crash between the two redelivers rather than loses.
    pub(super) fn deliver(&mut self, batch: Batch) {
        self.bus.completed.reserve(batch.len());
        let mut applied = [false; ProjectionName::ALL.len()];
        for message in batch {
            let index = message.subscription.index();
            if self.deliver_one(message) {
                if let Some(flag) = applied.get_mut(index) {
                    *flag = true;
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

    /// Delivers one message; true when its projection applied it.
    fn deliver_one(&mut self, message: Message) -> bool {
        self.metrics.deliveries += 1;
        if let Some(depth) = self.bus.in_flight.get_mut(message.subscription.index()) {
            *depth = depth.saturating_sub(1);
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
                return true;
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
                self.fail(
                    message,
                    DeliveryFailure::UnknownSchema {
                        schema,
                        understands,
                    },
                );
            }
            None => self.fail(message, DeliveryFailure::HandlerFailed),
        }
        false
    }

    /// A handler slower than the lock loses it: the broker counts a delivery and sends
    /// the message again (the handler still finishes its work), up to the dead-letter
    /// limit, whatever duplicate detection says.
    fn check_lock(&mut self, message: &Message) {
        let took = self.config.bus.processing_time.draw(&mut self.rng);
        if took > self.config.bus.lock_duration {
            self.lock_lost(message);
        }
    }

    #[cold]
    fn lock_lost(&mut self, message: &Message) {
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
        if again.delivery_count >= self.config.bus.max_delivery_count {
            self.dead_letter(again, DeliveryFailure::LockLost);
        } else {
            self.schedule_delivery(self.config.bus.lock_duration, vec![again]);
        }
    }

    fn fail(&mut self, mut message: Message, reason: DeliveryFailure) {
        message.delivery_count += 1;
        let (subscription, position) = (message.subscription, message.event.global_position);
        if message.delivery_count >= self.config.bus.max_delivery_count {
            self.dead_letter(message, reason);
        } else {
            self.metrics.redeliveries += 1;
            self.record(HopKind::Redelivering {
                subscription,
                position,
                delivery_count: message.delivery_count,
                reason,
            });
            self.schedule_delivery(self.config.bus.redelivery_delay, vec![message]);
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
        let batch: Batch = mine
            .into_iter()
            .map(|dead| Message {
                delivery_count: 0,
                acknowledges: false,
                ..dead.message
            })
            .collect();
        if !batch.is_empty() {
            self.schedule_delivery(VirtualMillis(0), batch);
        }
        count
    }
}
