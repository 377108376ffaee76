//! Reading the log: a stream, a range of positions, everything after a position, in
//! batches read ahead of their decoding.

use super::IdbStore;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, StreamVersion};
use crate::store::LoadedStream;
use crate::web::idb::error::StoreError;
use crate::web::idb::records::{CorruptRecord, EventRecord};
use crate::web::idb::schema::{BY_STREAM, EVENTS};
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;
use wasm_bindgen::JsValue;

/// Events per request when scanning the whole log.
const SCAN_BATCH: u32 = 5_000;

/// Batches of a scan asked for before the first of them is decoded.
const SCAN_AHEAD: usize = 3;

/// The key range of a stream's versions after `after`.
pub(super) fn stream_range(stream_id: &OrderId, after: StreamVersion) -> KeyRange<(String, u64)> {
    let id = stream_id.as_str().to_owned();
    // Versions are integers below 2^53, as JavaScript numbers must be.
    KeyRange::Bound((id.clone(), after.0), true, (id, MAX_SAFE), false)
}

/// Decodes records, keeping the readable ones and reporting the rest.
pub(super) fn decode(
    records: impl ExactSizeIterator<Item = EventRecord>,
) -> (Vec<SharedEvent>, Vec<CorruptRecord>) {
    let mut events = Vec::with_capacity(records.len());
    let mut corrupt = Vec::new();
    for record in records {
        match record.to_event() {
            Ok(e) => events.push(e),
            Err(c) => corrupt.push(c),
        }
    }
    (events, corrupt)
}

