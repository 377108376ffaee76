//! The deterministic simulation engine (sans-IO): a scheduler with a virtual clock and a
//! seeded RNG drives clients, the bounded command bus and the command handlers. Storage
//! work leaves as `Effect`s and comes back as `EffectResult`s; `sim::Simulation` pairs
//! the engine with the in-memory store.

pub mod bus;
pub mod command_bus;
pub mod config;
mod control;
pub mod deferral;
mod delivery;
pub mod driver;
pub mod effects;
pub mod event_bus;
pub mod fulfilment;
mod handler;
mod hop_words;
pub mod hub;
pub mod knobs;
pub mod message;
pub mod modes;
pub mod projection;
pub mod rebuild;
pub mod rng;
pub mod scheduler;
pub mod script;
pub mod sim;
pub mod trace;
pub mod transport;
pub mod truth;
pub mod views;

use bus::Batch;
use command_bus::CommandBus;
use config::{Backpressure, EngineConfig};
use effects::{Effect, EffectResult, HandlerId, Ticket};
use event_bus::EventBus;
use handler::Handler;
use projection::Projection;
use rebuild::Rebuild;
use rng::SimRng;
use scheduler::Scheduler;
use script::ScriptedCommand;
use std::collections::VecDeque;
use trace::{Hop, HopKind, Metrics, Trace};

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::VirtualMillis;
use crate::domain::order::{OrderEvent, OrderLine};
use crate::store::{NewEvent, ProjectionName};

/// Something the scheduler will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// A client offers a command to the bus (`attempt` counts offers under backpressure).
    ClientSends {
        /// The command (boxed: it is by far the largest task, and the queue moves tasks).
        command: Box<ScriptedCommand>,
        /// 0 for the first offer.
        attempt: u32,
    },
    /// A handler looks for its next command.
    HandlerFree(HandlerId),
    /// A handler has decided and now appends.
    HandlerCommit(HandlerId),
    /// A handler reloads after a concurrency conflict.
    HandlerRetry(HandlerId),
    /// The outbox relay reads unpublished rows and publishes them.
    Relay,
    /// Without the outbox: the handler publishes what it appended (the dual write).
    Publish(Vec<SharedEvent>),
    /// The event bus delivers a batch of messages to one subscription.
    Deliver(Batch),
    /// A rebuild reads its next chunk of the store.
    RebuildChunk(ProjectionName),
}

impl Task {
    /// Tasks from the outside world survive a crash; the engine's own work does not.
    fn is_external(&self) -> bool {
        matches!(self, Task::ClientSends { .. })
    }
}

/// What one `step` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Ran the next task at this virtual time.
    Ran(VirtualMillis),
    /// Nothing is scheduled.
    Idle,
    /// Effects are out; time cannot move until their results are in.
    AwaitingEffects,
}

/// Why the clock could not move on: a task is due before the time asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("virtual time cannot move from {now} ms to {wanted} ms: a task is due at {due} ms")]
pub struct ClockBlocked {
    /// The time now.
    pub now: VirtualMillis,
    /// The time asked for.
    pub wanted: VirtualMillis,
    /// When the earliest task is due.
    pub due: VirtualMillis,
}

/// What a crash dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrashReport {
    /// Commands lost: queued in memory or being handled without a durable queue.
    pub lost: Vec<ScriptedCommand>,
    /// Commands a durable queue kept (including those handlers were working on), by
    /// id, in the order they will be handled.
    pub kept: Vec<crate::domain::ids::CommandId>,
    /// Bus messages in flight or deferred, gone (with the outbox, the relay publishes
    /// their events again after recovery; without it, nothing does).
    pub lost_messages: u64,
    /// Appended events whose publication (outbox off) had not happened: lost for good.
    pub lost_publications: u64,
    /// Event Hubs: the events after the consumer groups' checkpoints, which they read
    /// again (summed over the groups); `None` on other transports.
    pub read_again: Option<u64>,
}

/// The engine. Own it in one place and mutate it in place.
#[derive(Debug, Clone)]
pub struct Engine {
    config: EngineConfig,
    scheduler: Scheduler<Task>,
    rng: SimRng,
    commands: CommandBus,
    handlers: Vec<Handler>,
    bus: EventBus,
    /// Deliveries set aside until an earlier event of their stream is applied.
    deferred: deferral::Deferred,
    projections: Vec<Projection>,
    relay_scheduled: bool,
    rebuilds: Vec<(ProjectionName, Rebuild)>,
    effects: VecDeque<Effect>,
    /// The lines of the last aggregate a handler replayed, emptied, for the next replay.
    spare_lines: Vec<OrderLine>,
    /// The list the last decision's events were in, emptied, for the next decision.
    spare_events: Vec<OrderEvent>,
    /// The list the last append request's events were in, emptied, for the next one.
    spare_requests: Vec<NewEvent>,
    /// A list of stored events the engine is done with (a loaded stream, an append's
    /// result), emptied, for the store to fill next.
    spare_stored: Vec<SharedEvent>,
    awaiting: u32,
    epoch: u32,
    down: bool,
    trace: Trace,
    metrics: Metrics,
}

