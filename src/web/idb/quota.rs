//! The browser's storage quota: what the origin uses and may use
//! (`navigator.storage.estimate()`), the request that the browser keep the store
//! rather than evict it under pressure (`navigator.storage.persist()`), and telling a
//! write the browser aborted for lack of room from one it aborted for another reason.

use super::error::StoreError;
use indexed_db_futures::error::{Error, UnexpectedDataError};
use indexed_db_futures::transaction::{Transaction, TransactionFinishKind};
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Room that counts as none: a write aborted with less than this left was refused for
/// lack of it (the browser's abort event does not always say so itself).
const QUOTA_MARGIN: u64 = 1 << 20;

/// Bytes the origin uses and may use, when the browser says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// In use.
    pub usage: u64,
    /// The most it may use.
    pub quota: u64,
}

fn manager() -> Option<web_sys::StorageManager> {
    Some(web_sys::window()?.navigator().storage())
}

/// What the origin uses and may use (`None` when the browser does not say).
pub async fn estimate() -> Option<Estimate> {
    let promise = manager()?.estimate().ok()?;
    // A dictionary, not a class: no `instanceof` to check it by.
    let estimate: web_sys::StorageEstimate = JsFuture::from(promise).await.ok()?.unchecked_into();
    let number = |n: Option<f64>| n.filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64);
    Some(Estimate {
        usage: number(estimate.get_usage())?,
        quota: number(estimate.get_quota())?,
    })
}

/// Whether the store is already kept from eviction (`None` when the browser cannot say).
pub async fn persisted() -> Option<bool> {
    let promise = manager()?.persisted().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Asks the browser to keep the store from eviction; its answer (`None`: no answer).
pub async fn persist() -> Option<bool> {
    let promise = manager()?.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Lets a transaction commit (it does once its requests are done and nothing more is
/// asked of it) and waits for it. A transaction that fails gives the browser's reason
/// (`QuotaExceededError` among them), which an explicit `commit()` would not pass on.
pub async fn finish(tx: Transaction<'_>) -> Result<(), Error> {
    let done = tx.on_done()?;
    match done.await {
        TransactionFinishKind::Ok => return Ok(()),
        // A failed request's error reaches the transaction before the browser aborts
        // it and records why: read that a task later.
        TransactionFinishKind::Err => crate::web::wait(Duration::ZERO).await,
        TransactionFinishKind::Abort => {}
    }
    Err(tx
        .error()
        .unwrap_or(Error::MissingData(UnexpectedDataError::TransactionAborted)))
}

/// Commits a transaction; its failure said as a `StoreError` (see `aborted`).
pub async fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    match finish(tx).await {
        Ok(()) => Ok(()),
        Err(e) => Err(aborted(e).await),
    }
}

/// The error a failed write reports: the quota when the browser named it, or when it
/// aborted without a reason and the origin has next to no room left.
pub async fn aborted(e: Error) -> StoreError {
    if !matches!(
        e,
        Error::MissingData(UnexpectedDataError::TransactionAborted)
    ) {
        return e.into();
    }
    classify_silent_abort(estimate().await)
}

/// An abort without a reason: the quota when less than `QUOTA_MARGIN` is left.
pub fn classify_silent_abort(estimate: Option<Estimate>) -> StoreError {
    match estimate {
        Some(Estimate { usage, quota }) if usage.saturating_add(QUOTA_MARGIN) >= quota => {
            StoreError::QuotaExceeded
        }
        _ => StoreError::Failed(
            "the browser aborted the write without saying why: nothing was stored".into(),
        ),
    }
}
