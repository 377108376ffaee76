//! Running the engine for the page: a frame, a step, a command sent; the durable
//! queue's bookkeeping around each run, a crash, and the requests that set the engine.

use super::{Controller, Queued, Run};
use crate::app::diagram::DiagramView;
use crate::app::log_view::{Outcome, Refusal};
use crate::app::page_io::{Announcement, PageHost, PageStore, StoreFailure};
use crate::app::screen::{ControlsMsg, Msg, Request};
use crate::app::session::{QueuedCommand, Session};
use crate::domain::ids::{GlobalPosition, VirtualMillis};
use crate::engine::knobs::describe_crash;
use crate::engine::rebuild::RebuildStrategy;
use crate::store::ProjectionName;
use std::collections::VecDeque;

impl<S: PageStore, H: PageHost> Controller<S, H> {
    /// Writes the accepted commands not yet stored to the durable queue.
    async fn store_queue(&self) -> Result<(), StoreFailure> {
        if !self.store.durable() {
            return Ok(()); // in memory, the queue dies with the page anyway
        }
        let fresh: Vec<(u64, QueuedCommand)> = self
            .queue
            .borrow()
            .iter()
            .filter(|q| !q.stored)
            .map(|q| (q.seq, q.command.clone()))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let stored = self.store.enqueue(&fresh).await;
        self.note_write(stored.as_ref().map(|_| ()));
        stored?;
        for q in self.queue.borrow_mut().iter_mut() {
            q.stored |= fresh.iter().any(|(seq, _)| *seq == q.seq);
        }
        Ok(())
    }

    /// Commands not yet durable are refused, visibly, and leave the queue.
    fn refuse_unstored(&self, failure: &StoreFailure) -> Vec<Outcome> {
        let refused: VecDeque<Queued> = {
            let mut queue = self.queue.borrow_mut();
            let (keep, refused) = std::mem::take(&mut *queue)
                .into_iter()
                .partition(|q| q.stored);
            *queue = keep;
            refused
        };
        let reason = format!("the command could not be queued: {failure}");
        refused
            .into_iter()
            .map(|q| failed(&q.command, reason.clone()))
            .collect()
    }

    /// Runs the engine for a frame (`Run::Until`) or one task (`Run::Step`): commands
    /// accepted since are made durable and sent first. Answers with the outcomes
    /// reached, the events stored past `after`, and the diagram (`window`: how long a
    /// hop stays on it).
    async fn advance(&self, run: Run, window: VirtualMillis, after: GlobalPosition) -> Msg {
        let mut outcomes = Vec::new();
        let idle = self.queue.borrow().is_empty()
            && self
                .session
                .borrow()
                .as_ref()
                .is_none_or(|s| !s.is_waiting());
        // Read-only with nothing to try, the engine stays still: its own writes (relay,
        // projections) would only be refused again, frame after frame.
        let still = self.read_only.get() && idle;
        if let Err(e) = self.store_queue().await {
            outcomes.extend(self.refuse_unstored(&e));
        }
        if let Some(session) = self.session.borrow_mut().as_mut() {
            for q in self.queue.borrow_mut().iter_mut().filter(|q| !q.sent) {
                session.send_queued(q.command.clone());
                q.sent = true;
            }
        }
        let ran = if still { Ok(()) } else { self.run(run).await };
        self.after_run(ran, &mut outcomes).await;
        self.finish(&outcomes).await;
        self.keep_marker();
        // Only an accepted command appends: otherwise there is nothing new to read (other
        // tabs' appends arrive through the channel).
        let events = if outcomes.iter().any(|o| o.result.is_ok()) {
            self.host.announce(Announcement::Appended);
            self.events_after(after).await
        } else {
            Vec::new()
        };
        let session = self.session.borrow();
        let waiting = !self.queue.borrow().is_empty();
        match session.as_ref() {
            Some(session) => Msg::Advanced {
                outcomes,
                events,
                waiting,
                diagram: DiagramView::of(
                    session.engine(),
                    window,
                    self.recent.borrow_mut().make_contiguous(),
                    &self.fold.borrow(),
                ),
            },
            None => Msg::EventsRead(events),
        }
    }

    /// Collects the outcomes a run reached; after a failed run, reports every command
    /// under way as failed and starts a fresh session on what the store holds.
    async fn after_run(&self, ran: Result<(), StoreFailure>, outcomes: &mut Vec<Outcome>) {
        let mut now = None;
        if let Some(session) = self.session.borrow_mut().as_mut() {
            // What was decided before a failure stands (its events are stored).
            outcomes.extend(session.take_outcomes());
            if let Err(failure) = &ran {
                // What the engine was handling is gone, queued commands and a
                // script's alike (sent again, the queued ones would fail the same way).
                outcomes.extend(session.forget_pending().into_iter().map(|sent| Outcome {
                    command_id: sent.command_id,
                    order_id: sent.order_id,
                    command_name: sent.command_name,
                    result: Err(Refusal::StoreFailed(failure.to_string())),
                }));
                now = Some(session.engine().now());
            }
        }
        if let (Err(failure), Some(now)) = (&ran, now) {
            self.note_write(Err(failure));
            // A fresh session on what the store holds, as after a reload: a script's
            // later commands, reported above, must not run after all.
            self.restart(now).await;
        }
    }

