//! The outbox relay and the event bus: publish appended events to one subscription per
//! projection with lag, duplicates, ordering per partition key (as the Cosmos DB change
//! feed keeps it; Service Bus keeps order only with sessions), redelivery on failure
//! and a dead-letter queue, then acknowledge to the outbox. A message
//! that must wait for an earlier event is deferred (`deferral.rs`), not failed.

use super::config::LagDistribution;
use super::effects::Effect;
use super::event_bus::{Dues, SentRun};
pub use super::message::{Batch, DeadLetter, DeliveryFailure, Dropped, Message};
use super::rng::SimRng;
use super::trace::HopKind;
use super::transport::{Ordering, Transport};
use super::{Engine, Task};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::store::ProjectionName;
use std::rc::Rc;

/// What one publication sends, per subscription (in `ProjectionName::ALL` order), in
/// send order, with when each message is due.
pub(super) struct Outgoing([Vec<(VirtualMillis, Message)>; ProjectionName::ALL.len()]);

impl Outgoing {
    /// Room for a message per event and subscription (copies make it grow).
    pub(super) fn for_events(count: usize) -> Self {
        Outgoing(std::array::from_fn(|_| Vec::with_capacity(count)))
    }

    pub(super) fn push(&mut self, (due, message): (VirtualMillis, Message)) {
        if let Some(sent) = self.0.get_mut(message.subscription.index()) {
            sent.push((due, message));
        }
    }
}

/// Says when each message of one publication is due: after a drawn lag (plus the spread
/// of concurrent handlers), and, for a subscription that keeps order, never before an
/// earlier message of the same order or hub partition.
pub(super) struct Sender<'e> {
    rng: &'e mut SimRng,
    lag: LagDistribution,
    /// Per subscription, the spread of its concurrent handlers.
    spread: [u64; ProjectionName::ALL.len()],
    now: VirtualMillis,
    /// The order's or partition's last due time per subscription (with ordering).
    dues: Option<&'e mut Dues>,
    /// Per subscription, whether it keeps order.
    ordered: [bool; ProjectionName::ALL.len()],
}

impl Sender<'_> {
    pub(super) fn send(&mut self, message: Message) -> (VirtualMillis, Message) {
        let lag = self.lag.draw(self.rng);
        let mut due = VirtualMillis(self.now.0.saturating_add(lag.0));
        let index = message.subscription.index();
        let spread = self.spread.get(index).copied().unwrap_or(0);
        if spread > 0 {
            due.0 = due.0.saturating_add(self.rng.between(0, spread));
        }
        let ordered = self.ordered.get(index).copied().unwrap_or(false);
        let last = self.dues.as_deref_mut().filter(|_| ordered);
        if let Some(last) = last.and_then(|d| d.get_mut(index)) {
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
        if !self.bus.completed.is_empty() {
            let positions = std::mem::take(&mut self.bus.completed);
            self.effects.push_back(Effect::MarkPublished(positions));
        }
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
        // An Azure service keeps what it accepted: the outbox row is done once it is
        // sent. The lab's bus lives in memory: the row waits for every subscription.
        let hub = self.config.bus.transport.hub().copied();
        if let Some(hub) = &hub {
            self.bus
                .hub
                .enqueue(self.scheduler.now(), Rc::clone(event), hub.retention);
        }
        let kept = hub.is_some() || self.config.bus.broker_keeps();
        if kept && self.config.outbox {
            self.bus.completed.push(event.global_position);
        } else if self.config.outbox {
            self.bus
                .pending_acks
                .insert(event.global_position, ProjectionName::ALL.len() as u32);
        }
        let acknowledges = !kept;
        let sent = self.now();
        let duplicate_rate = self.config.bus.duplicate_rate;
        let mut sender = self.sender(&event.stream_id);
        for subscription in ProjectionName::ALL {
            let message = Message {
                event: Rc::clone(event),
                subscription,
                delivery_count: 0,
                acknowledges,
                duplicate: false,
                sent,
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
        let sent = self.now();
        let mut sender = self.sender(&event.stream_id);
        for subscription in ProjectionName::ALL {
            let message = Message {
                event: Rc::clone(event),
                subscription,
                delivery_count: 0,
                acknowledges: false,
                duplicate: true,
                sent,
            };
            outgoing.push(sender.send(message));
        }
    }

    /// A sender for one publication of an event of `stream` (its partition).
    pub(super) fn sender(&mut self, stream: &OrderId) -> Sender<'_> {
        let bus = &self.config.bus;
        let now = self.scheduler.now();
        let orderings = ProjectionName::ALL.map(|s| bus.ordering(s));
        // One lookup per publication, not one per message. A service keeps order one
        // way (sessions, logical or hub partitions) for the subscriptions that keep it.
        let ordering = orderings.into_iter().find(|o| *o != Ordering::None);
        let dues = match ordering {
            None | Some(Ordering::None) => None,
            Some(Ordering::PerOrder) => {
                self.bus.forget_past_dues(now);
                Some(self.bus.partition_due.entry(stream.clone()).or_default())
            }
            Some(Ordering::PerPartition(count)) => {
                let partition = bus
                    .transport
                    .hub()
                    .map_or(0, |hub| hub.partition(stream.as_str()));
                self.bus.hub_due.resize(count as usize, Dues::default());
                self.bus.hub_due.get_mut(partition)
            }
        };
        Sender {
            lag: bus.lag,
            spread: ProjectionName::ALL.map(|s| bus.concurrency_spread(s)),
            now,
            dues,
            ordered: orderings.map(|o| o != Ordering::None),
            rng: &mut self.rng,
        }
    }

    /// Schedules what one publication sent: consecutive messages of a subscription due
    /// at the same time travel as one batch. Batches go out in send order, so among
    /// tasks due together a partition's messages keep their order.
    pub(super) fn dispatch(&mut self, outgoing: Outgoing) {
        for (sent, name) in outgoing.0.into_iter().zip(ProjectionName::ALL) {
            let limit = self.config.bus.batch_limit(name);
            let mut rest = sent.into_iter();
            while let Some(due) = rest.as_slice().first().map(|(due, _)| *due) {
                let run = rest
                    .as_slice()
                    .iter()
                    .take(limit)
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

    /// Counts an event a consumer group is done with, for its checkpoints.
    pub(super) fn hub_handled(&mut self, message: &Message) {
        let Transport::EventHubs(hub) = self.config.bus.transport_of(message.subscription) else {
            return;
        };
        let partition = hub.partition(message.event.stream_id.as_str());
        self.bus.hub.handled(
            message.subscription,
            partition,
            message.event.global_position,
            hub.checkpoint_every,
        );
    }

    /// After a recovery: each consumer group reads again from its checkpoints.
    pub(super) fn resume_from_checkpoints(&mut self) {
        let Some(hub) = self.config.bus.transport.hub().copied() else {
            return;
        };
        let mut outgoing = Outgoing::for_events(0);
        for group in ProjectionName::ALL {
            let events = self.bus.hub.after_checkpoints(group, &hub);
            self.record(HopKind::ResumedFromCheckpoint {
                subscription: group,
                events: events.len() as u64,
            });
            let sent = self.now();
            for event in events {
                let message = Message {
                    subscription: group,
                    delivery_count: 0,
                    acknowledges: false,
                    duplicate: false,
                    sent,
                    event: Rc::clone(&event),
                };
                let mut sender = self.sender(&event.stream_id);
                outgoing.push(sender.send(message));
            }
        }
        self.dispatch(outgoing);
    }
}
