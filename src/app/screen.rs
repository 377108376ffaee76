//! The order screen as an Elm-style model: state, `Msg`, and `update`. The Yew view
//! only renders a `Screen` and sends `Msg`s, so everything here is tested natively.
//! Sending a command is a side effect: `update` queues it (`take_request`), the page's
//! runtime carries it through the engine and the store, and answers with `Msg::Handled`.

use super::form::{CommandForm, CommandKind, Field, FormError};
use super::log_view::{LogView, Outcome};
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::{GlobalPosition, OrderId};
use crate::domain::order::OrderCommand;
use std::collections::VecDeque;

/// A command the user asked to send, not yet handed to the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The order.
    pub order_id: OrderId,
    /// The command.
    pub command: OrderCommand,
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
}

/// Everything the screen shows.
#[derive(Debug, Default)]
pub struct Screen {
    /// The events read from the store, the streams and the command journal.
    pub log: LogView,
    /// Where events are kept.
    pub storage: Storage,
    /// Commands waiting to be sent, oldest first.
    requests: VecDeque<Request>,
    /// The command form's text.
    pub form: CommandForm,
    /// What the last click produced.
    pub feedback: Feedback,
    /// The event whose JSON is open, if any.
    pub selected_event: Option<GlobalPosition>,
}

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
    /// Events appeared in the store (read at startup, or appended by any tab).
    EventsRead(Vec<SharedEvent>),
    /// A sent command was handled; `events` are what the store holds past the view's head.
    Handled {
        /// What became of it.
        outcome: Outcome,
        /// New events in the store.
        events: Vec<SharedEvent>,
    },
}

impl Screen {
    /// Applies one user action.
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::EditedField(field, text) => {
                self.form.set(field, text);
                if matches!(&self.feedback, Feedback::Invalid(e) if e.field == field) {
                    self.feedback = Feedback::Idle;
                }
            }
            Msg::ClickedCommand(kind) => {
                self.feedback = match self.form.build(kind) {
                    Ok((order_id, command)) => {
                        let name = command.name();
                        self.requests.push_back(Request { order_id, command });
                        Feedback::Sending(name)
                    }
                    Err(error) => Feedback::Invalid(error),
                };
            }
            Msg::StorageOpened(storage) => self.storage = storage,
            Msg::EventsRead(events) => self.log.absorb(events),
            Msg::Handled { outcome, events } => {
                self.log.absorb(events);
                self.log.record(outcome.clone());
                // A later click's "Sending" stays until its own answer.
                if self.requests.is_empty() {
                    self.feedback = Feedback::Handled(outcome);
                }
            }
            Msg::ClickedStream(order_id) => {
                self.update(Msg::EditedField(
                    Field::OrderId,
                    order_id.as_str().to_owned(),
                ));
            }
            Msg::ClickedEvent(position) => {
                self.selected_event = (self.selected_event != Some(position)).then_some(position);
            }
        }
    }

    /// The order the form targets, if its id field holds a valid id.
    pub fn target_order(&self) -> Option<OrderId> {
        OrderId::parse(self.form.get(Field::OrderId)).ok()
    }

    /// The event whose JSON is open.
    pub fn selected_event(&self) -> Option<&EventEnvelope> {
        self.log.event(self.selected_event?).map(|e| &**e)
    }

    /// The oldest command waiting to be sent, handed to the runtime.
    pub fn take_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }

    /// The form error for a field, if the last click failed on it.
    pub fn field_error(&self, field: Field) -> Option<&FormError> {
        match &self.feedback {
            Feedback::Invalid(error) if error.field == field => Some(error),
            _ => None,
        }
    }
}