    /// True when Step would run nothing: no task is scheduled and no accepted command
    /// waits to be sent.
    fn nothing_to_step(&self) -> bool {
        let idle = self
            .session
            .borrow()
            .as_ref()
            .is_some_and(|s| s.engine().next_due().is_none());
        idle && self.queue.borrow().iter().all(|q| q.sent)
    }

    /// Notes in this page's marker the scripted commands that would die with it: those
    /// the session awaits that the durable queue does not hold.
    pub(super) fn keep_marker(&self) {
        let Ok(session) = self.session.try_borrow() else {
            return;
        };
        let queue = self.queue.borrow();
        let in_flight: Vec<String> = session
            .as_ref()
            .map(|s| {
                s.pending_ids()
                    .filter(|id| !queue.iter().any(|q| q.command.command_id == **id))
                    .map(|id| id.to_string())
                    .collect()
            })
            .unwrap_or_default();
        self.host.keep_marker(&in_flight);
    }

    /// Takes commands whose outcome is known out of the queue (and its stored copy).
    async fn finish(&self, outcomes: &[Outcome]) {
        let done: VecDeque<Queued> = {
            let mut queue = self.queue.borrow_mut();
            let (done, keep) = std::mem::take(&mut *queue).into_iter().partition(|q| {
                outcomes
                    .iter()
                    .any(|o| o.command_id == q.command.command_id)
            });
            *queue = keep;
            done
        };
        for q in done.iter().filter(|q| q.stored) {
            let _ = self.store.dequeue(q.seq).await;
        }
    }

    /// Crashes the simulated system and restarts it at once, as a page reload would:
    /// bus messages in flight and unpublished work are lost; the durable command queue
    /// keeps commands (they are sent again, same ids); the relay republishes the outbox.
    fn crash(&self) -> Msg {
        let Some((report, outbox, now)) = self.session.borrow_mut().as_mut().map(|s| {
            let report = s.engine_mut().crash();
            s.engine_mut().recover();
            s.forget_pending();
            let config = s.engine().config();
            (
                report,
                (config.outbox, config.bus.transport),
                s.engine().now(),
            )
        }) else {
            return Msg::EventsRead(Vec::new());
        };
        self.keep_marker();
        let mut queue = self.queue.borrow_mut();
        for q in queue.iter_mut() {
            q.sent = false;
        }
        // The time makes each report new, also when two crashes lose the same.
        Msg::Controls(ControlsMsg::Crashed(format!(
            "At t = {}.{:03} s: {}",
            now.0 / 1000,
            now.0 % 1000,
            describe_crash(&report, queue.len(), (outbox.0, &outbox.1))
        )))
    }

    /// A frame of the simulation: virtual time moves on by `by`.
    pub async fn play(
        &self,
        by: VirtualMillis,
        window: VirtualMillis,
        after: GlobalPosition,
    ) -> Msg {
        let now = self
            .session
            .borrow()
            .as_ref()
            .map_or(VirtualMillis(0), |s| s.engine().now());
        self.advance(Run::Until(VirtualMillis(now.0 + by.0)), window, after)
            .await
    }

    /// Carries out a request; `after` is the newest position the page shows.
    pub async fn handle(&self, request: Request, after: GlobalPosition) -> Msg {
        match request {
            // The page hands commands over as they are clicked (`Screen::take_sends`);
            // one that comes as a request waits for the next frame or step the same way.
            Request::Send { order_id, command } => {
                self.accept(order_id, command);
                Msg::EventsRead(Vec::new())
            }
            Request::Step if self.nothing_to_step() => Msg::Controls(ControlsMsg::SteppedIdle {
                deferred: self.session.borrow().as_ref().map_or(0, |s| {
                    ProjectionName::ALL
                        .into_iter()
                        .map(|name| s.engine().deferred(name))
                        .sum()
                }),
            }),
            Request::Step => self.advance(Run::Step, VirtualMillis(1), after).await,
            Request::Crash => self.crash(),
            Request::SetKnobs(_)
            | Request::Rebuild(_)
            | Request::ReplayFromHub(_)
            | Request::Resubmit(_)
            | Request::Reseed(_) => {
                self.set_engine(request);
                Msg::EventsRead(Vec::new())
            }
            Request::RunScript => {
                self.run_script().await;
                Msg::EventsRead(Vec::new())
            }
            request => self.handle_data(request, after).await,
        }
    }

    /// Sets the session's engine as a request says (the knobs and the seed also for
    /// the sessions after it).
    fn set_engine(&self, request: Request) {
        match request {
            Request::SetKnobs(knobs) => self.knobs.set(knobs),
            Request::Reseed(seed) => self.seed.set(seed),
            _ => {}
        }
        let mut session = self.session.borrow_mut();
        let Some(engine) = session.as_mut().map(Session::engine_mut) else {
            return;
        };
        match request {
            Request::SetKnobs(knobs) => knobs.apply(engine),
            Request::Reseed(seed) => engine.reseed(seed),
            Request::Rebuild(name) => {
                engine.start_rebuild(name, RebuildStrategy::InPlace);
            }
            Request::ReplayFromHub(name) => {
                engine.start_replay_from_hub(name);
            }
            Request::Resubmit(name) => {
                engine.resubmit_dead_letters(name);
            }
            _ => {}
        }
    }
}

/// A command refused by the store before the engine could decide it.
fn failed(command: &QueuedCommand, reason: String) -> Outcome {
    Outcome {
        command_id: command.command_id.clone(),
        order_id: command.order_id.clone(),
        command_name: command.command.name(),
        result: Err(Refusal::StoreFailed(reason)),
    }
}
