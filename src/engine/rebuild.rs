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

    pub(super) fn rebuild_chunk(&mut self, name: ProjectionName) {
        let Some(after) = self.rebuild(name).map(|r| r.position) else {
            return;
        };
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