impl Engine {
    /// An engine at time 0 with the script's commands scheduled.
    pub fn new(config: EngineConfig, script: impl IntoIterator<Item = ScriptedCommand>) -> Self {
        let handlers = (0..config.handlers.max(1))
            .map(|_| Handler::default())
            .collect();
        let mut engine = Engine {
            scheduler: Scheduler::with_limit(config.task_limit),
            rng: SimRng::seeded(config.seed),
            commands: CommandBus::new(
                config.queue_capacity,
                config.backpressure,
                config.priority_lane,
            ),
            handlers,
            bus: EventBus::default(),
            deferred: deferral::Deferred::default(),
            projections: config
                .bus
                .modes
                .iter()
                .map(|(name, mode)| {
                    let mut projection = Projection::new(*name, *mode);
                    projection.schema = config.projection_schema;
                    projection.upcast = config.upcaster;
                    projection
                })
                .collect(),
            relay_scheduled: false,
            rebuilds: Vec::new(),
            effects: VecDeque::new(),
            spare_lines: Vec::new(),
            spare_events: Vec::new(),
            spare_requests: Vec::new(),
            spare_stored: Vec::new(),
            awaiting: 0,
            epoch: 0,
            down: false,
            trace: Trace::new(config.trace_limit),
            metrics: Metrics::default(),
            config,
        };
        for command in script {
            engine.send_at(command);
        }
        engine
    }

    /// Schedules a client's command at its scripted time (or now, if that has passed).
    pub fn send_at(&mut self, command: ScriptedCommand) {
        let delay = VirtualMillis(command.at.0.saturating_sub(self.now().0));
        self.schedule_input(
            delay,
            Task::ClientSends {
                command: Box::new(command),
                attempt: 0,
            },
        );
    }

    /// Runs the next scheduled task, unless effects are still out.
    pub fn step(&mut self) -> StepOutcome {
        if self.awaiting > 0 || !self.effects.is_empty() {
            return StepOutcome::AwaitingEffects;
        }
        let Some(task) = self.scheduler.pop() else {
            return StepOutcome::Idle;
        };
        match task {
            Task::ClientSends { command, attempt } => self.client_sends(command, attempt),
            Task::HandlerFree(id) => self.handler_free(id),
            Task::HandlerCommit(id) => self.handler_commit(id),
            Task::HandlerRetry(id) => self.handler_retry(id),
            Task::Relay => self.relay(),
            Task::Publish(events) => self.publish(events),
            Task::Deliver(batch) => self.deliver(batch),
            Task::RebuildChunk(name) => self.rebuild_chunk(name),
        }
        StepOutcome::Ran(self.now())
    }

    /// The next effect to carry out, with the ticket to hand back with its result;
    /// the engine then awaits that result.
    pub fn next_effect(&mut self) -> Option<(Ticket, Effect)> {
        let effect = self.effects.pop_front()?;
        self.awaiting += 1;
        Some((Ticket { epoch: self.epoch }, effect))
    }

    /// Feeds back the result of an effect. A result from before a crash is ignored.
    pub fn complete(&mut self, ticket: Ticket, result: EffectResult) {
        if ticket.epoch != self.epoch {
            return;
        }
        debug_assert!(self.awaiting > 0, "a result without an effect");
        self.awaiting = self.awaiting.saturating_sub(1);
        match result {
            EffectResult::StreamLoaded {
                handler,
                already_processed,
                stream,
            } => self.stream_loaded(handler, already_processed, stream),
            EffectResult::Appended {
                handler,
                result,
                spent,
            } => {
                self.spare_requests = spent;
                self.appended(handler, result);
            }
            EffectResult::OutboxRead { events, more } => self.outbox_read(events, more),
            EffectResult::EventsRead { projection, events } => self.events_read(projection, events),
            // Writes need no answer.
            EffectResult::Done => {}
        }
    }

    /// The virtual time now.
    pub fn now(&self) -> VirtualMillis {
        self.scheduler.now()
    }

    /// When the next task is due, if any.
    pub fn next_due(&self) -> Option<VirtualMillis> {
        self.scheduler.next_due()
    }

