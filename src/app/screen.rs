//! The order screen as an Elm-style model: state, `Msg`, and `update`. The Yew view
//! only renders a `Screen` and sends `Msg`s, so everything here is tested natively.
//! Sending a command is a side effect: `update` queues it (`take_sends`), the page's
//! controller (`app::controller`) carries it through the engine and the store, and
//! answers with `Msg::Advanced`.

use super::clock::{nothing_to_step, SimClock};
use super::confirm::Confirm;
use super::diagram::DiagramView;
use super::durability::{Durability, READ_EVERY};
use super::form::{CommandForm, CommandKind, Field, FormError};
use super::hunter::{Case, Hunt, Phase as HuntPhase};
use super::keys::Shortcut;
use super::lifecycle::PreviousClose;
use super::log_view::{LogTail, LogView, Outcome};
use super::tabs::{Node, Tab};
use super::travel::TravelView;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::CustomerId;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::domain::privacy::KeyVault;
use crate::engine::config::ProjectionMode;
use crate::engine::knobs::{Knobs, Lag};
use crate::engine::views::Stream;
use crate::store::ProjectionName;
use std::collections::VecDeque;

/// Work the user asked for that the runtime carries out (the store, the engine, a
/// download), oldest first, one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Send a command to an order.
    Send {
        /// The order.
        order_id: OrderId,
        /// The command.
        command: OrderCommand,
    },
    /// Download the event log.
    Export(ExportFormat),
    /// Replace the event log with an export file's events (checked first).
    Import {
        /// The file's name, for messages.
        file_name: String,
        /// Its text.
        text: String,
    },
    /// Delete every event and everything derived from them.
    Reset,
    /// Read the events at positions `first ..= last` (the part of the event table
    /// scrolled to).
    ReadRange {
        /// The oldest position wanted.
        first: GlobalPosition,
        /// The newest position wanted.
        last: GlobalPosition,
        /// Which log it is asked of (a log replaced meanwhile ignores the answer).
        log: u64,
    },
    /// Read an order's stream, to show its state.
    ReadStream(OrderId),
    /// Another tab replaced the log: start again on the store.
    Reload,
    /// Read the events another tab appended (after the newest shown when the request
    /// is taken: in turn with replacements, so none is missed or read into a log
    /// replaced meanwhile).
    ReadNew,
    /// Run the engine's next task (the simulation is paused).
    Step,
    /// Draw the simulation's faults from this seed from now on.
    Reseed(u64),
    /// Set the fault knobs on the engine.
    SetKnobs(Knobs),
    /// Crash the simulated system: drop its volatile state, as a reload does.
    Crash,
    /// Rebuild a projection's read model from the event store (in place).
    Rebuild(ProjectionName),
    /// Send a subscription's dead letters again.
    Resubmit(ProjectionName),
    /// Read the next batch of the log into the truth the read models are checked
    /// against (one batch a request, so other requests go between).
    ReadTruth,
    /// Read what the browser says of the store's storage; with `persist`, first ask
    /// it to keep the store from eviction.
    ReadDurability {
        /// Ask for persistent storage first.
        persist: bool,
    },
    /// Start the canned burst of commands from several simulated clients.
    RunScript,
    /// Replace the log with an empty one and load a failing case (its seed, knobs and
    /// script), paused at its start.
    LoadCase(Box<Case>),
    /// Show the system as it was at a position (with the targeted order).
    TimeTravel {
        /// The position.
        position: GlobalPosition,
        /// The order to show.
        order: Option<OrderId>,
    },
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The envelopes, as the lab stores and imports them.
    Envelopes,
    /// Cosmos DB documents (partition key `/aggregateId`).
    Cosmos,
}

/// The answer to the last export, import or reset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DataStatus {
    /// Nothing asked.
    #[default]
    Idle,
    /// Asked; the runtime is on it.
    Working(&'static str),
    /// Done, with what happened.
    Done(String),
    /// Refused or failed, with why; nothing stored changed.
    Failed(String),
}

/// Where the page keeps its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Storage {
    /// Not opened yet.
    #[default]
    Opening,
    /// IndexedDB: events survive reloads and are shared with other tabs.
    Persistent,
    /// Memory only, with the reason (IndexedDB unavailable or failing).
    MemoryOnly(String),
    /// IndexedDB holds the log but the browser's storage quota is used up: the stored
    /// log is shown and can be exported; commands are refused until there is room.
    Full,
    /// IndexedDB holds the log but refuses writes for another reason (given): shown
    /// and exportable, nothing new stored.
    ReadOnly(String),
    /// Waiting: a tab with an older version of the database holds the upgrade up.
    Blocked,
    /// Another tab opened a newer version; this tab closed its connection for it.
    Superseded,
}

