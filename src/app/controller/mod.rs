//! The page's controller, without IO: the session's engine run against a `PageStore`
//! (IndexedDB in the page, memory in the native tests and when the browser offers
//! none), the durable command queue, restart and recovery, and the answers to the
//! screen's requests. The web layer only opens the store and carries the futures out;
//! the native tests drive this same controller.

mod advance;
mod data;

use super::lifecycle::PreviousClose;
use super::log_view::{LogTail, TAIL_READ};
use super::page_io::{PageHost, PageStore, StoreFailure};
use super::screen::{Recovery, Storage};
use super::session::{CommandIds, QueuedCommand, Session};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::engine::driver;
use crate::engine::knobs::Knobs;
use crate::engine::truth::StoreFold;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

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

/// Most engine tasks one frame runs: a burst at high speed spreads over frames rather
/// than freezing the page (virtual time waits for the work).
const TASKS_PER_FRAME: u64 = 400;

/// Newest events the controller keeps for the read-model checks.
const RECENT_KEPT: usize = 200;

/// The store, the host, the session and the durable queue. Requests run one at a time
/// (the page waits for each answer); methods take `&self` so the page can hold it
/// shared while a request's future runs.
pub struct Controller<S, H> {
    store: S,
    host: H,
    /// Numbers this session's commands.
    ids: RefCell<CommandIds>,
    /// Commands accepted and not yet handled, oldest first (kept in the store too).
    queue: RefCell<VecDeque<Queued>>,
    next_seq: Cell<u64>,
    /// Taken while the engine runs.
    session: RefCell<Option<Session>>,
    /// The seed new sessions draw their faults from.
    seed: Cell<u64>,
    /// The fault knobs, set on every new session too.
    knobs: Cell<Knobs>,
    /// The newest stored events read (at most `RECENT_KEPT`, oldest first): the
    /// read-model checks compare rows against them.
    recent: RefCell<VecDeque<SharedEvent>>,
    /// The fold of the stored log the read models are checked against: read once in
    /// the background after a start, then extended with every event read.
    fold: RefCell<StoreFold>,
    /// Set while the store refuses writes (its quota used up): the stored log is shown
    /// and exported, commands are tried and refused, the engine does not run on its own.
    read_only: Cell<bool>,
}

impl<S: PageStore, H: PageHost> Controller<S, H> {
    /// A controller on a store, its session's faults drawn from `seed`.
    pub fn new(store: S, host: H, seed: u64) -> Self {
        let ids = CommandIds::new(&host.token());
        Controller {
            store,
            host,
            ids: RefCell::new(ids),
            queue: RefCell::new(VecDeque::new()),
            next_seq: Cell::new(1),
            session: RefCell::new(None),
            seed: Cell::new(seed),
            knobs: Cell::new(Knobs::default()),
            recent: RefCell::new(VecDeque::new()),
            fold: RefCell::new(StoreFold::new()),
            read_only: Cell::new(false),
        }
    }

