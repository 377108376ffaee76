//! The command handler: take a command, load the aggregate (snapshot + later events),
//! decide, append with the expected version; dedupe by command id; handle conflicts.

use super::config::ConflictPolicy;
use super::effects::{Effect, HandlerId};
use super::script::ScriptedCommand;
use super::trace::HopKind;
use super::{Engine, Task};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{EventId, StreamVersion, VirtualMillis};
use crate::domain::money::Currency;
use crate::domain::order::{decide_into, OrderCommand, OrderEvent, OrderState};
use crate::store::{AppendError, AppendRequest, Appended, LoadedStream, NewEvent, Snapshot};
use std::borrow::Cow;

/// One handler instance: where it is with its command (exactly one at a time), the
/// command, its decision, and the aggregate it replayed for it. The phase is a tag of
/// its own, so moving from phase to phase writes a byte, not the work it holds; the
/// aggregate's lines' allocation serves the next replay.
#[derive(Debug, Clone, Default)]
pub(super) struct Handler {
    phase: Phase,
    /// The command held while loading, deciding, appending or backing off.
    work: Option<Work>,
    /// The decision, while deciding and appending.
    decision: Decision,
    aggregate: OrderState,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    /// Nothing to do and no wake-up scheduled.
    #[default]
    Idle,
    /// A `HandlerFree` task is scheduled.
    Waking,
    /// Waiting for the stream to load.
    Loading,
    /// Decided; the append is scheduled after the handling time.
    Deciding,
    /// Waiting for the append's result.
    Appending,
    /// Waiting to reload after a conflict.
    BackingOff,
}

#[derive(Debug, Clone)]
pub(super) struct Work {
    command: Box<ScriptedCommand>,
    /// 0 for the first attempt; conflicts add one.
    attempt: u32,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Decision {
    expected: StreamVersion,
    /// The decided events (they move into the append request at commit).
    events: Vec<OrderEvent>,
}

impl Handler {
    /// Marks an idle handler as about to wake; false if it is busy or already waking.
    pub(super) fn wake(&mut self) -> bool {
        let idle = self.phase == Phase::Idle;
        if idle {
            self.phase = Phase::Waking;
        }
        idle
    }

    /// Drops the handler's work, returning the command it held.
    pub(super) fn crash(&mut self) -> Option<Box<ScriptedCommand>> {
        self.aggregate = OrderState::NotCreated;
        self.decision = Decision::default();
        self.phase = Phase::Idle;
        self.work.take().map(|work| work.command)
    }
}

impl Engine {
    pub(super) fn handler_free(&mut self, id: HandlerId) {
        let Some(handler) = self.handler_mut(id) else {
            return;
        };
        if !matches!(handler.phase, Phase::Waking | Phase::Idle) {
            return;
        }
        handler.phase = Phase::Idle;
        if self.down {
            return;
        }
        if let Some(command) = self.commands.take() {
            self.load(
                id,
                Work {
                    command,
                    attempt: 0,
                },
            );
        }
    }

    pub(super) fn handler_retry(&mut self, id: HandlerId) {
        if let Some(work) = self.take_work(id, Phase::BackingOff) {
            self.load(id, work);
        }
    }

    fn load(&mut self, id: HandlerId, work: Work) {
        self.effects.push_back(Effect::LoadStream {
            handler: id,
            stream_id: work.command.order_id.clone(),
            command_id: work.command.command_id.clone(),
            into: std::mem::take(&mut self.spare_stored),
        });
        self.hold(id, Phase::Loading, work);
    }