/// What the page found when it started on the store a previous session left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Events committed but not yet delivered to every projection: their bus messages
    /// were lost with the page; the outbox relay published them again.
    pub republished: u64,
    /// Unreadable records set aside in the dead letters, each with its reason.
    pub quarantined: Vec<String>,
    /// Commands the durable queue kept when the page closed: sent again, same ids.
    pub requeued: u64,
    /// Events the store holds.
    pub events: u64,
    /// How the pages no longer open ended, when any left a marker.
    pub previous: Option<PreviousClose>,
}

impl Recovery {
    /// Sentences for the user, or none when there was nothing to recover.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = self.previous.as_ref().map_or_else(Vec::new, |p| {
            p.describe(self.events, self.requeued, self.republished)
        });
        // The summary of a close says these already.
        let summarized = !lines.is_empty();
        if self.republished > 0 && !summarized {
            lines.push(format!(
                "Recovered from the last session: {} event{} had not reached every projection when the page closed (their bus messages were lost); the outbox relay published {} again.",
                self.republished,
                if self.republished == 1 { "" } else { "s" },
                if self.republished == 1 { "it" } else { "them" },
            ));
        }
        if self.requeued > 0 && !summarized {
            lines.push(format!(
                "{} command{} still queued when the page closed; the durable queue kept {} and {} sent again with the same command ids, so none can be applied twice.",
                self.requeued,
                if self.requeued == 1 { " was" } else { "s were" },
                if self.requeued == 1 { "it" } else { "them" },
                if self.requeued == 1 { "it is" } else { "they are" },
            ));
        }
        if !self.quarantined.is_empty() {
            lines.push(format!(
                "{} unreadable record{} set aside in the dead letters (the rest loaded): {}",
                self.quarantined.len(),
                if self.quarantined.len() == 1 {
                    " was"
                } else {
                    "s were"
                },
                self.quarantined.join("; ")
            ));
        }
        lines
    }
}

/// Everything the screen shows.
#[derive(Debug, Default)]
pub struct Screen {
    /// The events read from the store, the streams and the command journal.
    pub log: LogView,
    /// Where events are kept.
    pub storage: Storage,
    /// What starting on the stored log recovered.
    pub recovery: Recovery,
    /// What the browser says of the store's storage (persistent or not, usage).
    pub durability: Durability,
    /// Events this page saw appended (for reading the usage again now and then).
    appended_since_start: u64,
    /// Commands waiting to be sent, oldest first.
    requests: VecDeque<Request>,
    /// The command form's text.
    pub form: CommandForm,
    /// What the last click produced.
    pub feedback: Feedback,
    /// The event whose JSON is open, if any.
    selected_event: Option<SharedEvent>,
    /// The answer to the last export, import or reset.
    pub data: DataStatus,
    /// The question waiting for the user's answer, if any (one at a time).
    pub confirming: Option<Confirm>,
    /// Events read for the part of the event table scrolled to, beyond the newest
    /// ones the log view holds: contiguous, oldest first.
    window: Vec<SharedEvent>,
    /// The positions being read for the table.
    reading_range: Option<(GlobalPosition, GlobalPosition)>,
    /// Counts the logs this page has shown (each import, reset or replacement starts
    /// a new one).
    log_generation: u64,
    /// The view shown below the diagram.
    pub tab: Tab,
    /// The element to bring into view and focus once the page is drawn (a diagram
    /// node opened its details).
    pub focus: Option<String>,
    /// Presenter mode: large type and thick lines for a projector.
    pub presenter: bool,
    /// The list of keyboard shortcuts is open.
    pub help_open: bool,
    /// The order whose stream is being read.
    reading_stream: Option<OrderId>,
    /// Playing or paused, speed and seed.
    pub clock: SimClock,
    /// The architecture diagram as the engine last reported it.
    pub diagram: Option<DiagramView>,
    /// The fault knobs.
    pub knobs: Knobs,
    /// What the last crash lost and kept.
    pub crash_report: Option<String>,
    /// The position the "Time travel" slider is at (`None`: now).
    pub travel_to: Option<GlobalPosition>,
    /// The system as it was there, once read.
    pub travel: Option<TravelView>,
    /// Each projection's lag over the last moments, oldest first (at most
    /// `LAG_SAMPLES`).
    pub lag: VecDeque<LagSample>,
    /// The counterexample hunt, running or with its result.
    pub hunt: Option<Hunt>,
    /// What became of the last hunt that was cancelled or loaded.
    pub hunt_note: Option<String>,
    /// The customers' keys (kept apart from the event log; the page stores them).
    pub vault: KeyVault,
    /// True once the stored vault was read.
    pub vault_loaded: bool,
    /// True when the vault changed and should be stored.
    vault_dirty: bool,
    /// What the last forgetting did, or why the vault could not be read.
    pub privacy_note: Option<String>,
}

/// Seeds one hunt tries.
pub const HUNT_SEEDS: u64 = 500;
/// Runs a hunt makes per frame.
pub const HUNT_RUNS_PER_FRAME: u32 = 3;

