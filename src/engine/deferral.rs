//! Deferral: a message an idempotent projection cannot apply yet (an earlier event of
//! its stream has not arrived: the bus does not keep order across its deliveries) is
//! set aside, as a Service Bus receiver defers a message it cannot process yet, and
//! received again as soon as the event it waits for is applied. Waiting is not a
//! failure: a deferred message never uses up its deliveries or reaches the dead-letter
//! queue for waiting (Microsoft Learn, "Message deferral",
//! https://learn.microsoft.com/azure/service-bus-messaging/message-deferral).

use super::message::Message;
use super::trace::HopKind;
use super::Engine;
use crate::domain::ids::{OrderId, StreamVersion, VirtualMillis};
use crate::store::ProjectionName;

/// Messages set aside per subscription, in the order they were set aside (a few: those
/// that overtook an earlier event of their order).
#[derive(Debug, Clone, Default)]
pub struct Deferred {
    waiting: [Vec<Message>; ProjectionName::ALL.len()],
}

impl Deferred {
    /// Messages a subscription has set aside.
    pub fn count(&self, subscription: ProjectionName) -> u64 {
        self.waiting
            .get(subscription.index())
            .map_or(0, |w| w.len() as u64)
    }

    fn push(&mut self, message: Message) {
        if let Some(waiting) = self.waiting.get_mut(message.subscription.index()) {
            waiting.push(message);
        }
    }

    /// Takes the messages of `stream` whose version is at most `upto`.
    fn take_stream(
        &mut self,
        subscription: ProjectionName,
        stream: &OrderId,
        upto: StreamVersion,
    ) -> Vec<Message> {
        let Some(waiting) = self.waiting.get_mut(subscription.index()) else {
            return Vec::new();
        };
        let (ready, wait): (Vec<Message>, Vec<Message>) = std::mem::take(waiting)
            .into_iter()
            .partition(|m| m.event.stream_id == *stream && m.event.stream_version <= upto);
        *waiting = wait;
        ready
    }

    /// Takes every message of a subscription.
    fn take_all(&mut self, subscription: ProjectionName) -> Vec<Message> {
        self.waiting
            .get_mut(subscription.index())
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Forgets every message (a crash: the page's memory is gone); returns how many.
    pub(super) fn clear(&mut self) -> u64 {
        let lost = self.waiting.iter().map(|w| w.len() as u64).sum();
        *self = Deferred::default();
        lost
    }
}

impl Engine {
    /// Sets a message aside until its stream's version `awaited` is applied.
    pub(super) fn defer(&mut self, message: Message, awaited: StreamVersion) {
        self.metrics.deferred += 1;
        self.record(HopKind::Deferred {
            subscription: message.subscription,
            position: message.event.global_position,
            awaited,
        });
        self.deferred.push(message);
    }

    /// After a projection applied an event of `stream`: receives again the messages
    /// that waited for it (the next version; older ones are now duplicates).
    pub(super) fn release_stream(&mut self, subscription: ProjectionName, stream: &OrderId) {
        // The common case, on every applied delivery: nothing is waiting.
        if self.deferred.count(subscription) == 0 {
            return;
        }
        let Some(applied) = self
            .projection(subscription)
            .map(|p| p.applied_version(stream))
        else {
            return;
        };
        let ready = self
            .deferred
            .take_stream(subscription, stream, applied.next());
        if !ready.is_empty() {
            self.schedule_delivery(VirtualMillis(0), ready);
        }
    }

    /// Receives again every message a subscription set aside (after a rebuild, a
    /// resubmission or a change of mode, any of which may have filled their gaps).
    pub(super) fn release_all(&mut self, subscription: ProjectionName) {
        let all = self.deferred.take_all(subscription);
        if !all.is_empty() {
            self.schedule_delivery(VirtualMillis(0), all);
        }
    }

    /// Receives again every message any subscription set aside (a crash, on a service
    /// that still holds them).
    pub(super) fn redeliver_deferred(&mut self) {
        for subscription in ProjectionName::ALL {
            self.release_all(subscription);
        }
    }

    /// Messages a subscription has set aside, waiting for an earlier event.
    pub fn deferred(&self, subscription: ProjectionName) -> u64 {
        self.deferred.count(subscription)
    }
}
