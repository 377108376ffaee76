//! Control from outside the simulation: crash and recovery (what a page reload does),
//! deployments (schema v2, fixed projections, the upcaster) and fault knobs.

use super::config;
use super::handler::Handler;
use super::rebuild::RebuildStrategy;
use super::trace::HopKind;
use super::{CrashReport, Engine, Task};
use crate::domain::ids::{GlobalPosition, VirtualMillis};
use crate::engine::script::ScriptedCommand;
use crate::store::{ProjectionName, StoredProjection};

impl Engine {
    /// Drops exactly the volatile state: scheduled internal work, handlers' work, and
    /// (unless the queue is durable) queued commands. Effects in flight are disowned.
    pub fn crash(&mut self) -> CrashReport {
        let mut report = CrashReport {
            read_again: self.config.bus.transport.hub().map(|hub| {
                ProjectionName::ALL
                    .iter()
                    .map(|g| self.bus.hub.after_checkpoints(*g, hub).len() as u64)
                    .sum()
            }),
            ..CrashReport::default()
        };
        let in_flight: Vec<Box<ScriptedCommand>> = self
            .handlers
            .iter_mut()
            .filter_map(Handler::crash)
            .collect();
        if self.config.durable_queue {
            // A durable queue only deletes a command once handled (peek-lock), so the
            // commands handlers held go back to its head, in handler order.
            for command in in_flight.into_iter().rev() {
                self.commands.requeue_front(command);
            }
            report.kept = self.commands.queued_ids();
        } else {
            report.lost = in_flight.into_iter().map(|command| *command).collect();
            report.lost.extend(self.commands.drain());
        }
        // A durable service keeps its messages (and its retries) through the crash.
        let keeps = self.config.bus.broker_keeps();
        self.scheduler.retain(|task| match task {
            Task::Deliver(_) if keeps => true,
            Task::Deliver(batch) => {
                report.lost_messages += batch.len() as u64;
                false
            }
            Task::Publish(events) => {
                report.lost_publications += events.len() as u64;
                false
            }
            other => other.is_external(),
        });
        let depths = self.bus.in_flight;
        self.bus.crash();
        if keeps {
            // Still held by the service: received again after the restart.
            self.bus.in_flight = depths;
            self.redeliver_deferred();
        } else {
            // Set aside in memory only, like the messages in flight.
            report.lost_messages += self.deferred.clear();
        }
        self.relay_scheduled = false;
        // A rebuild's progress is volatile: blue/green keeps the old model, in place
        // leaves the model partial until the user rebuilds again.
        for (name, _) in std::mem::take(&mut self.rebuilds) {
            self.record(HopKind::RebuildAborted { projection: name });
        }
        self.effects.clear();
        self.awaiting = 0;
        self.epoch = self.epoch.wrapping_add(1);
        self.down = true;
        self.metrics.commands_lost += report.lost.len() as u64;
        self.metrics.messages_lost += report.lost_messages;
        self.metrics.publications_lost += report.lost_publications;
        self.record(HopKind::Crashed {
            lost_commands: report.lost.len() as u64,
            kept_commands: report.kept.len() as u64,
            lost_messages: report.lost_messages,
            lost_publications: report.lost_publications,
        });
        report
    }

    /// Restarts after a crash: handlers resume from what is durable.
    pub fn recover(&mut self) {
        if !self.down {
            return;
        }
        self.down = false;
        self.record(HopKind::Recovered);
        self.wake_idle_handlers();
        self.relay_outbox();
        self.resume_from_checkpoints();
    }

    /// Has the relay publish what the outbox holds (after a recovery, or when a page
    /// starts on a store a previous session left with unpublished rows).
    pub fn relay_outbox(&mut self) {
        if self.config.outbox && !self.relay_scheduled {
            self.relay_scheduled = true;
            self.schedule(VirtualMillis(0), Task::Relay);
        }
    }

    /// Resumes a projection from what the store kept (`None`: it never saved, so it
    /// starts empty). When it misses events the bus will never bring again (see
    /// `StoredProjection::misses_events`), it is rebuilt from the log in place.
    pub fn restore_projection(
        &mut self,
        name: ProjectionName,
        stored: Option<StoredProjection>,
        head: GlobalPosition,
        oldest_unpublished: Option<GlobalPosition>,
    ) {
        let stored = stored.unwrap_or_default();
        let misses = stored.misses_events(head, oldest_unpublished);
        if let Some(p) = self.projection_mut(name) {
            *p = p.restored(stored);
        }
        if misses {
            self.start_rebuild(name, RebuildStrategy::InPlace);
        }
    }

    /// Sets the bus's fault knobs (from now on; messages already scheduled keep their
    /// times): the duplicate rate, the delivery lag, per-partition ordering, and
    /// whether appends write outbox rows (off: the handler publishes itself, the dual
    /// write).
    pub fn set_knobs(
        &mut self,
        duplicate_rate: super::rng::PerMillion,
        lag: config::LagDistribution,
        ordered_partitions: bool,
        outbox: bool,
    ) {
        let bus = &mut self.config.bus;
        bus.duplicate_rate = duplicate_rate;
        bus.lag = lag;
        bus.ordered_partitions = ordered_partitions;
        if outbox && !self.config.outbox {
            self.config.outbox = true;
            self.relay_outbox();
        }
        self.config.outbox = outbox;
    }

    /// Changes the transport from now on (messages already scheduled keep their plan).
    pub fn set_transport(
        &mut self,
        transport: super::transport::Transport,
        subscriptions: [Option<super::transport::Transport>; 3],
    ) {
        self.config.bus.transport = transport;
        self.config.bus.subscriptions = subscriptions;
    }

    /// Saves a snapshot each time a stream crosses a multiple of `every` (at least 1)
    /// from now on; snapshots already saved stay.
    pub fn set_snapshot_every(&mut self, every: u64) {
        self.config.snapshot_every = every.max(1);
    }

    /// Draws faults (duplicates, lag, failures) from a new seed from now on.
    pub fn reseed(&mut self, seed: u64) {
        self.config.seed = seed;
        self.rng = super::rng::SimRng::seeded(seed);
    }

    /// "Deploys schema v2" on the write side: new orders are recorded with a currency.
    pub fn deploy_write_schema(&mut self, schema: crate::domain::ids::SchemaVersion) {
        self.config.write_schema = schema;
        self.record(HopKind::WriteSchemaDeployed { schema });
    }

    /// Deploys a projection's code that understands events up to `schema`.
    pub fn deploy_projection(
        &mut self,
        name: ProjectionName,
        schema: crate::domain::ids::SchemaVersion,
    ) {
        if let Some(p) = self.projection_mut(name) {
            p.schema = schema;
        }
        self.record(HopKind::ProjectionDeployed {
            projection: name,
            schema,
        });
    }

    /// Turns the upcaster on or off for every projection.
    pub fn set_upcaster(&mut self, on: bool) {
        self.config.upcaster = on;
        for p in &mut self.projections {
            p.upcast = on;
        }
    }

    /// Ends the transient faults: handlers stop failing at random, none is broken or
    /// slower than its lock. Duplicates, lag and reordering stay (normal bus behaviour).
    pub fn heal(&mut self) {
        let healthy = config::BusConfig::default();
        self.config.bus.failure_rate = healthy.failure_rate;
        self.config.bus.processing_time = healthy.processing_time;
        self.config.bus.failing.clear();
    }
}
