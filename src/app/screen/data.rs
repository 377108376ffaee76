//! The data part: where the log is kept and how safe it is, what starting on it
//! recovered, and the export, import and reset of the log (a reset asks first).

use super::request::{DataStatus, ExportFormat, Recovery, Request, Requests, Storage};
use crate::app::confirm::Confirm;
use crate::app::durability::{Durability, READ_EVERY};

/// The data part's state.
#[derive(Debug, Default)]
pub struct Data {
    /// Where events are kept.
    pub storage: Storage,
    /// What starting on the stored log recovered.
    pub recovery: Recovery,
    /// What the browser says of the store's storage (persistent or not, usage).
    pub durability: Durability,
    /// Events this page saw appended (for reading the usage again now and then).
    appended_since_start: u64,
    /// The answer to the last export, import or reset.
    pub status: DataStatus,
}

/// What the user did with the log's data, and what the store answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataMsg {
    /// The store was opened (or not): where events are kept now.
    StorageOpened(Storage),
    /// Starting on the stored log recovered this.
    Recovered(Recovery),
    /// What the browser says of the store's storage.
    DurabilityRead(Durability),
    /// Clicked an export button.
    ClickedExport(ExportFormat),
    /// Chose a file to import (its text is read).
    ChoseImportFile {
        /// The file's name.
        name: String,
        /// Its text.
        text: String,
    },
    /// Clicked "Reset": asks for confirmation.
    ClickedReset,
    /// Confirmed the reset.
    ConfirmedReset,
    /// Kept the events after all.
    CancelledReset,
    /// An export, import or reset finished without replacing the log.
    DataAnswered(DataStatus),
}

impl Data {
    /// Applies a message (`confirming`: the page's one question).
    pub fn update(
        &mut self,
        msg: DataMsg,
        requests: &mut Requests,
        confirming: &mut Option<Confirm>,
    ) {
        match msg {
            DataMsg::StorageOpened(storage) => {
                if storage == Storage::Persistent {
                    requests.push(Request::ReadDurability { persist: false });
                }
                self.storage = storage;
            }
            DataMsg::Recovered(recovery) => self.recovery = recovery,
            DataMsg::DurabilityRead(read) => {
                self.durability = Durability {
                    asked: self.durability.asked || read.asked,
                    ..read
                };
            }
            DataMsg::ClickedExport(format) => {
                requests.push(Request::Export(format));
                self.status = DataStatus::Working("Exporting the event log…");
            }
            DataMsg::ChoseImportFile { name, text } => {
                requests.push(Request::Import {
                    file_name: name,
                    text,
                });
                self.status = DataStatus::Working("Checking every record of the file…");
            }
            DataMsg::ClickedReset => *confirming = Some(Confirm::Reset),
            DataMsg::CancelledReset => {
                confirming.take_if(|c| *c == Confirm::Reset);
            }
            DataMsg::ConfirmedReset => {
                if confirming.take_if(|c| *c == Confirm::Reset).is_some() {
                    requests.push(Request::Reset);
                    self.status = DataStatus::Working("Deleting every event…");
                }
            }
            DataMsg::DataAnswered(status) => self.status = status,
        }
    }

    /// After an append: asks the browser once to keep the store from eviction, and
    /// reads the usage again every `READ_EVERY` events.
    pub fn note_appended(&mut self, appended: u64, requests: &mut Requests) {
        if appended == 0 || self.storage != Storage::Persistent {
            return;
        }
        let before = self.appended_since_start;
        self.appended_since_start += appended;
        if self.durability.should_ask() {
            self.durability.asked = true;
            requests.push(Request::ReadDurability { persist: true });
        } else if before / READ_EVERY != self.appended_since_start / READ_EVERY {
            requests.push(Request::ReadDurability { persist: false });
        }
    }
}
