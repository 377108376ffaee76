//! The workbench screen as an Elm-style model, composed of parts: the controls
//! (clock, knobs, the engine's diagram), the event table, the hunt, privacy, time
//! travel and the log's data each keep their own state, messages and update; the
//! screen holds what they share (the log view, the command form, the one question
//! asked at a time, the requests) and its update only routes. The Yew view renders a
//! `Screen` and sends `Msg`s, so everything here is tested natively. Work on the store
//! or the engine is a request (`take_request`, `take_sends`) the page's controller
//! (`app::controller`) carries out and answers with a message.

mod controls;
mod data;
mod hunting;
mod privacy;
mod request;
mod table;
mod time_travel;

pub use super::log_view::{EVENTS_PER_PAGE, STREAMS_LISTED};
pub use controls::{Controls, ControlsMsg, LagSample, LAG_SAMPLES};
pub use data::{Data, DataMsg};
pub use hunting::{HuntMsg, Hunting, HUNT_RUNS_PER_FRAME, HUNT_SEEDS};
pub use privacy::{Privacy, PrivacyMsg};
pub use request::{DataStatus, ExportFormat, Feedback, Recovery, Request, Requests, Storage};
pub use table::{Table, TableMsg, WINDOW_READ};
pub use time_travel::{TimeTravel, TravelMsg};

use super::component::Component;
use super::confirm::Confirm;
use super::diagram::DiagramView;
use super::form::{CommandForm, CommandKind, Field, FormError};
use super::keys::Shortcut;
use super::log_view::{LogTail, LogView, Outcome};
use super::tabs::Tab;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion};
use crate::domain::order::OrderCommand;
use crate::engine::views::Stream;

/// The id of the dialog that lists the keyboard shortcuts.
pub const SHORTCUTS_DIALOG: &str = "shortcuts-dialog";

/// Everything the screen shows.
#[derive(Debug, Default)]
pub struct Screen {
    /// The events read from the store, the streams and the command journal.
    pub log: LogView,
    /// The command form's text.
    pub form: CommandForm,
    /// What the last click produced.
    pub feedback: Feedback,
    /// The question waiting for the user's answer, if any (one at a time).
    pub confirming: Option<Confirm>,
    /// Work waiting for the controller, oldest first.
    requests: Requests,
    /// The order whose stream is being read.
    reading_stream: Option<OrderId>,
    /// The view shown below the diagram.
    pub tab: Tab,
    /// The element to bring into view and focus once the page is drawn (a diagram
    /// node opened its details).
    pub focus: Option<String>,
    /// Presenter mode: large type and thick lines for a projector.
    pub presenter: bool,
    /// The list of keyboard shortcuts is open.
    pub help_open: bool,
    /// Clock, knobs, and what the engine reported.
    pub controls: Controls,
    /// The event table's window and open event.
    pub table: Table,
    /// The counterexample hunt.
    pub hunting: Hunting,
    /// The customers' key vault.
    pub privacy: Privacy,
    /// Time travel.
    pub travel: TimeTravel,
    /// Storage, recovery, export, import and reset.
    pub data: Data,
}

/// What the user did, or what the controller answered. Past tense, so it never reads
/// like a domain command or event. A part's messages go to that part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// For the controls.
    Controls(ControlsMsg),
    /// For the event table.
    Table(TableMsg),
    /// For the hunt.
    Hunt(HuntMsg),
    /// For privacy.
    Privacy(PrivacyMsg),
    /// For time travel.
    Travel(TravelMsg),
    /// For the log's data.
    Data(DataMsg),
    /// Typed into a field.
    EditedField(Field, String),
    /// Clicked a command button.
    ClickedCommand(CommandKind),
    /// Clicked "Run script".
    ClickedRunScript,
    /// Closed the line saying how the last command went.
    DismissedFeedback,
    /// Clicked an order in the list of streams: the form now targets it.
    ClickedStream(OrderId),
    /// The newest events were read at startup.
    TailRead(LogTail),
    /// Events appeared in the store (appended by this tab or another).
    EventsRead(Vec<SharedEvent>),
    /// An order's stream was read.
    StreamRead {
        /// The order.
        order_id: OrderId,
        /// Its folded state and version.
        stream: Stream,
    },
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
    /// A batch of the log was read into the truth; `complete` once all of it is.
    TruthRead {
        /// The whole log is read.
        complete: bool,
    },
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
    /// Chose a view below the diagram.
    ChoseTab(Tab),
    /// Moved along the tab list with the keyboard: the tab reached opens and takes
    /// the focus.
    MovedTab(Tab),
    /// Clicked a part of the architecture diagram: its details open.
    ClickedComponent(Component),
    /// Pressed a keyboard shortcut (or clicked its button).
    PressedShortcut(Shortcut),
}

