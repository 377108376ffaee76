//! The controller's reads and replacements of the log: the truth the read models are
//! checked against, the parts of the log the page shows, time travel, an order's
//! stream, the durability line, export, import, reset and another tab's replacement.

use super::{newest_time, Controller};
use crate::app::durability::Durability;
use crate::app::log_view::{Outcome, Refusal};
use crate::app::page_io::{Announcement, PageHost, PageStore, StoreFailure};
use crate::app::screen::{DataMsg, DataStatus, ExportFormat, Msg, Request, TableMsg, TravelMsg};
use crate::app::script_number::ScriptSearch;
use crate::app::session::{script_orders, Session};
use crate::app::travel::TravelView;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId};
use crate::engine::views::Stream;
use crate::store::transfer::{export_cosmos, export_json};

/// Events per read when travelling back in time or reading the truth.
const TRAVEL_BATCH: u64 = 5_000;

impl<S: PageStore, H: PageHost> Controller<S, H> {
    /// Carries out a request that reads or replaces the log.
    pub(super) async fn handle_data(&self, request: Request, after: GlobalPosition) -> Msg {
        match request {
            Request::ReadTruth => self.read_truth().await,
            Request::LoadCase(case) => {
                self.seed.set(case.seed);
                self.knobs.set(case.knobs);
                let note = format!(
                    "Every event was deleted and the failing case loaded (seed {}, {} command(s)).",
                    case.seed,
                    case.script.len()
                );
                let msg = self.clear(note).await;
                if matches!(msg, Msg::Replaced { .. }) {
                    if let Some(session) = self.session.borrow_mut().as_mut() {
                        session.load_script(&case.script);
                    }
                }
                msg
            }
            Request::TimeTravel { position, order } => {
                let events = self.events_upto(position).await;
                Msg::Travel(TravelMsg::Travelled(TravelView::of(
                    &events,
                    position,
                    order.as_ref(),
                )))
            }
            Request::ReadDurability { persist } => self.durability(persist).await,
            Request::Export(format) => Msg::Data(DataMsg::DataAnswered(self.export(format).await)),
            Request::Import { file_name, text } => self.import(&file_name, &text).await,
            Request::Reset => {
                self.clear("Every event was deleted; the store is empty.".into())
                    .await
            }
            Request::ReadRange { first, last, log } => Msg::Table(TableMsg::RangeRead {
                first,
                log,
                events: self.read_range(first, last).await,
            }),
            Request::ReadNew => Msg::EventsRead(self.events_after(after).await),
            Request::Reload => {
                self.reload("Another tab replaced the log (an import or a reset).".into())
                    .await
            }
            Request::ReadStream(order_id) => match self.read_stream(&order_id).await {
                Ok(stream) => Msg::StreamRead { order_id, stream },
                Err(e) => Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(format!(
                    "Order {order_id} could not be read: {e}"
                )))),
            },
            // Handled by `handle`.
            _ => Msg::EventsRead(Vec::new()),
        }
    }

    /// Reads the next batch of the log into the fold the read models are checked
    /// against (until it is all read, rows are shown unchecked); says whether the whole
    /// log is read now. Records missing from a batch (set aside as unreadable) are left
    /// out of the truth.
    async fn read_truth(&self) -> Msg {
        let after = self.fold.borrow().head();
        let last = GlobalPosition(after.0.saturating_add(TRAVEL_BATCH));
        let batch = self.read_range(after.next(), last).await;
        // A replacement meanwhile started a new fold from 0: this batch is not its.
        if self.fold.borrow().head() != after {
            return Msg::TruthRead { complete: false };
        }
        // Done when a batch brings nothing more (one read past the end).
        let complete = batch.is_empty();
        self.fold.borrow_mut().extend_over_gaps(&batch);
        Msg::TruthRead { complete }
    }

    /// The events at positions `first ..= last` (the part of the event table
    /// scrolled to), in one batched read.
    async fn read_range(&self, first: GlobalPosition, last: GlobalPosition) -> Vec<SharedEvent> {
        let after = GlobalPosition(first.0.saturating_sub(1));
        let limit = last.0.saturating_sub(after.0);
        let mut events = self.store.read_all(after, limit).await.unwrap_or_default();
        events.retain(|e| e.global_position <= last);
        events
    }

    /// The log's events up to a position, read in batches (time travel).
    async fn events_upto(&self, position: GlobalPosition) -> Vec<SharedEvent> {
        let mut events: Vec<SharedEvent> = Vec::new();
        let mut after = GlobalPosition(0);
        while after < position {
            let Ok(batch) = self.store.read_all(after, TRAVEL_BATCH).await else {
                break;
            };
            let Some(last) = batch.last().map(|e| e.global_position) else {
                break;
            };
            events.extend(
                batch
                    .into_iter()
                    .take_while(|e| e.global_position <= position),
            );
            after = last;
        }
        events
    }

    /// An order's stream, folded.
    async fn read_stream(&self, order_id: &OrderId) -> Result<Stream, StoreFailure> {
        let mut stream = Stream::fold(self.store.load_stream(order_id).await?);
        // The snapshot left the history short: read the events before it, for display.
        if let Some((after, upto)) = stream.history_wanted() {
            let earlier = self.store.read_stream(order_id, after).await?;
            stream.prepend_history(earlier.into_iter().filter(|e| e.stream_version <= upto));
        }
        Ok(stream)
    }

    /// Runs the session's script, its orders named past every script the log holds.
    pub(super) async fn run_script(&self) {
        let next = self.session.borrow().as_ref().map(Session::next_script);
        if let Some(next) = next {
            let next = self.free_script(next).await;
            if let Some(session) = self.session.borrow_mut().as_mut() {
                session.number_scripts_from(next);
                session.run_script();
            }
        }
        self.keep_marker();
    }

    /// The first script number from `from` whose orders the log holds neither of.
    async fn free_script(&self, from: u64) -> u64 {
        let mut search = ScriptSearch::from(from);
        while let Some(number) = search.probe() {
            let mut used = false;
            for order in script_orders(number) {
                used |= self.store.stream_version(&order).await.map_or(0, |v| v.0) > 0;
            }
            search.answer(number, used);
        }
        search.found().unwrap_or(from)
    }

    /// What the browser says of the store's storage; with `persist`, after asking it to
    /// keep the store from eviction.
    async fn durability(&self, persist: bool) -> Msg {
        let durability: Option<Durability> = if self.store.durable() {
            self.host.durability(persist).await
        } else {
            None
        };
        durability.map_or(Msg::EventsRead(Vec::new()), |d| {
            Msg::Data(DataMsg::DurabilityRead(d))
        })
    }

    async fn export(&self, format: ExportFormat) -> DataStatus {
        let events = match self.store.all_events().await {
            Ok(events) => events,
            Err(e) => return DataStatus::Failed(format!("Nothing was exported: {e}")),
        };
        let (text, file) = match format {
            ExportFormat::Envelopes => (export_json(&events), "cqrs-lab-events.json"),
            ExportFormat::Cosmos => (export_cosmos(&events), "cqrs-lab-cosmos-documents.json"),
        };
        match self.host.save_file(file, &text) {
            Ok(()) => DataStatus::Done(format!(
                "Exported {} event{} to {file}.",
                events.len(),
                if events.len() == 1 { "" } else { "s" }
            )),
            Err(reason) => DataStatus::Failed(format!("Nothing was exported: {reason}")),
        }
    }

    async fn import(&self, file_name: &str, text: &str) -> Msg {
        let count = match self.store.import(text).await {
            Ok(count) => count,
            Err(e) => {
                return Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(format!(
                    "{file_name} was not imported: {e}. Nothing stored changed."
                ))))
            }
        };
        self.note_write(Ok(()));
        self.replaced(format!(
            "Imported {count} event{} from {file_name}; the previous log was replaced.",
            if count == 1 { "" } else { "s" }
        ))
        .await
    }

    /// Deletes every event and restarts on the empty store, saying `note`.
    async fn clear(&self, note: String) -> Msg {
        match self.store.clear().await {
            Ok(()) => {
                self.note_write(Ok(()));
                self.replaced(note).await
            }
            Err(e) => Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(format!(
                "Nothing was deleted: {e}"
            )))),
        }
    }

    /// After this tab replaced the log: restart, tell the other tabs, show it all.
    async fn replaced(&self, note: String) -> Msg {
        self.host.announce(Announcement::Replaced);
        self.reload(note).await
    }

    /// Reads the newest events again and restarts the engine on the store (after a
    /// replacement here or in another tab).
    pub async fn reload(&self, note: String) -> Msg {
        match self.read_tail().await {
            Ok(tail) => {
                // A reset, here or in another tab, may have made room.
                if self.read_only.get() && self.store.durable() {
                    let probed = self.store.probe_write().await;
                    self.note_write(probed.as_ref().map(|_| ()));
                }
                let dropped = self.dropped();
                self.restart(newest_time(&tail)).await;
                self.catch_up().await;
                Msg::Replaced {
                    tail,
                    note,
                    dropped,
                }
            }
            Err(e) => Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(format!(
                "The log changed but cannot be read: {e}"
            )))),
        }
    }

    /// The commands the session awaits that the durable queue does not keep (a
    /// script's): a replaced log drops them unhandled, said as their outcome.
    fn dropped(&self) -> Vec<Outcome> {
        let queue = self.queue.borrow();
        let Some(pending) = self
            .session
            .borrow_mut()
            .as_mut()
            .map(Session::forget_pending)
        else {
            return Vec::new();
        };
        pending
            .into_iter()
            .filter(|sent| {
                !queue
                    .iter()
                    .any(|q| q.command.command_id == sent.command_id)
            })
            .map(|sent| Outcome {
                command_id: sent.command_id,
                order_id: sent.order_id,
                command_name: sent.command_name,
                result: Err(Refusal::Replaced),
            })
            .collect()
    }

    /// Events stored past `after` (appended by this tab or another); none if the store
    /// cannot be read now (the next read catches up).
    pub async fn events_after(&self, after: GlobalPosition) -> Vec<SharedEvent> {
        let events = self.store.events_after(after).await.unwrap_or_default();
        self.remember(&events);
        // Another tab's events may be later in virtual time: this tab's clock follows,
        // so the log's times never run backwards. (Skipped while the engine runs.)
        if let (Some(last), Ok(mut session)) = (events.last(), self.session.try_borrow_mut()) {
            if let Some(session) = session.as_mut() {
                if let Err(blocked) = session.resume_at(last.recorded_at) {
                    // This tab has work due earlier; it runs first, at its own time.
                    self.host.warn(&blocked.to_string());
                }
            }
        }
        events
    }
}
