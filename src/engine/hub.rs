//! Event Hubs: the hub keeps what it accepted for its retention period, partitioned by
//! the order id; each projection reads it as its own consumer group and checkpoints each
//! partition every few events. After a crash a consumer resumes from its checkpoints, so
//! the events after them are delivered again (Microsoft Learn, "Event Hubs features":
//! "If a reader disconnects from a partition, when it reconnects it begins reading at
//! the checkpoint that was previously submitted by the last reader of that partition in
//! that consumer group", <https://learn.microsoft.com/azure/event-hubs/event-hubs-features>).

use super::transport::EventHubs;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, VirtualMillis};
use crate::store::ProjectionName;
use std::collections::VecDeque;
use std::rc::Rc;

/// One consumer group's place in each partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The last checkpointed position per partition (durable: it outlives a crash).
    pub checkpoints: Vec<GlobalPosition>,
    /// Per partition, events handled since the checkpoint and the last one handled.
    handled: Vec<(u32, GlobalPosition)>,
}

/// What the hub holds and how far each consumer group has checkpointed.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    /// Events within retention, oldest first, with when each was enqueued.
    retained: VecDeque<(VirtualMillis, SharedEvent)>,
    /// Per consumer group (one per projection).
    groups: [Progress; ProjectionName::ALL.len()],
}

impl Hub {
    /// Takes an event, forgetting those whose retention has passed.
    pub(super) fn enqueue(
        &mut self,
        now: VirtualMillis,
        event: SharedEvent,
        retention: VirtualMillis,
    ) {
        while self
            .retained
            .front()
            .is_some_and(|(at, _)| at.0.saturating_add(retention.0) <= now.0)
        {
            self.retained.pop_front();
        }
        self.retained.push_back((now, event));
    }

    /// Counts an event a consumer group handled; checkpoints its partition every
    /// `every` events.
    pub(super) fn handled(
        &mut self,
        group: ProjectionName,
        partition: usize,
        position: GlobalPosition,
        every: u32,
    ) {
        let Some(progress) = self.groups.get_mut(group.index()) else {
            return;
        };
        if progress.handled.len() <= partition {
            progress
                .handled
                .resize(partition + 1, (0, GlobalPosition(0)));
            progress
                .checkpoints
                .resize(partition + 1, GlobalPosition(0));
        }
        let (Some(count), Some(checkpoint)) = (
            progress.handled.get_mut(partition),
            progress.checkpoints.get_mut(partition),
        ) else {
            return;
        };
        count.0 += 1;
        count.1 = count.1.max(position);
        if count.0 >= every.max(1) {
            *checkpoint = (*checkpoint).max(count.1);
            count.0 = 0;
        }
    }

    /// A consumer group's checkpoints, per partition.
    pub fn progress(&self, group: ProjectionName) -> Option<&Progress> {
        self.groups.get(group.index())
    }

    /// The events a consumer group reads again after a crash: those after its
    /// checkpoint in their partition, in order.
    pub fn after_checkpoints(&self, group: ProjectionName, hub: &EventHubs) -> Vec<SharedEvent> {
        let checkpoints = self
            .groups
            .get(group.index())
            .map(|p| p.checkpoints.as_slice())
            .unwrap_or_default();
        self.retained
            .iter()
            .filter(|(_, event)| {
                let partition = hub.partition(event.stream_id.as_str());
                event.global_position > checkpoints.get(partition).copied().unwrap_or_default()
            })
            .map(|(_, event)| Rc::clone(event))
            .collect()
    }

    /// Up to `limit` retained events after `position`, oldest first.
    pub fn after(&self, position: GlobalPosition, limit: usize) -> Vec<SharedEvent> {
        self.retained
            .iter()
            .filter(|(_, event)| event.global_position > position)
            .take(limit)
            .map(|(_, event)| Rc::clone(event))
            .collect()
    }

    /// Events the hub holds now.
    pub fn retained(&self) -> usize {
        self.retained.len()
    }

    /// A crash: the counts since each checkpoint were the consumers' memory.
    pub(super) fn crash(&mut self) {
        for group in &mut self.groups {
            group.handled.clear();
        }
    }
}
