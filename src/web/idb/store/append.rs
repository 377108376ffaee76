//! Appending to the log: one transaction per append (events, outbox rows, processed
//! command id), retried while other tabs move the head, refused by the contract.

use super::scan::stream_range;
use super::IdbStore;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, StreamVersion};
use crate::store::{AppendError, AppendRequest, Appended};
use crate::web::idb::error::StoreError;
use crate::web::idb::quota;
use crate::web::idb::records::{processed_record, EventRecord, OutboxRecord};
use crate::web::idb::schema::{BY_STREAM, EVENTS, OUTBOX, PROCESSED};
use indexed_db_futures::error::{DomException, Error};
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;
use std::rc::Rc;

/// How many times an append is tried while other tabs move the head.
const APPEND_ATTEMPTS: usize = 4;

/// What one append transaction came to.
enum Attempt {
    /// Appended, or refused by the contract.
    Done(Result<Appended, AppendError>),
    /// The log no longer ends where this connection thought: nothing was written.
    HeadMoved,
}

/// Every store an append writes, in one transaction.
const APPEND_SCOPE: [&str; 3] = [EVENTS, OUTBOX, PROCESSED];

impl IdbStore {
    /// Appends atomically: every event, its outbox row and the command id, or nothing.
    /// A writer that lost a race gets `AppendError::Conflict`, from the version check or,
    /// failing that, from the unique `[streamId, streamVersion]` index.
    pub async fn append(
        &self,
        request: AppendRequest,
    ) -> Result<Result<Appended, AppendError>, StoreError> {
        if request.events.is_empty() {
            return Ok(Err(AppendError::Empty));
        }
        // Positions follow the head this connection last saw; if another tab moved it,
        // the transaction says so, writes nothing, and the append is tried again on the
        // head read afresh.
        for _ in 0..APPEND_ATTEMPTS {
            let head = match self.head_hint.get() {
                Some(head) => head,
                None => self.head().await?.0,
            };
            match self.append_at(&request, head).await? {
                Attempt::Done(result) => return Ok(result),
                Attempt::HeadMoved => self.head_hint.set(None),
            }
        }
        Err(StoreError::Failed(
            "other tabs kept appending while this one tried; send the command again".into(),
        ))
    }

    /// One append transaction assuming the log ends at `head`. Its checks (stream at the
    /// expected version, log ending at `head`) and its writes go out together, one round
    /// trip; a failed check aborts it before it can commit (the checks answer before the
    /// writes, which come after them). A command already processed is caught by the
    /// processed store's key (its `add` fails) or, when its stream has moved on since,
    /// by the version check; either way [`Self::refusal`] tells the two apart, so the
    /// path every new command takes reads nothing it does not need.
    async fn append_at(&self, request: &AppendRequest, head: u64) -> Result<Attempt, StoreError> {
        let tx = self.write(&APPEND_SCOPE)?;
        let (events, outbox, processed) = (
            tx.object_store(EVENTS)?,
            tx.object_store(OUTBOX)?,
            tx.object_store(PROCESSED)?,
        );
        let index = events.index(BY_STREAM)?;
        let count = index
            .count()
            .with_query(stream_range(&request.stream_id, StreamVersion(0)))
            .serde()?;
        // Keys at or after `head`: exactly `head` itself (none for an empty log).
        let from_head = events
            .count()
            .with_query::<f64, _>(KeyRange::LowerBound(head as f64, false))
            .primitive()?;
        let mut position = GlobalPosition(head);
        let mut version = request.expected_version;
        let stored: Vec<SharedEvent> = request
            .events
            .iter()
            .map(|new| {
                position = position.next();
                version = version.next();
                Rc::new(new.clone().stored_as(&request.stream_id, version, position))
            })
            .collect();
        // The writes go out now; their answers are never awaited one by one (a listener
        // per request costs more than the write). A failed one aborts the transaction,
        // and the commit below reports it.
        for e in &stored {
            events.add(EventRecord::from_envelope(e)).serde()?;
            if request.with_outbox {
                outbox
                    .add(OutboxRecord {
                        global_position: e.global_position.0,
                    })
                    .serde()?;
            }
        }
        processed
            .add(processed_record(&request.command_id, &stored))
            .serde()?;
        // Versions are contiguous from 1, so the count of a stream's rows is its version.
        let actual = StreamVersion(u64::from(count.await?));
        let from_head = from_head.await?;
        if actual != request.expected_version {
            drop(tx); // aborts it
            return Ok(Attempt::Done(Err(self.refusal(request).await?)));
        }
        if from_head != u32::from(head > 0) {
            return Ok(Attempt::HeadMoved); // dropping `tx` aborts it
        }
        match quota::finish(tx).await {
            Ok(()) => {}
            // The unique stream index (another writer took the version) or the processed
            // store's key (this command was appended before): nothing was kept.
            Err(Error::DomException(DomException::ConstraintError(_))) => {
                self.head_hint.set(None);
                return Ok(Attempt::Done(Err(self.refusal(request).await?)));
            }
            Err(e) => return Err(quota::aborted(e).await),
        }
        self.head_hint.set(Some(position.0));
        Ok(Attempt::Done(Ok(Appended { events: stored })))
    }

    /// Why an append that failed its checks was refused, read after its transaction
    /// ended: the command was processed before (whatever version it expected), or
    /// another writer moved the stream.
    async fn refusal(&self, request: &AppendRequest) -> Result<AppendError, StoreError> {
        if self.is_processed(&request.command_id).await? {
            return Ok(AppendError::AlreadyProcessed {
                command_id: request.command_id.clone(),
            });
        }
        Ok(AppendError::Conflict {
            stream_id: request.stream_id.clone(),
            expected: request.expected_version,
            actual: self.stream_version(&request.stream_id).await?,
        })
    }
}