    pub(super) fn stream_loaded(&mut self, id: HandlerId, processed: bool, stream: LoadedStream) {
        let Some(work) = self.take_work(id, Phase::Loading) else {
            return;
        };
        let command_id = work.command.command_id.clone();
        if processed {
            self.metrics.commands_duplicate += 1;
            self.outcome_of(&work.command);
            self.record(HopKind::CommandDuplicate { command_id });
            return self.free_after(id, VirtualMillis(0));
        }
        let expected = stream.version();
        let replayed = stream.events.len() as u64;
        let snapshot = stream.snapshot.as_ref().map(|s| s.version);
        let start = stream.snapshot.map(|s| s.state).unwrap_or_default();
        // Replayed in place, into the lines of the aggregate replayed before.
        if let Some(handler) = self.handlers.get_mut(id.index()) {
            std::mem::replace(&mut handler.aggregate, start).recycle(&mut self.spare_lines);
            for e in &stream.events {
                handler
                    .aggregate
                    .apply_reusing(&e.event, &mut self.spare_lines);
            }
        }
        self.keep_stored(stream.events);
        self.metrics.events_replayed += replayed;
        self.record(HopKind::AggregateLoaded {
            command_id: command_id.clone(),
            stream_id: work.command.order_id.clone(),
            snapshot,
            replayed,
        });
        let handling = self.handling_time();
        let state = self
            .handlers
            .get(id.index())
            .map_or(&OrderState::NotCreated, |h| &h.aggregate);
        let mut events = std::mem::take(&mut self.spare_events);
        events.clear();
        match decide_into(state, &self.as_deployed(&work.command.command), &mut events) {
            Err(rejection) => {
                self.spare_events = events;
                self.metrics.commands_rejected += 1;
                self.outcome_of(&work.command);
                self.record(HopKind::CommandRejected {
                    command_id,
                    rejection,
                });
                self.free_after(id, handling);
            }
            Ok(()) => {
                let decision = Decision { expected, events };
                // Handling that takes no time appends at once; there is nothing to wait for.
                if handling.0 == 0 {
                    return self.commit(id, work, decision);
                }
                self.keep_decision(id, decision);
                self.hold(id, Phase::Deciding, work);
                self.schedule(handling, Task::HandlerCommit(id));
            }
        }
    }

    /// Keeps a list of stored events the handler is done with, emptied, for the store
    /// to fill next.
    fn keep_stored(&mut self, mut events: Vec<SharedEvent>) {
        events.clear();
        self.spare_stored = events;
    }

    pub(super) fn handler_commit(&mut self, id: HandlerId) {
        if let Some(work) = self.take_work(id, Phase::Deciding) {
            let decision = self.take_decision(id);
            self.commit(id, work, decision);
        }
    }

    /// Asks the store to append the decided events with the expected version.
    fn commit(&mut self, id: HandlerId, work: Work, mut decision: Decision) {
        // The events move into the request; the stored ones come back with the result.
        let mut decided = std::mem::take(&mut decision.events);
        let mut events = std::mem::take(&mut self.spare_requests);
        events.clear();
        let now = self.now();
        events.extend(decided.drain(..).zip(1..).map(|(event, index)| NewEvent {
            event_id: EventId::of_command(&work.command.command_id, index),
            schema_version: event.schema_version(),
            recorded_at: now,
            correlation_id: work.command.correlation_id.clone(),
            causation_id: work.command.command_id.clone(),
            event,
        }));
        self.spare_events = decided; // emptied, kept for the next decision
        self.effects.push_back(Effect::Append {
            handler: id,
            request: AppendRequest {
                stream_id: work.command.order_id.clone(),
                expected_version: decision.expected,
                events,
                command_id: work.command.command_id.clone(),
                with_outbox: self.config.outbox,
            },
            into: std::mem::take(&mut self.spare_stored),
        });
        self.keep_decision(id, decision);
        self.hold(id, Phase::Appending, work);
    }

    pub(super) fn appended(&mut self, id: HandlerId, result: Result<Appended, AppendError>) {
        let Some(work) = self.take_work(id, Phase::Appending) else {
            return;
        };
        let decision = self.take_decision(id);
        let command_id = work.command.command_id.clone();
        match result {
            Ok(appended) => {
                self.metrics.commands_accepted += 1;
                self.outcome_of(&work.command);
                self.metrics.events_appended += appended.events.len() as u64;
                self.record(HopKind::EventsAppended {
                    command_id,
                    first: appended
                        .events
                        .first()
                        .map(|e| e.global_position)
                        .unwrap_or_default(),
                    count: appended.events.len() as u64,
                });
                self.maybe_snapshot(id, &work, decision, &appended);
                self.after_append(&appended.events);
                self.keep_stored(appended.events);
                self.free_after(id, VirtualMillis(0));
            }
            Err(AppendError::Conflict {
                expected, actual, ..
            }) => self.conflict(id, work, expected, actual),
            Err(AppendError::AlreadyProcessed { .. }) => {
                self.metrics.commands_duplicate += 1;
                self.outcome_of(&work.command);
                self.record(HopKind::CommandDuplicate { command_id });
                self.free_after(id, VirtualMillis(0));
            }
            Err(AppendError::Empty) => {
                debug_assert!(false, "decide never returns an empty list of events");
                self.free_after(id, VirtualMillis(0));
            }
        }
    }

