//! The page's runtime: the session's engine carried out on IndexedDB (or, when the
//! browser offers none, on memory with a visible notice), the export, import and reset
//! of the log, and a BroadcastChannel that tells other tabs of appends and replacements.

use super::download;
use super::idb::schema::SCHEMA_VERSION;
use super::idb::{driver, quota, IdbStore, StoreError};
use super::lifecycle::Lifecycle;
use crate::app::diagram::DiagramView;
use crate::app::durability::Durability;
use crate::app::lifecycle::PreviousClose;
use crate::app::log_view::{LogTail, Outcome, Refusal, TAIL_READ};
use crate::app::screen::{DataStatus, ExportFormat, Msg, Recovery, Request, Storage};
use crate::app::script_number::ScriptSearch;
use crate::app::session::{
    run_in_memory, run_until_in_memory, script_orders, step_in_memory, CommandIds, QueuedCommand,
    Session,
};
use crate::app::travel::TravelView;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::engine::config::page_config;
use crate::engine::knobs::{describe_crash, Knobs};
use crate::engine::rebuild::RebuildStrategy;
use crate::engine::truth::StoreFold;
use crate::engine::views::Stream;
use crate::store::transfer::{export_cosmos, export_json, import_json};
use crate::store::{MemoryStore, ProjectionName, StoredProjection};
use gloo_events::EventListener;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The database the page keeps its events in.
pub const DATABASE: &str = "cqrs-lab";
/// The channel tabs announce changes on is `<database>-changes`.
const CHANNEL_SUFFIX: &str = "-changes";
/// Announced after an append: read the new events.
const APPENDED: &str = "appended";
/// Announced after an import or a reset: read everything again.
const REPLACED: &str = "replaced";

enum Backend {
    Idb(IdbStore),
    Memory(RefCell<MemoryStore>),
}

/// What another tab announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    /// New events.
    Appended,
    /// The whole log changed.
    Replaced,
}

/// A command in the durable queue: its key, whether it is stored yet, whether the
/// engine has it, the command.
struct Queued {
    seq: u64,
    stored: bool,
    sent: bool,
    command: QueuedCommand,
}

/// How far one run of the engine goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Until nothing is scheduled (a restart's catch-up).
    ToIdle,
    /// Through every task due up to this virtual time (a frame while playing).
    Until(VirtualMillis),
    /// One task (Step).
    Step,
}

/// Events per read when travelling back in time.
const TRAVEL_BATCH: u32 = 5_000;

/// Most engine tasks one frame runs: a burst at high speed spreads over frames rather
/// than freezing the page (virtual time waits for the work).
const TASKS_PER_FRAME: u64 = 400;

/// The store, the session, and the channel to other tabs.
pub struct Runtime {
    backend: Backend,
    /// Numbers this tab's commands.
    ids: RefCell<CommandIds>,
    /// Commands accepted and not yet handled, oldest first (kept in IndexedDB too).
    queue: RefCell<VecDeque<Queued>>,
    next_seq: Cell<u64>,
    /// Taken while the engine runs (requests run one at a time).
    session: RefCell<Option<Session>>,
    channel: Option<web_sys::BroadcastChannel>,
    /// The seed new sessions draw their faults from.
    seed: Cell<u64>,
    /// The fault knobs, set on every new session too.
    knobs: Cell<Knobs>,
    /// The newest stored events read (at most `RECENT_KEPT`, oldest first): the
    /// read-model checks compare rows against them.
    recent: RefCell<VecDeque<SharedEvent>>,
    /// This page's marker for the next start (how it ended, what died with it).
    lifecycle: Option<Lifecycle>,
    /// The fold of the stored log the read models are checked against: read once in
    /// the background after a start, then extended with every event read.
    fold: RefCell<StoreFold>,
    /// Set while IndexedDB refuses writes (its quota used up): the stored log is shown
    /// and exported, commands are tried and refused, the engine does not run on its own.
    read_only: Cell<bool>,
    /// Told when the store turns read-only or writable again.
    on_storage: Box<dyn Fn(Storage)>,
}