    /// Moves the clock on to `t` (never back); refused, and said so, when a task is
    /// due before `t` (it must run first, at its own time).
    pub fn advance_to(&mut self, t: VirtualMillis) -> Result<(), ClockBlocked> {
        match self.next_due() {
            Some(due) if due < t => Err(ClockBlocked {
                now: self.now(),
                wanted: t,
                due,
            }),
            _ => {
                self.scheduler.advance_to(t);
                Ok(())
            }
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The trace of hops.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Per-component counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Depths of the command bus's primary (with the priority lane) and overflow queues.
    pub fn queue_depths(&self) -> (u32, u32) {
        self.commands.depths()
    }

    /// Depth of the command bus's priority lane (0 without one).
    pub fn critical_depth(&self) -> u32 {
        self.commands.critical_depth()
    }

    /// Records how long `command` waited for its outcome, by its class.
    fn outcome_of(&mut self, command: &ScriptedCommand) {
        let waited = self.now().0.saturating_sub(command.at.0);
        if command_bus::is_critical(&command.command) {
            self.metrics.critical_latency.add(waited);
        } else {
            self.metrics.bulk_latency.add(waited);
        }
    }

    /// The projections, in `ProjectionName::ALL` order.
    pub fn projections(&self) -> &[Projection] {
        &self.projections
    }

    /// One projection.
    pub fn projection(&self, name: ProjectionName) -> Option<&Projection> {
        self.projections.iter().find(|p| p.name == name)
    }

    fn projection_mut(&mut self, name: ProjectionName) -> Option<&mut Projection> {
        self.projections.iter_mut().find(|p| p.name == name)
    }

    /// Switches a projection between naive and idempotent handling (from its next
    /// delivery; what it applied stays as it is).
    pub fn set_mode(&mut self, name: ProjectionName, mode: config::ProjectionMode) {
        if let Some(p) = self.projection_mut(name) {
            p.set_mode(mode);
            // A naive projection applies what an idempotent one set aside.
            self.release_all(name);
        }
        for (n, m) in &mut self.config.bus.modes {
            if *n == name {
                *m = mode;
            }
        }
    }

    /// Makes a projection's handler fail every delivery, or fixes it ("deploys" a fix).
    pub fn set_failing(&mut self, name: ProjectionName, failing: bool) {
        self.config.bus.failing.retain(|n| *n != name);
        if failing {
            self.config.bus.failing.push(name);
        }
    }

    /// The event bus (dead letters).
    pub fn event_bus(&self) -> &EventBus {
        &self.bus
    }

    /// True between `crash` and `recover`.
    pub fn is_down(&self) -> bool {
        self.down
    }

    fn client_sends(&mut self, command: Box<ScriptedCommand>, attempt: u32) {
        let room = if self.down {
            None
        } else {
            self.commands.room(&command.command)
        };
        let Some(queue) = room else {
            return self.refused(command, attempt);
        };
        let (command_id, client) = (command.command_id.clone(), command.client);
        let depth = self.commands.push(queue, command);
        self.metrics.commands_queued += 1;
        self.record(HopKind::CommandQueued {
            command_id,
            client,
            queue,
            depth,
        });
        self.wake_idle_handlers();
    }

    fn refused(&mut self, command: Box<ScriptedCommand>, attempt: u32) {
        let retry = match self.config.backpressure {
            Backpressure::Wait {
                retry_after,
                max_retries,
            } if attempt < max_retries => Some(retry_after),
            _ => None,
        };
        self.record(HopKind::CommandRefused {
            command_id: command.command_id.clone(),
            will_retry: retry.is_some(),
        });
        match retry {
            Some(delay) => self.schedule_input(
                delay,
                Task::ClientSends {
                    command,
                    attempt: attempt + 1,
                },
            ),
            None => self.metrics.commands_refused += 1,
        }
    }

    fn wake_idle_handlers(&mut self) {
        for index in 0..self.handlers.len() {
            if self.handlers[index].wake() {
                self.schedule(VirtualMillis(0), Task::HandlerFree(HandlerId(index as u32)));
            }
        }
    }

    /// Schedules the engine's own work (bounded by design: per handler, message or
    /// rebuild), which is never dropped.
    fn schedule(&mut self, delay: VirtualMillis, task: Task) {
        self.scheduler.schedule_anyway(delay, task);
    }

    /// Schedules input from outside (a client's send); past the task limit it is
    /// refused, counted and shown in the trace rather than growing without bound.
    fn schedule_input(&mut self, delay: VirtualMillis, task: Task) {
        if let Err(full) = self.scheduler.schedule(delay, task) {
            self.metrics.tasks_refused += 1;
            self.record(HopKind::SchedulerFull { limit: full.limit });
        }
    }

    fn record(&mut self, kind: HopKind) {
        self.trace.record(Hop {
            at: self.now(),
            kind,
        });
    }
}
