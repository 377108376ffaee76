//! The browser's storage quota: what the origin uses and may use
//! (`navigator.storage.estimate()`), the request that the browser keep the store
//! rather than evict it under pressure (`navigator.storage.persist()`), and telling a
//! write the browser aborted for lack of room from one it aborted for another reason.

use super::store::StoreError;
use indexed_db_futures::error::{Error, UnexpectedDataError};
use indexed_db_futures::transaction::Transaction;
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
    let estimate: web_sys::StorageEstimate = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
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

/// Commits a transaction; an abort is reported as the quota when the origin has next to
/// no room left, so every write path says the same thing for a full disk.
pub async fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(e) => Err(aborted(e).await),
    }
}

/// The error a failed write reports: the quota when the browser named it or when the
/// origin has next to no room left after an abort without a reason.
pub async fn aborted(e: Error) -> StoreError {
    if !matches!(
        e,
        Error::MissingData(UnexpectedDataError::TransactionAborted)
    ) {
        return e.into();
    }
    match estimate().await {
        Some(Estimate { usage, quota }) if usage.saturating_add(QUOTA_MARGIN) >= quota => {
            StoreError::QuotaExceeded
        }
        _ => StoreError::Failed(
            "the browser aborted the write without saying why: nothing was stored".into(),
        ),
    }
}
