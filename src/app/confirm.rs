//! The workbench's questions that ask before acting: one at a time, so a new question
//! withdraws the one before and a late answer to a withdrawn question does nothing.

use crate::domain::ids::CustomerId;

/// What waits for the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// "Reset": delete every event.
    Reset,
    /// "Load the failing case": replace the log with the hunter's case.
    LoadCase,
    /// "Forget customer": delete this customer's key.
    Forget(CustomerId),
}
