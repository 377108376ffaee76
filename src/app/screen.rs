//! The first slice's screen as an Elm-style model: state, `Msg`, and `update`. The Yew
//! view only renders a `Screen` and sends `Msg`s, so everything here is tested natively.

use super::form::{CommandForm, CommandKind, Field, FormError};
use super::lab::{Lab, Outcome};
use crate::domain::envelope::EventEnvelope;
use crate::domain::ids::{GlobalPosition, OrderId};

/// Everything the screen shows.
#[derive(Debug, Default)]
pub struct Screen {
    /// The write side: event log and streams.
    pub lab: Lab,
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
                        Feedback::Handled(self.lab.handle(order_id, command).clone())
                    }
                    Err(error) => Feedback::Invalid(error),
                };
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
        let position = self.selected_event?;
        // Positions start at 1 and have no gaps, so position n is at index n - 1.
        let index = usize::try_from(position.0.checked_sub(1)?).ok()?;
        self.lab.events().get(index)
    }

    /// The form error for a field, if the last click failed on it.
    pub fn field_error(&self, field: Field) -> Option<&FormError> {
        match &self.feedback {
            Feedback::Invalid(error) if error.field == field => Some(error),
            _ => None,
        }
    }
}