impl From<ControlsMsg> for Msg {
    fn from(msg: ControlsMsg) -> Self {
        Msg::Controls(msg)
    }
}

impl From<TableMsg> for Msg {
    fn from(msg: TableMsg) -> Self {
        Msg::Table(msg)
    }
}

impl From<HuntMsg> for Msg {
    fn from(msg: HuntMsg) -> Self {
        Msg::Hunt(msg)
    }
}

impl From<PrivacyMsg> for Msg {
    fn from(msg: PrivacyMsg) -> Self {
        Msg::Privacy(msg)
    }
}

impl From<TravelMsg> for Msg {
    fn from(msg: TravelMsg) -> Self {
        Msg::Travel(msg)
    }
}

impl From<DataMsg> for Msg {
    fn from(msg: DataMsg) -> Self {
        Msg::Data(msg)
    }
}

impl Screen {
    /// Applies one message; then asks for the targeted order's stream if it is not
    /// held.
    pub fn update(&mut self, msg: impl Into<Msg>) {
        self.apply(msg.into());
        self.want_target_stream();
    }

    /// Routes a part's message to the part, and carries out the screen's own.
    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Controls(msg) => {
                if let Some(knobs) = self.controls.update(msg, &mut self.requests) {
                    self.log.set_snapshot_every(knobs.snapshot_every);
                }
            }
            Msg::Table(msg) => self.table.update(msg, &self.log, &mut self.requests),
            Msg::Hunt(msg) => {
                let from = (self.controls.knobs, self.controls.clock.seed);
                if let Some(case) = self.hunting.update(msg, from, &mut self.confirming) {
                    self.load_case(case);
                }
            }
            Msg::Privacy(msg) => {
                let (form, feedback) = (&self.form, &mut self.feedback);
                self.privacy
                    .update(msg, form, feedback, &mut self.confirming);
            }
            Msg::Travel(msg) => {
                let at = (self.log.head(), self.target_order());
                self.travel.update(msg, at, &mut self.requests);
            }
            Msg::Data(msg) => self
                .data
                .update(msg, &mut self.requests, &mut self.confirming),
            msg => self.apply_own(msg),
        }
    }

    /// The screen's own messages: the form, the log, the tabs.
    fn apply_own(&mut self, msg: Msg) {
        match msg {
            Msg::EditedField(field, text) => {
                self.form.set(field, text);
                if matches!(&self.feedback, Feedback::Invalid(e) if e.field == field) {
                    self.feedback = Feedback::Idle;
                }
            }
            Msg::ClickedCommand(kind) => {
                self.feedback = match self.build_sealed(kind) {
                    Ok((order_id, command)) => {
                        let name = command.name();
                        self.requests.push(Request::Send { order_id, command });
                        Feedback::Sending(name)
                    }
                    Err(error) => Feedback::Invalid(error),
                };
            }
            Msg::ClickedRunScript => {
                self.requests.push(Request::RunScript);
                self.feedback = Feedback::Sending("A script");
            }
            Msg::ClickedStream(order_id) => {
                self.apply(Msg::EditedField(
                    Field::OrderId,
                    order_id.as_str().to_owned(),
                ));
            }
            Msg::StreamRead { order_id, stream } => {
                if self.reading_stream.as_ref() == Some(&order_id) {
                    self.reading_stream = None;
                }
                self.log.put_stream(order_id, stream);
            }
            Msg::TailRead(tail) => {
                self.log = LogView::from_tail(tail, self.controls.knobs.snapshot_every);
                self.table.new_log(&mut self.requests);
                self.requests.push(Request::ReadTruth);
            }
            Msg::TruthRead { complete } => {
                if !complete {
                    self.requests.push(Request::ReadTruth);
                }
            }
            Msg::Replaced {
                tail,
                note,
                dropped,
            } => self.replaced(tail, note, dropped),
            Msg::OtherTabReplaced => self.requests.once(Request::Reload),
            Msg::OtherTabAppended => self.requests.once(Request::ReadNew),
            Msg::DismissedFeedback => self.feedback = Feedback::Idle,
            Msg::EventsRead(events) => self.log.absorb(events),
            Msg::Advanced {
                outcomes,
                events,
                waiting,
                diagram,
            } => {
                self.reached(outcomes, events, waiting);
                self.controls.advanced(diagram, &self.log);
            }
            Msg::ChoseTab(tab) => self.tab = tab,
            Msg::MovedTab(tab) => (self.tab, self.focus) = (tab, Some(tab.tab_id())),
            Msg::ClickedComponent(node) => {
                let (tab, focus) = node.details();
                (self.tab, self.focus) = (tab, Some(focus));
            }
            Msg::PressedShortcut(shortcut) => self.shortcut(shortcut),
            // Routed by `apply`.
            Msg::Controls(_)
            | Msg::Table(_)
            | Msg::Hunt(_)
            | Msg::Privacy(_)
            | Msg::Travel(_)
            | Msg::Data(_) => {}
        }
    }

    /// The command a button sends, with the typed name and address sealed under the
    /// customer's key (so plaintext never reaches a request, the queue or the log).
    fn build_sealed(&mut self, kind: CommandKind) -> Result<(OrderId, OrderCommand), FormError> {
        let (order_id, mut command) = self.form.build(kind)?;
        self.privacy.seal(&self.form, &mut command)?;
        Ok((order_id, command))
    }

    /// A new log (imported, reset, or replaced by another tab): everything read of
    /// the old one goes; `note` says what happened.
    fn replaced(&mut self, tail: LogTail, note: String, dropped: Vec<Outcome>) {
        self.requests.push(Request::ReadTruth);
        self.travel.back_to_now();
        self.log = LogView::from_tail(tail, self.controls.knobs.snapshot_every);
        self.table.new_log(&mut self.requests);
        self.table.close_event();
        self.reading_stream = None;
        self.feedback = Feedback::Idle;
        self.data.status = DataStatus::Done(note);
        // Said where the command was sent from, not only in the data panel.
        self.reached(dropped, Vec::new(), false);
    }

    /// Loads a failing case the hunt found: its knobs and seed, paused at its start,
    /// on an emptied log.
    fn load_case(&mut self, case: super::hunter::Case) {
        self.controls.knobs = case.knobs;
        let clock = &mut self.controls.clock;
        clock.seed = case.seed;
        clock.seed_text = case.seed.to_string();
        clock.seed_error = None;
        clock.playing = false;
        self.data.status = DataStatus::Working("Loading the failing case…");
        self.requests.push(Request::LoadCase(Box::new(case)));
    }

    fn shortcut(&mut self, shortcut: Shortcut) {
        match shortcut {
            Shortcut::PlayPause if self.controls.clock.playing => {
                self.apply(ControlsMsg::ClickedPause.into());
            }
            Shortcut::PlayPause => self.apply(ControlsMsg::ClickedPlay.into()),
            Shortcut::Step => self.apply(ControlsMsg::ClickedStep.into()),
            Shortcut::BackInTime => {
                let from = self.travel.to.unwrap_or(self.log.head()).0;
                self.tab = Tab::TimeTravel;
                if from > 1 {
                    self.apply(TravelMsg::ChoseTravel(from - 1).into());
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

    /// Takes in what the engine reached: new events, then outcomes (journalled; the
    /// last one shown unless a later command still waits for its own, or the form
    /// refused the user's latest click: that answer stays until they act again).
    fn reached(&mut self, outcomes: Vec<Outcome>, events: Vec<SharedEvent>, waiting: bool) {
        self.data
            .note_appended(events.len() as u64, &mut self.requests);
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

    /// Asks for the targeted order's stream when it is not held (once at a time).
    fn want_target_stream(&mut self) {
        let Some(target) = self.target_order() else {
            return;
        };
        if self.log.stream(&target).is_some() || self.reading_stream.as_ref() == Some(&target) {
            return;
        }
        self.requests.push(Request::ReadStream(target.clone()));
        self.reading_stream = Some(target);
    }

    /// True once after each change of the vault: time to store it.
    pub fn take_vault_change(&mut self) -> bool {
        self.privacy.take_change()
    }

    /// The event whose JSON is open, if any.
    pub fn selected_event(&self) -> Option<&SharedEvent> {
        self.table.selected()
    }

    /// The event at a position, if the page holds it (among the newest, or in the
    /// part of the table scrolled to).
    pub fn event_at(&self, position: GlobalPosition) -> Option<&SharedEvent> {
        self.table.event_at(position, &self.log)
    }

    /// The orders listed as buttons, by id, with their versions: the most recently
    /// changed ones; and whether there may be more.
    pub fn listed_streams(&self) -> (Vec<(&OrderId, StreamVersion)>, bool) {
        let mut recent: Vec<(&OrderId, StreamVersion)> = self
            .log
            .recent_streams()
            .map(|(id, version)| (id, *version))
            .collect();
        crate::collections::sort::sort(&mut recent); // ids are unique
        let more = recent.len() == STREAMS_LISTED;
        (recent, more)
    }

    /// The oldest request waiting, handed to the controller.
    pub fn take_request(&mut self) -> Option<Request> {
        self.requests.take()
    }

    /// Every command waiting to be sent, oldest first (the controller queues them at
    /// once); other requests stay.
    pub fn take_sends(&mut self) -> Vec<(OrderId, OrderCommand)> {
        self.requests.take_sends()
    }

    /// The form error for a field, if the last click failed on it.
    pub fn field_error(&self, field: Field) -> Option<&FormError> {
        match &self.feedback {
            Feedback::Invalid(error) if error.field == field => Some(error),
            _ => None,
        }
    }
}