/// Lag samples kept for the chart.
pub const LAG_SAMPLES: usize = 120;

/// How far each projection was behind at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagSample {
    /// Virtual time.
    pub at: VirtualMillis,
    /// Per projection (`ProjectionName::ALL` order): events stored but not applied...
    pub events: [u64; 3],
    /// ...and virtual ms since the oldest of them was recorded (when the page holds it).
    pub ms: [Option<u64>; 3],
}

pub use super::log_view::{EVENTS_PER_PAGE, STREAMS_LISTED};

/// The id of the dialog that lists the keyboard shortcuts.
pub const SHORTCUTS_DIALOG: &str = "shortcuts-dialog";

/// Most events read at once for the part of the event table scrolled to.
pub const WINDOW_READ: u64 = 300;

/// The answer to the last command click.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Feedback {
    /// Nothing sent yet.
    #[default]
    Idle,
    /// A command is on its way through the engine.
    Sending(&'static str),
    /// The form could not be read; no command was sent.
    Invalid(FormError),
    /// The command was handled: accepted or rejected.
    Handled(Outcome),
}

/// What the user did. Past tense, so it never reads like a domain command or event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Typed into a field.
    EditedField(Field, String),
    /// Clicked a command button.
    ClickedCommand(CommandKind),
    /// Clicked an order in the list of streams: the form now targets it.
    ClickedStream(OrderId),
    /// Clicked an event's JSON button: opens it, or closes it if it was open.
    ClickedEvent(GlobalPosition),
    /// The store was opened (or not): where events are kept now.
    StorageOpened(Storage),
    /// Starting on the stored log recovered this.
    Recovered(Recovery),
    /// The newest events were read at startup.
    TailRead(LogTail),
    /// Events appeared in the store (appended by this tab or another).
    EventsRead(Vec<SharedEvent>),
    /// The event table was scrolled: it shows positions `first ..= last`.
    ScrolledEvents {
        /// The oldest position shown.
        first: GlobalPosition,
        /// The newest position shown.
        last: GlobalPosition,
    },
    /// Events asked for by the event table were read.
    RangeRead {
        /// The oldest position asked for.
        first: GlobalPosition,
        /// Which log it was asked of.
        log: u64,
        /// The events, oldest first.
        events: Vec<SharedEvent>,
    },
    /// Chose a view below the diagram.
    ChoseTab(Tab),
    /// Moved along the tab list with the keyboard: the tab reached opens and takes
    /// the focus.
    MovedTab(Tab),
    /// Clicked a part of the architecture diagram: its details open.
    ClickedNode(Node),
    /// Pressed a keyboard shortcut (or clicked its button).
    PressedShortcut(Shortcut),
    /// An order's stream was read.
    StreamRead {
        /// The order.
        order_id: OrderId,
        /// Its folded state and version.
        stream: Stream,
    },
    /// Clicked an export button.
    ClickedExport(ExportFormat),
    /// Chose a file to import (its text is read).
    ChoseImportFile {
        /// The file's name.
        name: String,
        /// Its text.
        text: String,
    },
    /// Clicked "Reset": asks for confirmation.
    ClickedReset,
    /// Confirmed the reset.
    ConfirmedReset,
    /// Kept the events after all.
    CancelledReset,
    /// The log was replaced (import, reset, or another tab did either).
    Replaced {
        /// The newest events of the new log.
        tail: LogTail,
        /// What happened, for the user.
        note: String,
        /// Commands under way that the replacement dropped unhandled (a script's).
        dropped: Vec<Outcome>,
    },
    /// Another tab replaced the log (an import or a reset): the page starts again on
    /// the store once the work under way is done.
    OtherTabReplaced,
    /// Another tab appended: its events are read once the work under way is done.
    OtherTabAppended,
    /// An export, import or reset finished without replacing the log.
    DataAnswered(DataStatus),
    /// Clicked "Play".
    ClickedPlay,
    /// Clicked "Pause".
    ClickedPause,
    /// Clicked "Step".
    ClickedStep,
    /// Moved the "Speed" slider to this position.
    ChoseSpeed(usize),
    /// Typed into the "Seed" field.
    EditedSeed(String),
    /// Moved the "Duplicate rate" slider (percent).
    ChoseDuplicateRate(u32),
    /// Chose a "Delivery lag".
    ChoseLag(Lag),
    /// Ticked or cleared "Reorder".
    ToggledReorder(bool),
    /// Ticked or cleared "Outbox".
    ToggledOutbox(bool),
    /// Chose the projection to fail ("Fail projection"), or none.
    ChoseFailing(Option<ProjectionName>),
    /// Ticked or cleared "Azure profile": every knob to Azure's defaults, or back to
    /// the lab's.
    ToggledAzureProfile(bool),
    /// Chose how often the handlers save a snapshot ("Snapshot every").
    ChoseSnapshotEvery(u64),
    /// Clicked "Crash".
    ClickedCrash,
    /// Clicked "Run script".
    ClickedRunScript,
    /// The stored key vault (its text), if any, and a random seed for new keys.
    VaultRead {
        /// The stored vault.
        file: Option<String>,
        /// Seed for keys made from now on.
        seed: u64,
    },
    /// Clicked "Forget customer".
    ClickedForget,
    /// Confirmed forgetting the customer.
    ConfirmedForget,
    /// Cancelled it.
    CancelledForget,
    /// Clicked "Find a failure".
    ClickedFindFailure,
    /// A frame passed while a hunt runs.
    HuntTick,
    /// Clicked "Cancel" on a running hunt, or "Close" on its result.
    ClickedStopHunt,
    /// Clicked "Load the failing case".
    ClickedLoadCase,
    /// Confirmed loading the failing case (it replaces the stored events).
    ConfirmedLoadCase,
    /// Cancelled loading it.
    CancelledLoadCase,
    /// Clicked "Deploy schema v2".
    ClickedDeployV2,
    /// Ticked or cleared "Upcaster".
    ToggledUpcaster(bool),
    /// Ticked or cleared a projection's "Idempotent".
    ToggledIdempotent(ProjectionName, bool),
    /// Clicked a projection's "Rebuild".
    ClickedRebuild(ProjectionName),
    /// Clicked "Resubmit" on a subscription's dead letters.
    ClickedResubmit(ProjectionName),
    /// Moved the "Time travel" slider to a position.
    ChoseTravel(u64),
    /// Clicked "Back to now".
    ClickedNow,
    /// The system as it was at a position.
    Travelled(TravelView),
    /// The simulated system crashed and recovered: what it lost and kept.
    Crashed(String),
    /// Step found nothing scheduled: nothing ran (`deferred`: deliveries set aside,
    /// waiting for earlier events).
    SteppedIdle {
        /// Deliveries deferred.
        deferred: u64,
    },
    /// A batch of the log was read into the truth; `complete` once all of it is.
    TruthRead {
        /// The whole log is read.
        complete: bool,
    },
    /// What the browser says of the store's storage.
    DurabilityRead(Durability),
    /// The engine ran for a while (a frame, or a step): what it reached.
    Advanced {
        /// Outcomes of commands, in the order they were sent.
        outcomes: Vec<Outcome>,
        /// New events in the store.
        events: Vec<SharedEvent>,
        /// True while sent commands still wait for their outcome.
        waiting: bool,
        /// The diagram now.
        diagram: DiagramView,
    },
}