/// Newest events the runtime keeps for the read-model checks.
const RECENT_KEPT: usize = 200;

impl Runtime {
    /// Opens the store and reads the newest events the page shows (never the whole
    /// log: opening costs the same for a long log as for a short one); `recover`
    /// then starts the engine on it. Never fails: without IndexedDB the page runs on
    /// memory and says so.
    /// `on_storage` hears of the upgrade being blocked by an older tab, and later of
    /// this tab giving way to a newer one.
    pub async fn open(
        database: &str,
        on_storage: impl Fn(Storage) + Clone + 'static,
    ) -> (Runtime, Storage, LogTail, Option<PreviousClose>) {
        let (blocked, superseded) = (on_storage.clone(), on_storage.clone());
        let opened = IdbStore::open_with(
            database,
            SCHEMA_VERSION,
            move || blocked(Storage::Blocked),
            move || superseded(Storage::Superseded),
        )
        .await;
        let (backend, storage) = match opened {
            Ok(store) => (Backend::Idb(store), Storage::Persistent),
            Err(e) => memory(e.to_string()),
        };
        let mut runtime = Runtime {
            backend,
            ids: RefCell::new(CommandIds::new(&tab_token())),
            queue: RefCell::new(VecDeque::new()),
            next_seq: Cell::new(1),
            session: RefCell::new(None),
            channel: web_sys::BroadcastChannel::new(&format!("{database}{CHANNEL_SUFFIX}")).ok(),
            seed: Cell::new(page_config().seed),
            knobs: Cell::new(Knobs::default()),
            recent: RefCell::new(VecDeque::new()),
            fold: RefCell::new(StoreFold::new()),
            lifecycle: None,
            read_only: Cell::new(false),
            on_storage: Box::new(on_storage),
        };
        let (lifecycle, previous) = Lifecycle::start(&tab_token()).await;
        runtime.lifecycle = Some(lifecycle);
        let (tail, storage) = match runtime.read_tail().await {
            Ok(tail) => (tail, runtime.probe(storage).await),
            Err(e) => {
                let (backend, storage) = memory(e.to_string());
                runtime.backend = backend;
                (LogTail::default(), storage)
            }
        };
        (runtime, storage, tail, previous)
    }

    /// Whether the opened store takes writes: a full disk leaves the stored log
    /// readable, shown read-only.
    async fn probe(&self, opened: Storage) -> Storage {
        let Backend::Idb(store) = &self.backend else {
            return opened;
        };
        let storage = match store.probe_write().await {
            Ok(()) => opened,
            Err(StoreError::QuotaExceeded) => Storage::Full,
            Err(e) => Storage::ReadOnly(e.to_string()),
        };
        self.read_only.set(storage != Storage::Persistent);
        storage
    }

    /// Notes what a write came to: refused for lack of room, the page turns read-only;
    /// a write that succeeds makes it writable again (the user made room). Says so.
    fn note_write(&self, result: Result<(), &StoreError>) {
        if !matches!(self.backend, Backend::Idb(_)) {
            return;
        }
        let read_only = match result {
            Ok(()) => false,
            Err(StoreError::QuotaExceeded) => true,
            Err(_) => return,
        };
        if self.read_only.replace(read_only) != read_only {
            (self.on_storage)(if read_only {
                Storage::Full
            } else {
                Storage::Persistent
            });
        }
    }