impl IdbStore {
    /// A stream's version (0 when it has no events).
    pub async fn stream_version(&self, stream_id: &OrderId) -> Result<StreamVersion, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        stream_version_in(&events, stream_id).await
    }

    /// The position of the newest event (0 when empty).
    pub async fn head(&self) -> Result<GlobalPosition, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        head_in(&events).await
    }

    /// A stream's events after a version, in version order; unreadable ones are skipped
    /// and reported.
    pub async fn read_stream(
        &self,
        stream_id: &OrderId,
        after: StreamVersion,
    ) -> Result<(Vec<SharedEvent>, Vec<CorruptRecord>), StoreError> {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        let index = events.index(BY_STREAM)?;
        let records: Vec<EventRecord> = index
            .get_all()
            .with_query(stream_range(stream_id, after))
            .serde()?
            .await?
            .collect::<Result<_, _>>()?;
        Ok(decode(records.into_iter()))
    }

    /// The newest snapshot of a stream and the events after it.
    pub async fn load_stream(&self, stream_id: &OrderId) -> Result<LoadedStream, StoreError> {
        let snapshot = self.snapshot(stream_id).await?;
        let after = snapshot.as_ref().map(|s| s.version).unwrap_or_default();
        let (events, _) = self.read_stream(stream_id, after).await?;
        Ok(LoadedStream {
            snapshot: snapshot.map(Box::new),
            events,
        })
    }

    /// Up to `limit` events after a global position (the change feed), in one request.
    pub async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<(Vec<SharedEvent>, Vec<CorruptRecord>), StoreError> {
        let records = self.fetch(after, limit)?.await?;
        Ok(decode(records.iter().map(EventRecord::from_js)))
    }

    /// Sends a `getAll` of up to `limit` raw event records after a position at once;
    /// the returned future only waits for it (so a scan decodes one batch while the
    /// browser reads the next).
    fn fetch(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        // A number key (a `u64` would go out as a BigInt, which is no valid key).
        self.fetch_in(KeyRange::LowerBound(after.0 as f64, true), limit)
    }

    /// Sends a `getAll` of the raw event records at positions `after + 1 ..= upto`
    /// (at most `SCAN_BATCH` of them).
    fn fetch_range(
        &self,
        after: u64,
        upto: u64,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        let range = KeyRange::Bound(after as f64, true, upto as f64, false);
        self.fetch_in(range, SCAN_BATCH)
    }

    fn fetch_in(
        &self,
        range: KeyRange<f64>,
        limit: u32,
    ) -> Result<impl std::future::Future<Output = Result<Vec<JsValue>, StoreError>> + '_, StoreError>
    {
        let tx = self.read(&[EVENTS])?;
        let events = tx.object_store(EVENTS)?;
        // Raw values, not serde-converted records: only the envelope text is read out
        // of each, then parsed once (the record's key fields are checked against it).
        let request = events
            .get_all()
            .with_query::<f64, _>(range)
            .with_limit(limit)
            .primitive()?;
        Ok(async move {
            let _keep_open = tx;
            let records: Vec<JsValue> = request.await?.collect::<Result<_, _>>()?;
            Ok(records)
        })
    }

    /// How many events the store holds up to `position` (with the events read up to
    /// it, a count of the same log though another tab appends meanwhile).
    pub async fn count_upto(&self, position: GlobalPosition) -> Result<u64, StoreError> {
        let tx = self.read(&[EVENTS])?;
        let count = tx
            .object_store(EVENTS)?
            .count()
            .with_query::<f64, _>(KeyRange::UpperBound(position.0 as f64, false))
            .primitive()?
            .await?;
        Ok(u64::from(count))
    }

    /// Every readable event, read in batches (export, startup).
    pub async fn all_events(&self) -> Result<Vec<SharedEvent>, StoreError> {
        self.events_after(GlobalPosition(0)).await
    }

    /// Every readable event past a position, read in batches of `getAll`; unreadable
    /// ones are quarantined and skipped.
    pub async fn events_after(
        &self,
        after: GlobalPosition,
    ) -> Result<Vec<SharedEvent>, StoreError> {
        let mut events = Vec::new();
        // Up to the head, positions are dense: ranges of them are asked for a few at a
        // time, so the browser reads the next while this decodes (a request that had to
        // wait for the last key of the one before would leave it idle meanwhile). An
        // unreadable head (a damaged key) leaves it all to the loop below.
        let head = self.head().await.map_or(after.0, |h| h.0);
        let mut asked = after.0;
        let mut pending = std::collections::VecDeque::new();
        loop {
            while pending.len() < SCAN_AHEAD && asked < head {
                let upto = head.min(asked.saturating_add(u64::from(SCAN_BATCH)));
                pending.push_back(self.fetch_range(asked, upto)?);
                asked = upto;
            }
            let Some(batch) = pending.pop_front() else {
                break;
            };
            let records = batch.await?;
            let (batch, corrupt) = decode(records.iter().map(EventRecord::from_js));
            // Not recorded (a full disk) fails no read: the record is skipped either way.
            let _ = self.quarantine(&corrupt).await;
            events.extend(batch);
        }
        // Then whatever lies past that head (appended since, or keys that are no
        // position), a batch after the last key of the one before.
        let mut after = GlobalPosition(asked.max(after.0));
        let mut records = self.fetch(after, SCAN_BATCH)?.await?;
        loop {
            let full = records.len() == SCAN_BATCH as usize;
            // Ask for the next batch (after this one's last key) before decoding this
            // one; a key that does not move on (a damaged record) ends the scan.
            let last = records
                .last()
                .map(|r| GlobalPosition(EventRecord::from_js(r).global_position));
            let next = match last {
                Some(last) if full && last > after => {
                    after = last;
                    Some(self.fetch(last, SCAN_BATCH)?)
                }
                _ => None,
            };
            let (batch, corrupt) = decode(records.iter().map(EventRecord::from_js));
            // Not recorded (a full disk) fails no read: the record is skipped either way.
            let _ = self.quarantine(&corrupt).await;
            events.extend(batch);
            match next {
                Some(next) => records = next.await?,
                None => break,
            }
        }
        Ok(events)
    }
}

/// The largest integer a JavaScript number holds exactly.
pub(super) const MAX_SAFE: u64 = (1 << 53) - 1;

pub(super) async fn stream_version_in(
    events: &indexed_db_futures::object_store::ObjectStore<'_>,
    stream_id: &OrderId,
) -> Result<StreamVersion, StoreError> {
    // Versions are contiguous from 1, so the count of a stream's rows is its version.
    let count = events
        .index(BY_STREAM)?
        .count()
        .with_query(stream_range(stream_id, StreamVersion(0)))
        .serde()?
        .await?;
    Ok(StreamVersion(u64::from(count)))
}

pub(super) async fn head_in(
    events: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<GlobalPosition, StoreError> {
    let cursor = events
        .open_key_cursor()
        .with_direction(indexed_db_futures::cursor::CursorDirection::Prev)
        .serde()?
        .await?;
    let Some(cursor) = cursor else {
        return Ok(GlobalPosition(0));
    };
    let key: Option<u64> = cursor.primary_key_ser()?;
    Ok(GlobalPosition(key.unwrap_or(0)))
}