    /// The store (tests compare what it holds).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The session, to read (none while the engine runs).
    pub fn session(&self) -> std::cell::Ref<'_, Option<Session>> {
        self.session.borrow()
    }

    /// The store, the controller gone (a test's reload opens a new one on it).
    pub fn into_store(self) -> S {
        self.store
    }

    /// Puts another store in place of one that cannot be read (before `recover`).
    pub fn replace_store(&mut self, store: S) {
        self.store = store;
    }

    /// Reads the newest events the page shows (never the whole log: opening costs the
    /// same for a long log as for a short one) and whether the store takes writes
    /// (`opened`: how it was opened); `recover` then starts the engine on it.
    pub async fn open(&self, opened: Storage) -> Result<(LogTail, Storage), StoreFailure> {
        let tail = self.read_tail().await?;
        Ok((tail, self.probe(opened).await))
    }

    /// Whether the opened store takes writes: a full disk leaves the stored log
    /// readable, shown read-only.
    async fn probe(&self, opened: Storage) -> Storage {
        if !self.store.durable() {
            return opened;
        }
        let storage = match self.store.probe_write().await {
            Ok(()) => opened,
            Err(e) if e.quota => Storage::Full,
            Err(e) => Storage::ReadOnly(e.reason),
        };
        self.read_only.set(storage != Storage::Persistent);
        storage
    }

    /// Notes what a write came to: refused for lack of room, the page turns read-only;
    /// a write that succeeds makes it writable again (the user made room). Says so.
    fn note_write(&self, result: Result<(), &StoreFailure>) {
        if !self.store.durable() {
            return;
        }
        let read_only = match result {
            Ok(()) => false,
            Err(e) if e.quota => true,
            Err(_) => return,
        };
        if self.read_only.replace(read_only) != read_only {
            self.host.storage_changed(if read_only {
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
        if let Ok(queued) = self.store.queued().await {
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
        if self.store.durable() && !self.read_only.get() {
            recovery.republished = self.store.outbox_len().await.unwrap_or(0);
        }
        self.restart(newest_time(tail)).await;
        recovery.quarantined = self.store.quarantined().await;
        recovery
    }

    /// The newest events and how many the store holds.
    async fn read_tail(&self) -> Result<LogTail, StoreFailure> {
        let head = self.store.head().await?;
        let after = GlobalPosition(head.0.saturating_sub(TAIL_READ));
        let events = self.store.read_all(after, TAIL_READ).await?;
        // Appends may land after the read: counted up to what was read.
        let upto = events.last().map_or(head, |e| e.global_position);
        let count = self.store.count_upto(upto).await?;
        let tail = LogTail { events, count };
        self.recent.borrow_mut().clear();
        // The log may have been replaced: the truth is read again (`read_truth`).
        *self.fold.borrow_mut() = StoreFold::new();
        self.remember(&tail.events);
        Ok(tail)
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

    /// A fresh session on what the store holds: projections resume from their stored
    /// rows and checkpoints (one missing events the outbox will not bring again is
    /// rebuilt from the log), the clock from the newest event, and the relay publishes
    /// what the outbox still holds.
    async fn restart(&self, newest: VirtualMillis) {
        // A new token, so the new session's command ids never meet stored ones (an
        // imported log may hold this tab's earlier ids).
        let mut session = Session::seeded(&self.host.token(), self.seed.get());
        self.knobs.get().apply(session.engine_mut());
        // Commands the old session had are sent again to this one (same ids: none can
        // be applied twice).
        for q in self.queue.borrow_mut().iter_mut() {
            q.sent = false;
        }
        let stored = self.store.stored_projections().await;
        let head = self.store.head().await.unwrap_or_default();
        let oldest = self.store.oldest_unpublished().await;
        if let Err(blocked) = session.restart_on(&stored, head, oldest, newest) {
            // A new session has nothing scheduled: this would be a defect, said here.
            self.host.warn(&blocked.to_string());
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
            self.host.warn(&failure.reason);
        }
    }

    /// Takes a command into the queue, with its ids; the next run makes it durable.
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

    /// True when nothing is scheduled and no accepted command waits.
    pub fn is_idle(&self) -> bool {
        let idle = self
            .session
            .borrow()
            .as_ref()
            .is_none_or(|s| s.engine().next_due().is_none() && !s.is_waiting());
        idle && self.queue.borrow().is_empty()
    }

    /// Runs the session's engine against the store, as far as `run` says.
    async fn run(&self, run: Run) -> Result<(), StoreFailure> {
        let Some(mut session) = self.session.borrow_mut().take() else {
            return Ok(());
        };
        let engine = session.engine_mut();
        let ran = match run {
            Run::ToIdle => driver::run_to_idle(engine, &self.store, u64::MAX).await,
            Run::Until(t) => driver::run_until(engine, &self.store, t, TASKS_PER_FRAME).await,
            Run::Step => driver::step(engine, &self.store).await.map(|_| 1),
        };
        if ran.is_err() {
            // The engine waits for an answer that will not come: restart it as a
            // reload would, from what the store holds.
            engine.crash();
            engine.recover();
        }
        *self.session.borrow_mut() = Some(session);
        ran.map(|_| ())
    }
}

/// The virtual time of the newest event read (0 when none).
fn newest_time(tail: &LogTail) -> VirtualMillis {
    tail.events
        .last()
        .map_or(VirtualMillis(0), |e| e.recorded_at)
}
