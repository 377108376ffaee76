//! Why the IndexedDB store could not do what was asked, said so a user can act on it.

use indexed_db_futures::error::{DomException, Error, OpenDbError};

/// Why the store could not do what was asked (the contract's own refusals, such as a
/// conflict, are `AppendError`s instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser offers no IndexedDB here (private mode, or disabled).
    #[error("IndexedDB is unavailable here ({0})")]
    Unavailable(String),
    /// A newer version of the lab opened the database in another tab; this tab let go
    /// of it so that one could upgrade.
    #[error("a newer version of CQRS Lab opened the database in another tab, so this tab closed its connection: reload this tab to continue")]
    Superseded,
    /// The browser refused to store more.
    #[error("the browser's storage quota is exhausted: nothing was stored (export, then reset to make room)")]
    QuotaExceeded,
    /// Anything else IndexedDB reported.
    #[error("IndexedDB failed: {0}")]
    Failed(String),
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        if let Error::DomException(DomException::Other(ref d)) = e {
            if d.name() == "QuotaExceededError" {
                return StoreError::QuotaExceeded;
            }
        }
        StoreError::Failed(e.to_string())
    }
}

impl From<OpenDbError> for StoreError {
    fn from(e: OpenDbError) -> Self {
        match e {
            OpenDbError::Base(base) => base.into(),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}