    fn conflict(
        &mut self,
        id: HandlerId,
        work: Work,
        expected: StreamVersion,
        actual: StreamVersion,
    ) {
        self.metrics.conflicts += 1;
        let backoff = match self.config.on_conflict {
            ConflictPolicy::Retry {
                max_retries,
                backoff,
            } if work.attempt < max_retries => Some(backoff),
            _ => None,
        };
        self.record(HopKind::ConcurrencyConflict {
            command_id: work.command.command_id.clone(),
            expected,
            actual,
            will_retry: backoff.is_some(),
        });
        match backoff {
            Some(delay) => {
                let work = Work {
                    attempt: work.attempt + 1,
                    ..work
                };
                self.hold(id, Phase::BackingOff, work);
                self.schedule(delay, Task::HandlerRetry(id));
            }
            None => {
                self.metrics.conflicts_failed += 1;
                self.free_after(id, VirtualMillis(0));
            }
        }
    }

    /// Saves a snapshot when the append crossed a multiple of `snapshot_every`.
    fn maybe_snapshot(
        &mut self,
        id: HandlerId,
        work: &Work,
        decision: Decision,
        appended: &Appended,
    ) {
        let every = self.config.snapshot_every;
        let last = appended.events.last().map(|e| e.stream_version);
        let Some(last) =
            last.filter(|last| every > 0 && decision.expected.0 / every != last.0 / every)
        else {
            return;
        };
        let Some(mut state) = self
            .handler_mut(id)
            .map(|h| std::mem::take(&mut h.aggregate))
        else {
            return;
        };
        for e in &appended.events {
            state.apply(&e.event);
        }
        self.metrics.snapshots_saved += 1;
        self.record(HopKind::SnapshotSaved {
            stream_id: work.command.order_id.clone(),
            version: last,
        });
        self.effects
            .push_back(Effect::SaveSnapshot(Box::new(Snapshot {
                stream_id: work.command.order_id.clone(),
                version: last,
                state,
            })));
    }

    /// After "Deploy schema v2", orders are created with a currency (USD if none given).
    fn as_deployed<'c>(&self, command: &'c OrderCommand) -> Cow<'c, OrderCommand> {
        match command {
            OrderCommand::CreateOrder {
                customer_id,
                currency: None,
                personal,
            } if self.config.write_schema.0 >= 2 => Cow::Owned(OrderCommand::CreateOrder {
                customer_id: customer_id.clone(),
                currency: Some(Currency::usd()),
                personal: personal.clone(),
            }),
            other => Cow::Borrowed(other),
        }
    }

    fn handling_time(&mut self) -> VirtualMillis {
        // Drawn only when there is jitter: a draw that decides nothing would still move
        // every later fault draw, so removing one command would change them all.
        let jitter = match self.config.handling_jitter.0 {
            0 => 0,
            most => self.rng.below(most.saturating_add(1)),
        };
        VirtualMillis(self.config.handling_time.0.saturating_add(jitter))
    }

    /// The handler is done with its command; it looks for the next one after `delay`
    /// (at once when that is no time: nothing could happen in between).
    fn free_after(&mut self, id: HandlerId, delay: VirtualMillis) {
        self.set(id, Phase::Waking);
        if delay.0 == 0 {
            return self.handler_free(id);
        }
        self.schedule(delay, Task::HandlerFree(id));
    }

    fn handler_mut(&mut self, id: HandlerId) -> Option<&mut Handler> {
        self.handlers.get_mut(id.index())
    }

    /// The command a handler holds in `phase`, taken (the caller sets the next phase);
    /// none in any other phase.
    fn take_work(&mut self, id: HandlerId, phase: Phase) -> Option<Work> {
        let handler = self.handler_mut(id)?;
        if handler.phase != phase {
            return None;
        }
        handler.phase = Phase::Idle;
        handler.work.take()
    }

    /// The handler holds `work` in `phase`.
    fn hold(&mut self, id: HandlerId, phase: Phase, work: Work) {
        if let Some(handler) = self.handler_mut(id) {
            handler.phase = phase;
            handler.work = Some(work);
        }
    }

    /// A phase without work (idle or waking).
    fn set(&mut self, id: HandlerId, phase: Phase) {
        if let Some(handler) = self.handler_mut(id) {
            handler.phase = phase;
        }
    }

    fn keep_decision(&mut self, id: HandlerId, decision: Decision) {
        if let Some(handler) = self.handler_mut(id) {
            handler.decision = decision;
        }
    }

    fn take_decision(&mut self, id: HandlerId) -> Decision {
        self.handler_mut(id)
            .map(|h| std::mem::take(&mut h.decision))
            .unwrap_or_default()
    }
}
