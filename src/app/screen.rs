//! The first slice's screen as an Elm-style model: state, `Msg`, and `update`. The Yew
//! view only renders a `Screen` and sends `Msg`s, so everything here is tested natively.

use super::form::{CommandForm, CommandKind, Field, FormError};
use super::lab::{Lab, Outcome};
use crate::domain::ids::OrderId;

/// Everything the screen shows.
#[derive(Debug, Default)]
pub struct Screen {
    /// The write side: event log and streams.
    pub lab: Lab,
    /// The command form's text.
    pub form: CommandForm,
    /// What the last click produced.
    pub feedback: Feedback,
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
        }
    }

    /// The order the form targets, if its id field holds a valid id.
    pub fn target_order(&self) -> Option<OrderId> {
        OrderId::parse(self.form.get(Field::OrderId)).ok()
    }

    /// The form error for a field, if the last click failed on it.
    pub fn field_error(&self, field: Field) -> Option<&FormError> {
        match &self.feedback {
            Feedback::Invalid(error) if error.field == field => Some(error),
            _ => None,
        }
    }
}
