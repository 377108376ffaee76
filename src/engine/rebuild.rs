//! Rebuilding a read model by replaying the store in chunks, with progress: in place
//! (the live model is wiped and refills while it serves) or blue/green (a shadow copy
//! builds while the old one serves queries, then they swap).

pub use super::config::RebuildStrategy;
use super::effects::Effect;
use super::projection::{Applied, Projection};
use super::trace::HopKind;
use super::{Engine, Task};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, VirtualMillis};
use crate::store::ProjectionName;

/// Events read from the store per chunk.
pub const REBUILD_CHUNK: u64 = 500;

/// A rebuild under way.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// In place or blue/green.
    pub strategy: RebuildStrategy,
    /// The shadow model (blue/green only).
    shadow: Option<Projection>,
    /// The last position replayed.
    pub position: GlobalPosition,
    /// Events replayed so far.
    pub replayed: u64,
    /// Reads the event hub's retained events instead of the store (Event Hubs: a replay
    /// from the oldest offset the hub still holds).
    pub from_hub: bool,
}

impl Engine {
    /// Starts rebuilding a projection; false if one is already under way.
    pub fn start_rebuild(&mut self, name: ProjectionName, strategy: RebuildStrategy) -> bool {
        if self.rebuilds.iter().any(|(n, _)| *n == name) {
            return false;
        }
        let Some(fresh) = self.projection(name).map(Projection::emptied) else {
            return false;
        };
        let shadow = match strategy {
            RebuildStrategy::InPlace => {
                if let Some(live) = self.projection_mut(name) {
                    *live = fresh;
                }
                None
            }
            RebuildStrategy::BlueGreen => Some(fresh),
        };
        self.rebuilds.push((
            name,
            Rebuild {
                strategy,
                shadow,
                position: GlobalPosition(0),
                replayed: 0,
                from_hub: false,
            },
        ));
        self.record(HopKind::RebuildStarted { projection: name });
        self.schedule(VirtualMillis(0), Task::RebuildChunk(name));
        true
    }

    /// The rebuild of a projection, if one is under way.
    pub fn rebuild(&self, name: ProjectionName) -> Option<&Rebuild> {
        self.rebuilds
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r)
    }

    /// Under Event Hubs: rebuilds a projection by reading the hub from the oldest event
    /// it retains, as a consumer replays from an earlier offset. Events older than the
    /// retention are gone from the hub, so the read model lacks them: a hub is not an
    /// event store. False when the transport is not Event Hubs or a rebuild is under way.
    pub fn start_replay_from_hub(&mut self, name: ProjectionName) -> bool {
        if self.config.bus.transport.hub().is_none()
            || !self.start_rebuild(name, RebuildStrategy::InPlace)
        {
            return false;
        }
        if let Some((_, rebuild)) = self.rebuilds.iter_mut().find(|(n, _)| *n == name) {
            rebuild.from_hub = true;
        }
        true
    }

    pub(super) fn rebuild_chunk(&mut self, name: ProjectionName) {
        let Some((after, from_hub)) = self.rebuild(name).map(|r| (r.position, r.from_hub)) else {
            return;
        };
        if from_hub {
            // The hub holds its events in the order they were published: position order.
            let chunk = self.bus.hub.after(after, REBUILD_CHUNK as usize);
            self.events_read(name, chunk);
            return;
        }
        self.effects.push_back(Effect::ReadAll {
            projection: name,
            after,
            limit: REBUILD_CHUNK,
        });
    }

    pub(super) fn events_read(&mut self, name: ProjectionName, events: Vec<SharedEvent>) {
        let Some(index) = self.rebuilds.iter().position(|(n, _)| *n == name) else {
            return;
        };
        let done = (events.len() as u64) < REBUILD_CHUNK;
        let (_, rebuild) = &mut self.rebuilds[index];
        let target = match rebuild.shadow.as_mut() {
            Some(shadow) => Some(shadow),
            None => self.projections.iter_mut().find(|p| p.name == name),
        };
        let mut unknown = None;
        if let Some(target) = target {
            for e in &events {
                if target.replay(e) == Applied::UnknownSchema {
                    unknown = Some(e.global_position);
                    break;
                }
                rebuild.position = e.global_position;
                rebuild.replayed += 1;
            }
        }
        if let Some(position) = unknown {
            // The projection's code cannot read this event: stop, and say so.
            self.rebuilds.remove(index);
            self.record(HopKind::RebuildFailed {
                projection: name,
                position,
            });
            return;
        }
        let (position, replayed) = (rebuild.position, rebuild.replayed);
        self.record(HopKind::RebuildProgress {
            projection: name,
            position,
            replayed,
        });
        if !done {
            // Each chunk costs a millisecond of virtual time, so progress is visible.
            self.schedule(VirtualMillis(1), Task::RebuildChunk(name));
            return;
        }
        let (_, finished) = self.rebuilds.remove(index);
        if let Some(shadow) = finished.shadow {
            if let Some(live) = self.projection_mut(name) {
                *live = shadow;
            }
        }
        if let Some(save) = self.projection_mut(name).map(Projection::take_save) {
            self.effects.push_back(Effect::SaveProjection(save));
        }
        self.record(HopKind::RebuildFinished {
            projection: name,
            strategy: finished.strategy,
        });
        // The replay may have applied what deferred messages wait for.
        self.release_all(name);
    }
}