    /// Starts the engine on what a previous session left (after `open`, whose tail
    /// the page shows meanwhile: restoring the read models of a long log takes a
    /// while): the durable queue is taken back, projections resume, the outbox is
    /// relayed. Says what was recovered, with how the page was last closed.
    pub async fn recover(&self, tail: &LogTail, previous: Option<PreviousClose>) -> Recovery {
        let mut recovery = Recovery {
            events: tail.count,
            previous,
            ..Recovery::default()
        };
        if let Backend::Idb(store) = &self.backend {
            if let Ok((queued, corrupt)) = store.queued().await {
                let _ = store.quarantine(&corrupt).await;
                recovery.requeued = queued.len() as u64;
                let mut queue = self.queue.borrow_mut();
                queue.extend(queued.into_iter().map(|(seq, command)| Queued {
                    seq,
                    stored: true,
                    sent: false,
                    command,
                }));
                self.next_seq
                    .set(queue.back().map_or(1, |q: &Queued| q.seq + 1));
            }
            // Read-only, the relay cannot record a publication: it waits for room (the
            // read models show the events they lack).
            if !self.read_only.get() {
                recovery.republished = store.outbox_len().await.unwrap_or(0);
            }
        }
        self.restart(newest_time(tail)).await;
        if let Backend::Idb(store) = &self.backend {
            recovery.quarantined = store
                .quarantined()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|q| format!("{} {}: {}", q.store, q.key, q.reason))
                .collect();
        }
        recovery
    }

    /// The newest events and how many the store holds.
    async fn read_tail(&self) -> Result<LogTail, StoreError> {
        let tail = match &self.backend {
            Backend::Idb(store) => {
                let head = store.head().await?;
                let after = GlobalPosition(head.0.saturating_sub(TAIL_READ));
                let (events, corrupt) = store.read_all(after, TAIL_READ as u32).await?;
                // Not recorded (a full disk) fails no read: the record is skipped.
                let _ = store.quarantine(&corrupt).await;
                // Appends may land after the read: counted up to what was read.
                let count = store
                    .count_upto(events.last().map_or(head, |e| e.global_position))
                    .await?;
                LogTail { events, count }
            }
            Backend::Memory(store) => {
                let store = store.borrow();
                let after = GlobalPosition(store.head().0.saturating_sub(TAIL_READ));
                LogTail {
                    events: store.read_all(after, TAIL_READ).to_vec(),
                    count: store.events().len() as u64,
                }
            }
        };
        self.recent.borrow_mut().clear();
        // The log may have been replaced: the truth is read again (`fold_log`).
        *self.fold.borrow_mut() = StoreFold::new();
        self.remember(&tail.events);
        Ok(tail)
    }

    /// Reads the next batch of the log into the fold the read models are checked
    /// against (until it is all read, rows are shown unchecked); says whether the whole
    /// log is read now. Records missing from a batch (set aside as unreadable) are left
    /// out of the truth.
    async fn read_truth(&self) -> Msg {
        let after = self.fold.borrow().head();
        let last = GlobalPosition(after.0.saturating_add(u64::from(TRAVEL_BATCH)));
        let batch = self.read_range(after.next(), last).await;
        // A replacement meanwhile started a new fold from 0: this batch is not its.
        if self.fold.borrow().head() != after {
            return Msg::TruthRead { complete: false };
        }
        // Done when a batch brings nothing more (one read past the end).
        let complete = batch.is_empty();
        self.fold.borrow_mut().extend_over_gaps(&batch);
        Msg::TruthRead { complete }
    }

    /// Keeps the newest of `events` (read in position order) for the read-model checks,
    /// and folds them into the truth when they follow what it holds.
    fn remember(&self, events: &[SharedEvent]) {
        self.fold.borrow_mut().extend(events);
        let mut recent = self.recent.borrow_mut();
        let last = recent.back().map(|e| e.global_position);
        let skip = events.len().saturating_sub(RECENT_KEPT);
        for e in events.iter().skip(skip) {
            if last.is_some_and(|l| e.global_position <= l) {
                continue;
            }
            if recent.len() == RECENT_KEPT {
                recent.pop_front();
            }
            recent.push_back(std::rc::Rc::clone(e));
        }
    }

    /// The events at positions `first ..= last` (the part of the event table
    /// scrolled to), in one batched read.
    async fn read_range(&self, first: GlobalPosition, last: GlobalPosition) -> Vec<SharedEvent> {
        let after = GlobalPosition(first.0.saturating_sub(1));
        let limit = last.0.saturating_sub(after.0);
        let mut events = match &self.backend {
            Backend::Idb(store) => store
                .read_all(after, u32::try_from(limit).unwrap_or(u32::MAX))
                .await
                .map(|(events, _)| events)
                .unwrap_or_default(),
            Backend::Memory(store) => store.borrow().read_all(after, limit).to_vec(),
        };
        events.retain(|e| e.global_position <= last);
        events
    }

    /// The log's events up to a position, read in batches (time travel).
    async fn events_upto(&self, position: GlobalPosition) -> Vec<SharedEvent> {
        match &self.backend {
            Backend::Idb(store) => {
                let mut events: Vec<SharedEvent> = Vec::new();
                let mut after = GlobalPosition(0);
                while after < position {
                    let Ok((batch, _)) = store.read_all(after, TRAVEL_BATCH).await else {
                        break;
                    };
                    let Some(last) = batch.last().map(|e| e.global_position) else {
                        break;
                    };
                    events.extend(
                        batch
                            .into_iter()
                            .take_while(|e| e.global_position <= position),
                    );
                    after = last;
                }
                events
            }
            Backend::Memory(store) => store
                .borrow()
                .read_all(GlobalPosition(0), position.0)
                .to_vec(),
        }
    }

    /// An order's stream, folded.
    async fn read_stream(&self, order_id: &OrderId) -> Result<Stream, StoreError> {
        let store = match &self.backend {
            Backend::Idb(store) => store,
            Backend::Memory(store) => return Ok(Stream::read_from(&store.borrow(), order_id)),
        };
        let mut stream = Stream::fold(store.load_stream(order_id).await?);
        // The snapshot left the history short: read the events before it, for display.
        if let Some((after, upto)) = stream.history_wanted() {
            let earlier = store.read_stream(order_id, after).await?.0;
            stream.prepend_history(earlier.into_iter().filter(|e| e.stream_version <= upto));
        }
        Ok(stream)
    }

    /// A fresh session on what the store holds: projections resume from their stored
    /// rows and checkpoints (one missing events the outbox will not bring again is
    /// rebuilt from the log), the clock from the newest event, and the relay publishes
    /// what the outbox still holds.
    async fn restart(&self, newest: VirtualMillis) {
        // A new token, so the new session's command ids never meet stored ones (an
        // imported log may hold this tab's earlier ids).
        let mut session = Session::seeded(&tab_token(), self.seed.get());
        self.knobs.get().apply(session.engine_mut());
        // Commands the old session had are sent again to this one (same ids: none can
        // be applied twice).
        for q in self.queue.borrow_mut().iter_mut() {
            q.sent = false;
        }
        let (stored, head, oldest) = match &self.backend {
            Backend::Idb(store) => {
                let stored = match store.stored_projections().await {
                    Ok((stored, corrupt)) => {
                        let _ = store.quarantine(&corrupt).await;
                        stored
                    }
                    Err(_) => Vec::new(),
                };
                let head = store.head().await.unwrap_or_default();
                let oldest = store.oldest_unpublished().await.unwrap_or_default();
                (stored, head, oldest)
            }
            Backend::Memory(store) => {
                let store = store.borrow();
                let stored: Vec<(ProjectionName, StoredProjection)> = ProjectionName::ALL
                    .into_iter()
                    .filter_map(|name| Some((name, store.stored_projection(name)?)))
                    .collect();
                (stored, store.head(), store.oldest_unpublished())
            }
        };
        if let Err(blocked) = session.restart_on(&stored, head, oldest, newest) {
            // A new session has nothing scheduled: this would be a defect, said here.
            web_sys::console::error_1(&JsValue::from_str(&blocked.to_string()));
        }
        *self.session.borrow_mut() = Some(session);
    }

    /// Runs the engine until it is idle: the relay's publications and any rebuild a
    /// restart scheduled. The page is usable meanwhile (commands wait in the queue).
    pub async fn catch_up(&self) {
        if self.read_only.get() {
            return; // every write it would try is refused
        }
        if let Err(failure) = self.run(Run::ToIdle).await {
            self.note_write(Err(&failure));
            web_sys::console::warn_1(&JsValue::from_str(&failure.to_string()));
        }
    }

    /// Takes a command into the queue, with its ids; `store_queue` makes it durable.
    pub fn accept(&self, order_id: OrderId, command: OrderCommand) {
        let command = self.ids.borrow_mut().next(order_id, command);
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        self.queue.borrow_mut().push_back(Queued {
            seq,
            stored: false,
            sent: false,
            command,
        });
    }

    /// Writes the accepted commands not yet stored to the durable queue.
    async fn store_queue(&self) -> Result<(), StoreError> {
        let Backend::Idb(store) = &self.backend else {
            return Ok(()); // in memory, the queue dies with the page anyway
        };
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
        let stored = store.enqueue(&fresh).await;
        self.note_write(stored.as_ref().map(|_| ()));
        stored?;
        for q in self.queue.borrow_mut().iter_mut() {
            q.stored |= fresh.iter().any(|(seq, _)| *seq == q.seq);
        }
        Ok(())
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
            // Not durable, so not sent: refused now, visibly.
            let refused: VecDeque<Queued> = {
                let mut queue = self.queue.borrow_mut();
                let (keep, refused) = std::mem::take(&mut *queue)
                    .into_iter()
                    .partition(|q| q.stored);
                *queue = keep;
                refused
            };
            outcomes.extend(
                refused
                    .into_iter()
                    .map(|q| failed(&q.command, format!("the command could not be queued: {e}"))),
            );
        }
        if let Some(session) = self.session.borrow_mut().as_mut() {
            for q in self.queue.borrow_mut().iter_mut().filter(|q| !q.sent) {
                session.send_queued(q.command.clone());
                q.sent = true;
            }
        }
        let ran = if still { Ok(()) } else { self.run(run).await };
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
        self.finish(&outcomes).await;
        self.keep_marker();
        // Only an accepted command appends: otherwise there is nothing new to read (other
        // tabs' appends arrive through the channel).
        let events = if outcomes.iter().any(|o| o.result.is_ok()) {
            self.announce(APPENDED);
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
    fn keep_marker(&self) {
        let (Some(lifecycle), Ok(session)) = (&self.lifecycle, self.session.try_borrow()) else {
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
        lifecycle.keep(&in_flight);
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
        if let Backend::Idb(store) = &self.backend {
            for q in done.iter().filter(|q| q.stored) {
                let _ = store.dequeue(q.seq).await;
            }
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
            (report, s.engine().config().outbox, s.engine().now())
        }) else {
            return Msg::EventsRead(Vec::new());
        };
        self.keep_marker();
        let mut queue = self.queue.borrow_mut();
        for q in queue.iter_mut() {
            q.sent = false;
        }
        // The time makes each report new, also when two crashes lose the same.
        Msg::Crashed(format!(
            "At t = {}.{:03} s: {}",
            now.0 / 1000,
            now.0 % 1000,
            describe_crash(&report, queue.len(), outbox)
        ))
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

    /// Carries out a request other than a command; `after` is the newest position the
    /// page shows.
    pub async fn handle(&self, request: Request, after: GlobalPosition) -> Msg {
        match request {
            Request::Send { order_id, command } => {
                self.accept(order_id, command);
                self.advance(Run::Until(VirtualMillis(0)), VirtualMillis(1), after)
                    .await
            }
            Request::Step if self.nothing_to_step() => Msg::SteppedIdle {
                deferred: self.session.borrow().as_ref().map_or(0, |s| {
                    ProjectionName::ALL
                        .into_iter()
                        .map(|name| s.engine().deferred(name))
                        .sum()
                }),
            },
            Request::ReadTruth => self.read_truth().await,
            Request::Step => self.advance(Run::Step, VirtualMillis(1), after).await,
            Request::SetKnobs(knobs) => {
                self.knobs.set(knobs);
                if let Some(session) = self.session.borrow_mut().as_mut() {
                    knobs.apply(session.engine_mut());
                }
                Msg::EventsRead(Vec::new())
            }
            Request::Crash => self.crash(),
            Request::LoadCase(case) => {
                self.seed.set(case.seed);
                self.knobs.set(case.knobs);
                let msg = self
                    .clear(format!(
                        "Every event was deleted and the failing case loaded (seed {}, {} command(s)).",
                        case.seed,
                        case.script.len()
                    ))
                    .await;
                if matches!(msg, Msg::Replaced { .. }) {
                    if let Some(session) = self.session.borrow_mut().as_mut() {
                        session.load_script(&case.script);
                    }
                }
                msg
            }
            Request::RunScript => {
                let next = self.session.borrow().as_ref().map(Session::next_script);
                if let Some(next) = next {
                    let next = self.free_script(next).await;
                    if let Some(session) = self.session.borrow_mut().as_mut() {
                        session.number_scripts_from(next);
                        session.run_script();
                    }
                }
                self.keep_marker();
                Msg::EventsRead(Vec::new())
            }
            Request::TimeTravel { position, order } => {
                let events = self.events_upto(position).await;
                Msg::Travelled(TravelView::of(&events, position, order.as_ref()))
            }
            Request::Rebuild(name) => {
                if let Some(session) = self.session.borrow_mut().as_mut() {
                    session
                        .engine_mut()
                        .start_rebuild(name, RebuildStrategy::InPlace);
                }
                Msg::EventsRead(Vec::new())
            }
            Request::Resubmit(name) => {
                if let Some(session) = self.session.borrow_mut().as_mut() {
                    session.engine_mut().resubmit_dead_letters(name);
                }
                Msg::EventsRead(Vec::new())
            }
            Request::Reseed(seed) => {
                self.seed.set(seed);
                if let Some(session) = self.session.borrow_mut().as_mut() {
                    session.engine_mut().reseed(seed);
                }
                Msg::EventsRead(Vec::new())
            }
            Request::ReadDurability { persist } => self.durability(persist).await,
            Request::Export(format) => Msg::DataAnswered(self.export(format).await),
            Request::Import { file_name, text } => self.import(&file_name, &text).await,
            Request::Reset => self.reset().await,
            Request::ReadRange { first, last, log } => Msg::RangeRead {
                first,
                log,
                events: self.read_range(first, last).await,
            },
            Request::ReadNew => Msg::EventsRead(self.events_after(after).await),
            Request::Reload => {
                self.reload("Another tab replaced the log (an import or a reset).".into())
                    .await
            }
            Request::ReadStream(order_id) => match self.read_stream(&order_id).await {
                Ok(stream) => Msg::StreamRead { order_id, stream },
                Err(e) => Msg::DataAnswered(DataStatus::Failed(format!(
                    "Order {order_id} could not be read: {e}"
                ))),
            },
        }
    }

    /// The first script number from `from` whose orders the log holds neither of.
    async fn free_script(&self, from: u64) -> u64 {
        let mut search = ScriptSearch::from(from);
        while let Some(number) = search.probe() {
            let mut used = false;
            for order in script_orders(number) {
                used |= match &self.backend {
                    Backend::Idb(store) => {
                        store.stream_version(&order).await.map_or(0, |v| v.0) > 0
                    }
                    Backend::Memory(store) => store.borrow().stream_version(&order).0 > 0,
                };
            }
            search.answer(number, used);
        }
        search.found().unwrap_or(from)
    }

    /// What the browser says of the store's storage; with `persist`, after asking it to
    /// keep the store from eviction.
    async fn durability(&self, persist: bool) -> Msg {
        if !matches!(self.backend, Backend::Idb(_)) {
            return Msg::EventsRead(Vec::new());
        }
        let persisted = if persist {
            quota::persist().await
        } else {
            quota::persisted().await
        };
        let usage = quota::estimate().await.map(|e| (e.usage, e.quota));
        Msg::DurabilityRead(Durability {
            persisted,
            usage,
            asked: persist,
        })
    }

    /// Every stored event, or why they cannot be read.
    async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreError> {
        match &self.backend {
            Backend::Idb(store) => store.all_events().await,
            Backend::Memory(store) => Ok(store.borrow().events().to_vec()),
        }
    }

    async fn export(&self, format: ExportFormat) -> DataStatus {
        let events = match self.all_events().await {
            Ok(events) => events,
            Err(e) => return DataStatus::Failed(format!("Nothing was exported: {e}")),
        };
        let (text, file) = match format {
            ExportFormat::Envelopes => (export_json(&events), "cqrs-lab-events.json"),
            ExportFormat::Cosmos => (export_cosmos(&events), "cqrs-lab-cosmos-documents.json"),
        };
        match download::save(file, &text) {
            Ok(()) => DataStatus::Done(format!(
                "Exported {} event{} to {file}.",
                events.len(),
                if events.len() == 1 { "" } else { "s" }
            )),
            Err(reason) => DataStatus::Failed(format!("Nothing was exported: {reason}")),
        }
    }

    async fn import(&self, file_name: &str, text: &str) -> Msg {
        let refused = |reason: String| {
            Msg::DataAnswered(DataStatus::Failed(format!(
                "{file_name} was not imported: {reason}. Nothing stored changed."
            )))
        };
        let count = match &self.backend {
            Backend::Idb(store) => match store.import(text).await {
                Ok(Ok(count)) => {
                    self.note_write(Ok(()));
                    count
                }
                Ok(Err(e)) => return refused(e.to_string()),
                Err(e) => return refused(e.to_string()),
            },
            Backend::Memory(store) => match import_json(text) {
                Ok(events) => {
                    let count = events.len();
                    *store.borrow_mut() = MemoryStore::from_events(events);
                    count
                }
                Err(e) => return refused(e.to_string()),
            },
        };
        self.replaced(format!(
            "Imported {count} event{} from {file_name}; the previous log was replaced.",
            if count == 1 { "" } else { "s" }
        ))
        .await
    }

    async fn reset(&self) -> Msg {
        self.clear("Every event was deleted; the store is empty.".into())
            .await
    }

    /// Deletes every event and restarts on the empty store, saying `note`.
    async fn clear(&self, note: String) -> Msg {
        let cleared = match &self.backend {
            Backend::Idb(store) => store.clear().await,
            Backend::Memory(store) => {
                *store.borrow_mut() = MemoryStore::new();
                Ok(())
            }
        };
        match cleared {
            Ok(()) => {
                self.note_write(Ok(()));
                self.replaced(note).await
            }
            Err(e) => Msg::DataAnswered(DataStatus::Failed(format!("Nothing was deleted: {e}"))),
        }
    }

    /// After this tab replaced the log: restart, tell the other tabs, show it all.
    async fn replaced(&self, note: String) -> Msg {
        self.announce(REPLACED);
        self.reload(note).await
    }

    /// Reads the newest events again and restarts the engine on the store (after a
    /// replacement here or in another tab).
    pub async fn reload(&self, note: String) -> Msg {
        match self.read_tail().await {
            Ok(tail) => {
                // A reset, here or in another tab, may have made room.
                if let (true, Backend::Idb(store)) = (self.read_only.get(), &self.backend) {
                    self.note_write(store.probe_write().await.as_ref().map(|_| ()));
                }
                let dropped = self.dropped();
                self.restart(newest_time(&tail)).await;
                self.catch_up().await;
                Msg::Replaced {
                    tail,
                    note,
                    dropped,
                }
            }
            Err(e) => Msg::DataAnswered(DataStatus::Failed(format!(
                "The log changed but cannot be read: {e}"
            ))),
        }
    }

    /// The commands the session awaits that the durable queue does not keep (a
    /// script's): a replaced log drops them unhandled, said as their outcome.
    fn dropped(&self) -> Vec<Outcome> {
        let queue = self.queue.borrow();
        let Some(session) = self
            .session
            .borrow_mut()
            .as_mut()
            .map(Session::forget_pending)
        else {
            return Vec::new();
        };
        session
            .into_iter()
            .filter(|sent| {
                !queue
                    .iter()
                    .any(|q| q.command.command_id == sent.command_id)
            })
            .map(|sent| Outcome {
                command_id: sent.command_id,
                order_id: sent.order_id,
                command_name: sent.command_name,
                result: Err(Refusal::Replaced),
            })
            .collect()
    }

    /// Events stored past `after` (appended by this tab or another); none if the store
    /// cannot be read now (the next read catches up).
    pub async fn events_after(&self, after: GlobalPosition) -> Vec<SharedEvent> {
        let events = match &self.backend {
            Backend::Idb(store) => store.events_after(after).await.unwrap_or_default(),
            Backend::Memory(store) => store.borrow().read_all(after, u64::MAX).to_vec(),
        };
        self.remember(&events);
        // Another tab's events may be later in virtual time: this tab's clock follows,
        // so the log's times never run backwards. (Skipped while the engine runs.)
        if let (Some(last), Ok(mut session)) = (events.last(), self.session.try_borrow_mut()) {
            if let Some(session) = session.as_mut() {
                if let Err(blocked) = session.resume_at(last.recorded_at) {
                    // This tab has work due earlier; it runs first, at its own time.
                    web_sys::console::info_1(&JsValue::from_str(&blocked.to_string()));
                }
            }
        }
        events
    }

    fn announce(&self, what: &str) {
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_str(what));
        }
    }

    /// Listens for other tabs' announcements.
    pub fn listen(&self, on_change: impl Fn(Announcement) + 'static) -> Option<EventListener> {
        let channel = self.channel.as_ref()?;
        Some(EventListener::new(channel, "message", move |event| {
            let data = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string());
            match data.as_deref() {
                Some(REPLACED) => on_change(Announcement::Replaced),
                Some(APPENDED) => on_change(Announcement::Appended),
                _ => {}
            }
        }))
    }

    /// Runs the session's engine against the backend, as far as `run` says.
    async fn run(&self, run: Run) -> Result<(), StoreError> {
        let Some(mut session) = self.session.borrow_mut().take() else {
            return Ok(());
        };
        let result = match &self.backend {
            Backend::Idb(store) => {
                let engine = session.engine_mut();
                let ran = match run {
                    Run::ToIdle => driver::run_to_idle(engine, store, u64::MAX).await,
                    Run::Until(t) => driver::run_until(engine, store, t, TASKS_PER_FRAME).await,
                    Run::Step => driver::step(engine, store).await.map(|_| 1),
                };
                if ran.is_err() {
                    // The engine waits for an answer that will not come: restart it as
                    // a reload would, from what the store holds.
                    engine.crash();
                    engine.recover();
                }
                ran.map(|_| ())
            }
            Backend::Memory(store) => {
                let store = &mut store.borrow_mut();
                match run {
                    Run::ToIdle => run_in_memory(&mut session, store),
                    Run::Until(t) => run_until_in_memory(&mut session, store, t),
                    Run::Step => {
                        step_in_memory(&mut session, store);
                    }
                }
                Ok(())
            }
        };
        *self.session.borrow_mut() = Some(session);
        result
    }
}

fn memory(reason: String) -> (Backend, Storage) {
    (
        Backend::Memory(RefCell::new(MemoryStore::new())),
        Storage::MemoryOnly(reason),
    )
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

/// The virtual time of the newest event read (0 when none).
fn newest_time(tail: &LogTail) -> VirtualMillis {
    tail.events
        .last()
        .map_or(VirtualMillis(0), |e| e.recorded_at)
}

/// A short random token telling this tab's command ids from other tabs'.
fn tab_token() -> String {
    let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{n:08x}")
}