impl Screen {
    /// Takes back the question waiting, if `which` says it is that one.
    fn withdraw(&mut self, which: impl FnOnce(&Confirm) -> bool) {
        self.confirming.take_if(|c| which(c));
    }

    /// The command a button sends, with the typed name and address sealed under the
    /// customer's key (so plaintext never reaches a request, the queue or the log).
    fn build_sealed(&mut self, kind: CommandKind) -> Result<(OrderId, OrderCommand), FormError> {
        let (order_id, mut command) = self.form.build(kind)?;
        if let OrderCommand::CreateOrder {
            customer_id,
            personal,
            ..
        } = &mut command
        {
            if let Some(plain) = self.form.personal()? {
                let sealed = self
                    .vault
                    .seal(customer_id, &plain)
                    .map_err(|e| FormError {
                        field: Field::CustomerName,
                        problem: format!("cannot be taken: {e}"),
                    })?;
                *personal = Some(sealed);
                self.vault_dirty = true;
            }
        }
        Ok((order_id, command))
    }

    /// True once after each change of the vault: time to store it.
    pub fn take_vault_change(&mut self) -> bool {
        std::mem::take(&mut self.vault_dirty)
    }

    /// Applies one user action; then asks for the targeted order's stream if it is
    /// not held.
    pub fn update(&mut self, msg: Msg) {
        self.apply(msg);
        self.want_target_stream();
    }

    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::EditedField(field, text) => {
                self.form.set(field, text);
                if matches!(&self.feedback, Feedback::Invalid(e) if e.field == field) {
                    self.feedback = Feedback::Idle;
                }
            }
            Msg::VaultRead { file, seed } => {
                if !self.vault_loaded {
                    self.vault = KeyVault::new(seed);
                    self.vault_loaded = true;
                }
                let read = file.map(|text| self.vault.merge(&text).map_err(|e| e.to_string()));
                if let Some(Err(why)) = read {
                    self.privacy_note = Some(format!(
                        "The key vault could not be read ({why}): personal data sealed earlier cannot be opened here."
                    ));
                }
            }
            Msg::ClickedForget => {
                self.feedback = match CustomerId::parse(self.form.get(Field::CustomerId)) {
                    Ok(customer) => {
                        self.confirming = Some(Confirm::Forget(customer));
                        Feedback::Idle
                    }
                    Err(e) => Feedback::Invalid(FormError {
                        field: Field::CustomerId,
                        problem: e.to_string(),
                    }),
                };
            }
            Msg::CancelledForget => self.withdraw(|c| matches!(c, Confirm::Forget(_))),
            Msg::ConfirmedForget => {
                if let Some(Confirm::Forget(customer)) =
                    self.confirming.take_if(|c| matches!(c, Confirm::Forget(_)))
                {
                    let had = self.vault.forget(&customer);
                    self.vault_dirty = true;
                    self.privacy_note = Some(if had {
                        format!("Forgot {customer}: their key is deleted. Their name and address now read [erased] everywhere — the log, the read models, exports and backups — while every event stays as it was.")
                    } else {
                        format!("{customer} had no personal data in this browser; they are marked forgotten, so none will be taken for them.")
                    });
                }
            }
            Msg::ClickedCommand(kind) => {
                self.feedback = match self.build_sealed(kind) {
                    Ok((order_id, command)) => {
                        let name = command.name();
                        self.requests.push_back(Request::Send { order_id, command });
                        Feedback::Sending(name)
                    }
                    Err(error) => Feedback::Invalid(error),
                };
            }
            Msg::StorageOpened(storage) => {
                if storage == Storage::Persistent {
                    self.requests
                        .push_back(Request::ReadDurability { persist: false });
                }
                self.storage = storage;
            }
            Msg::DurabilityRead(read) => {
                self.durability = Durability {
                    asked: self.durability.asked || read.asked,
                    ..read
                };
            }
            Msg::ScrolledEvents { first, last } => self.want_range(first, last),
            Msg::RangeRead { first, log, events } => {
                // An answer about a log replaced meanwhile changes nothing.
                if log != self.log_generation {
                    return;
                }
                if self.reading_range.is_some_and(|(asked, _)| asked == first) {
                    self.reading_range = None;
                }
                let contiguous = events
                    .windows(2)
                    .all(|w| w[1].global_position == w[0].global_position.next());
                let starts = events.first().is_some_and(|e| e.global_position == first);
                let known = events
                    .last()
                    .is_some_and(|e| e.global_position <= self.log.head());
                if starts && contiguous && known {
                    self.window = events;
                }
            }
            Msg::ChoseTab(tab) => self.tab = tab,
            Msg::MovedTab(tab) => {
                self.tab = tab;
                self.focus = Some(tab.tab_id());
            }
            Msg::PressedShortcut(shortcut) => self.shortcut(shortcut),
            Msg::ClickedNode(node) => {
                let (tab, focus) = node.details();
                self.tab = tab;
                self.focus = Some(focus);
            }
            Msg::StreamRead { order_id, stream } => {
                if self.reading_stream.as_ref() == Some(&order_id) {
                    self.reading_stream = None;
                }
                self.log.put_stream(order_id, stream);
            }
            Msg::TailRead(tail) => {
                self.log = LogView::from_tail(tail, self.knobs.snapshot_every);
                self.forget_window();
                self.requests.push_back(Request::ReadTruth);
            }
            Msg::TruthRead { complete } => {
                if !complete {
                    self.requests.push_back(Request::ReadTruth);
                }
            }
            Msg::Recovered(recovery) => self.recovery = recovery,
            Msg::ClickedExport(format) => {
                self.requests.push_back(Request::Export(format));
                self.data = DataStatus::Working("Exporting the event log…");
            }
            Msg::ChoseImportFile { name, text } => {
                self.requests.push_back(Request::Import {
                    file_name: name,
                    text,
                });
                self.data = DataStatus::Working("Checking every record of the file…");
            }
            Msg::ClickedReset => self.confirming = Some(Confirm::Reset),
            Msg::CancelledReset => self.withdraw(|c| *c == Confirm::Reset),
            Msg::ConfirmedReset => {
                if self.confirming.take_if(|c| *c == Confirm::Reset).is_none() {
                    return;
                }
                self.requests.push_back(Request::Reset);
                self.data = DataStatus::Working("Deleting every event…");
            }
            Msg::Replaced {
                tail,
                note,
                dropped,
            } => {
                self.requests.push_back(Request::ReadTruth);
                self.travel_to = None;
                self.travel = None;
                self.log = LogView::from_tail(tail, self.knobs.snapshot_every);
                self.forget_window();
                self.reading_stream = None;
                self.selected_event = None;
                self.feedback = Feedback::Idle;
                self.data = DataStatus::Done(note);
                // Said where the command was sent from, not only in the data panel.
                self.reached(dropped, Vec::new(), false);
            }
            Msg::DataAnswered(status) => self.data = status,
            Msg::OtherTabReplaced => {
                if !self.requests.contains(&Request::Reload) {
                    self.requests.push_back(Request::Reload);
                }
            }
            Msg::OtherTabAppended => {
                if !self.requests.contains(&Request::ReadNew) {
                    self.requests.push_back(Request::ReadNew);
                }
            }
            Msg::EventsRead(events) => self.log.absorb(events),
            Msg::Advanced {
                outcomes,
                events,
                waiting,
                diagram,
            } => {
                self.clock.now = diagram.now;
                self.reached(outcomes, events, waiting);
                self.sample_lag(&diagram);
                self.diagram = Some(diagram);
            }
            Msg::ClickedPlay => {
                self.clock.playing = true;
                self.clock.note = None;
            }
            Msg::ClickedPause => self.clock.playing = false,
            Msg::SteppedIdle { deferred } => self.clock.note = Some(nothing_to_step(deferred)),
            Msg::ClickedStep => {
                self.clock.playing = false;
                self.clock.note = None;
                self.requests.push_back(Request::Step);
            }
            Msg::ChoseSpeed(index) => self.clock.set_speed(index),
            Msg::ChoseDuplicateRate(percent) => {
                self.set_knobs(Knobs {
                    duplicate_percent: percent.min(100),
                    ..self.knobs
                });
            }
            Msg::ChoseLag(lag) => self.set_knobs(Knobs { lag, ..self.knobs }),
            Msg::ToggledReorder(reorder) => self.set_knobs(Knobs {
                reorder,
                ..self.knobs
            }),
            Msg::ToggledOutbox(outbox) => self.set_knobs(Knobs {
                outbox,
                ..self.knobs
            }),
            Msg::ChoseFailing(failing) => self.set_knobs(Knobs {
                failing,
                ..self.knobs
            }),
            Msg::ToggledAzureProfile(on) => {
                // Deployments (schema v2, the upcaster) are not knobs: they stay.
                let base = if on { Knobs::azure() } else { Knobs::default() };
                self.set_knobs(Knobs {
                    schema_v2: self.knobs.schema_v2,
                    upcaster: self.knobs.upcaster,
                    ..base
                });
            }
            Msg::ChoseSnapshotEvery(every) => self.set_knobs(Knobs {
                snapshot_every: every.max(1),
                ..self.knobs
            }),
            Msg::ClickedCrash => self.requests.push_back(Request::Crash),
            Msg::ClickedRunScript => {
                self.requests.push_back(Request::RunScript);
                self.feedback = Feedback::Sending("A script");
            }
            Msg::ClickedFindFailure => {
                self.hunt = Some(Hunt::new(self.knobs, self.clock.seed, HUNT_SEEDS));
                self.withdraw(|c| *c == Confirm::LoadCase);
                self.hunt_note = None;
            }
            Msg::HuntTick => {
                if let Some(hunt) = self.hunt.as_mut() {
                    hunt.work(HUNT_RUNS_PER_FRAME);
                }
            }
            Msg::ClickedStopHunt => {
                self.withdraw(|c| *c == Confirm::LoadCase);
                if let Some(hunt) = self.hunt.take().filter(|h| !h.is_done()) {
                    let (tried, of) = hunt.progress();
                    self.hunt_note = Some(format!(
                        "Cancelled after {tried} of {of} seeds{}.",
                        if matches!(hunt.phase(), HuntPhase::Shrinking { .. }) {
                            ", while shrinking a failure it had found"
                        } else {
                            ": no failure so far"
                        }
                    ));
                }
            }
            Msg::ClickedLoadCase => self.confirming = Some(Confirm::LoadCase),
            Msg::CancelledLoadCase => self.withdraw(|c| *c == Confirm::LoadCase),
            Msg::ConfirmedLoadCase => {
                if self
                    .confirming
                    .take_if(|c| *c == Confirm::LoadCase)
                    .is_none()
                {
                    return;
                }
                let found = self.hunt.as_ref().and_then(|h| match h.phase() {
                    HuntPhase::Found { shrunk, .. } => Some(shrunk.clone()),
                    _ => None,
                });
                if let Some(case) = found {
                    self.knobs = case.knobs;
                    self.clock.seed = case.seed;
                    self.clock.seed_text = case.seed.to_string();
                    self.clock.seed_error = None;
                    self.clock.playing = false;
                    self.hunt_note = Some(format!(
                        "Loaded the failing case: seed {}, {} command(s), paused at its start. Press Step or Play and watch: {}",
                        case.seed,
                        case.script.len(),
                        case.broken
                    ));
                    self.hunt = None;
                    self.data = DataStatus::Working("Loading the failing case…");
                    self.requests.push_back(Request::LoadCase(Box::new(case)));
                }
            }
            Msg::ClickedDeployV2 => self.set_knobs(Knobs {
                schema_v2: true,
                ..self.knobs
            }),
            Msg::ToggledUpcaster(upcaster) => self.set_knobs(Knobs {
                upcaster,
                ..self.knobs
            }),
            Msg::ToggledIdempotent(name, on) => {
                let mode = if on {
                    ProjectionMode::Idempotent
                } else {
                    ProjectionMode::Naive
                };
                self.set_knobs(self.knobs.with_mode(name, mode));
            }
            Msg::ClickedRebuild(name) => self.requests.push_back(Request::Rebuild(name)),
            Msg::ClickedResubmit(name) => self.requests.push_back(Request::Resubmit(name)),
            Msg::ChoseTravel(position) => {
                let position = GlobalPosition(position.min(self.log.head().0));
                self.travel_to = Some(position);
                self.requests
                    .retain(|r| !matches!(r, Request::TimeTravel { .. }));
                self.requests.push_back(Request::TimeTravel {
                    position,
                    order: self.target_order(),
                });
            }
            Msg::ClickedNow => {
                self.travel_to = None;
                self.travel = None;
                self.requests
                    .retain(|r| !matches!(r, Request::TimeTravel { .. }));
            }
            Msg::Travelled(view) => {
                // Only the answer for where the slider still is.
                if self.travel_to == Some(view.position) {
                    self.travel = Some(view);
                }
            }
            Msg::Crashed(report) => self.crash_report = Some(report),
            Msg::EditedSeed(text) => {
                if let Some(seed) = self.clock.set_seed_text(text) {
                    self.requests.retain(|r| !matches!(r, Request::Reseed(_)));
                    self.requests.push_back(Request::Reseed(seed));
                }
            }
            Msg::ClickedStream(order_id) => {
                self.update(Msg::EditedField(
                    Field::OrderId,
                    order_id.as_str().to_owned(),
                ));
            }
            Msg::ClickedEvent(position) => {
                let open = self.selected_event.as_ref().map(|e| e.global_position);
                self.selected_event = if open == Some(position) {
                    None
                } else {
                    self.event_at(position).cloned()
                };
            }
        }
    }

    fn shortcut(&mut self, shortcut: Shortcut) {
        match shortcut {
            Shortcut::PlayPause if self.clock.playing => self.apply(Msg::ClickedPause),
            Shortcut::PlayPause => self.apply(Msg::ClickedPlay),
            Shortcut::Step => self.apply(Msg::ClickedStep),
            Shortcut::BackInTime => {
                let from = self.travel_to.unwrap_or(self.log.head()).0;
                self.tab = Tab::TimeTravel;
                if from > 1 {
                    self.apply(Msg::ChoseTravel(from - 1));
                }
            }
            Shortcut::ToggleHelp => {
                self.help_open = !self.help_open;
                if self.help_open {
                    self.focus = Some(SHORTCUTS_DIALOG.to_owned());
                }
            }
            Shortcut::CloseHelp => self.help_open = false,
            Shortcut::TogglePresenter => self.presenter = !self.presenter,
            // Steps belong to a scenario; the workbench has none.
            Shortcut::JumpToStep(_) => {}
        }
    }

    /// The order the form targets, if its id field holds a valid id.
    pub fn target_order(&self) -> Option<OrderId> {
        OrderId::parse(self.form.get(Field::OrderId)).ok()
    }

    /// Records how far each projection is behind now (events, and ms when the oldest
    /// unapplied event is among those the page holds).
    fn sample_lag(&mut self, diagram: &DiagramView) {
        let head = self.log.head().0;
        let mut sample = LagSample {
            at: diagram.now,
            events: [0; 3],
            ms: [None; 3],
        };
        for (i, lane) in diagram.lanes.iter().take(3).enumerate() {
            let behind = head.saturating_sub(lane.checkpoint.0);
            sample.events[i] = behind;
            sample.ms[i] = if behind == 0 {
                Some(0)
            } else {
                self.log
                    .tail()
                    .iter()
                    .find(|e| e.global_position > lane.checkpoint)
                    .map(|e| diagram.now.0.saturating_sub(e.recorded_at.0))
            };
        }
        if self.lag.back().is_some_and(|last| last.at == sample.at) {
            self.lag.pop_back();
        }
        if self.lag.len() == LAG_SAMPLES {
            self.lag.pop_front();
        }
        self.lag.push_back(sample);
    }

    /// Changes the fault knobs and asks the runtime to apply them (the newest wins).
    fn set_knobs(&mut self, knobs: Knobs) {
        self.knobs = knobs;
        self.log.set_snapshot_every(knobs.snapshot_every);
        self.requests.retain(|r| !matches!(r, Request::SetKnobs(_)));
        self.requests.push_back(Request::SetKnobs(knobs));
    }

    /// Takes in what the engine reached: new events, then outcomes (journalled; the
    /// last one shown unless a later command still waits for its own, or the form
    /// refused the user's latest click: that answer stays until they act again).
    fn reached(&mut self, outcomes: Vec<Outcome>, events: Vec<SharedEvent>, waiting: bool) {
        self.note_appended(events.len() as u64);
        self.log.absorb(events);
        let last = outcomes.last().cloned();
        for outcome in outcomes {
            self.log.record(outcome);
        }
        let form_refused = matches!(self.feedback, Feedback::Invalid(_));
        if let Some(last) = last.filter(|_| !waiting && !form_refused) {
            self.feedback = Feedback::Handled(last);
        }
    }

    /// After an append: asks the browser once to keep the store from eviction, and
    /// reads the usage again every `READ_EVERY` events.
    fn note_appended(&mut self, appended: u64) {
        if appended == 0 || self.storage != Storage::Persistent {
            return;
        }
        let before = self.appended_since_start;
        self.appended_since_start += appended;
        if self.durability.should_ask() {
            self.durability.asked = true;
            self.requests
                .push_back(Request::ReadDurability { persist: true });
        } else if before / READ_EVERY != self.appended_since_start / READ_EVERY {
            self.requests
                .push_back(Request::ReadDurability { persist: false });
        }
    }

    /// Asks for the targeted order's stream when it is not held (once at a time).
    fn want_target_stream(&mut self) {
        let Some(target) = self.target_order() else {
            return;
        };
        if self.log.stream(&target).is_some() || self.reading_stream.as_ref() == Some(&target) {
            return;
        }
        self.requests.push_back(Request::ReadStream(target.clone()));
        self.reading_stream = Some(target);
    }

    /// The event whose JSON is open, if any.
    pub fn selected_event(&self) -> Option<&SharedEvent> {
        self.selected_event.as_ref()
    }

    /// The event at a position, if the page holds it (among the newest, or in the
    /// part of the table scrolled to).
    pub fn event_at(&self, position: GlobalPosition) -> Option<&SharedEvent> {
        let tail = self.log.tail();
        if let Ok(i) = tail.binary_search_by_key(&position, |e| e.global_position) {
            return tail.get(i);
        }
        self.window
            .binary_search_by_key(&position, |e| e.global_position)
            .ok()
            .and_then(|i| self.window.get(i))
    }

    /// The event table shows `first ..= last`: reads the events the page does not hold
    /// (with a margin either side, so a little more scrolling needs no read), unless
    /// they are being read already.
    fn want_range(&mut self, first: GlobalPosition, last: GlobalPosition) {
        let head = self.log.head();
        let (first, last) = (first.max(GlobalPosition(1)), last.min(head));
        if first > last {
            return;
        }
        let held = |p: GlobalPosition| self.event_at(p).is_some();
        if held(first) && held(last) {
            return;
        }
        if self
            .reading_range
            .is_some_and(|(from, to)| from <= first && last <= to)
        {
            return;
        }
        let span = last.0 - first.0 + 1;
        let margin = WINDOW_READ.saturating_sub(span) / 2;
        let from = GlobalPosition(first.0.saturating_sub(margin).max(1));
        let to = GlobalPosition((from.0 + WINDOW_READ.max(span) - 1).min(head.0));
        self.requests
            .retain(|r| !matches!(r, Request::ReadRange { .. }));
        self.requests.push_back(Request::ReadRange {
            first: from,
            last: to,
            log: self.log_generation,
        });
        self.reading_range = Some((from, to));
    }

    /// A new log (read at startup, imported, reset, or replaced by another tab):
    /// events read for the old one are let go, answers about it ignored.
    fn forget_window(&mut self) {
        self.window.clear();
        self.reading_range = None;
        self.log_generation += 1;
        self.requests
            .retain(|r| !matches!(r, Request::ReadRange { .. }));
    }

    /// The orders listed as buttons, by id, with their versions: the most recently
    /// changed ones; and whether there may be more.
    pub fn listed_streams(&self) -> (Vec<(&OrderId, StreamVersion)>, bool) {
        let mut recent: Vec<(&OrderId, StreamVersion)> = self
            .log
            .recent_streams()
            .map(|(id, version)| (id, *version))
            .collect();
        recent.sort_unstable(); // ids are unique
        let more = recent.len() == STREAMS_LISTED;
        (recent, more)
    }

    /// The oldest request waiting, handed to the runtime.
    pub fn take_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }

    /// Every command waiting to be sent, oldest first (the runtime queues them at
    /// once); other requests stay.
    pub fn take_sends(&mut self) -> Vec<(OrderId, OrderCommand)> {
        let mut sends = Vec::new();
        self.requests.retain(|r| match r {
            Request::Send { order_id, command } => {
                sends.push((order_id.clone(), command.clone()));
                false
            }
            _ => true,
        });
        sends
    }

    /// The form error for a field, if the last click failed on it.
    pub fn field_error(&self, field: Field) -> Option<&FormError> {
        match &self.feedback {
            Feedback::Invalid(error) if error.field == field => Some(error),
            _ => None,
        }
    }
}
