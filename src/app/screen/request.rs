//! What the screen asks of the page's controller (`Request`), and the state and answers
//! its parts share: where the log is kept, what starting on it recovered, the answer
//! to the last command click and to the last export, import or reset.

use crate::app::form::FormError;
use crate::app::hunter::Case;
use crate::app::lifecycle::PreviousClose;
use crate::app::log_view::Outcome;
use crate::domain::ids::{GlobalPosition, OrderId};
use crate::domain::order::OrderCommand;
use crate::engine::knobs::Knobs;
use crate::store::ProjectionName;
use std::collections::VecDeque;

/// Work the user asked for that the runtime carries out (the store, the engine, a
/// download), oldest first, one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Send a command to an order.
    Send {
        /// The order.
        order_id: OrderId,
        /// The command.
        command: OrderCommand,
    },
    /// Download the event log.
    Export(ExportFormat),
    /// Replace the event log with an export file's events (checked first).
    Import {
        /// The file's name, for messages.
        file_name: String,
        /// Its text.
        text: String,
    },
    /// Delete every event and everything derived from them.
    Reset,
    /// Read the events at positions `first ..= last` (the part of the event table
    /// scrolled to).
    ReadRange {
        /// The oldest position wanted.
        first: GlobalPosition,
        /// The newest position wanted.
        last: GlobalPosition,
        /// Which log it is asked of (a log replaced meanwhile ignores the answer).
        log: u64,
    },
    /// Read an order's stream, to show its state.
    ReadStream(OrderId),
    /// Another tab replaced the log: start again on the store.
    Reload,
    /// Read the events another tab appended (after the newest shown when the request
    /// is taken: in turn with replacements, so none is missed or read into a log
    /// replaced meanwhile).
    ReadNew,
    /// Run the engine's next task (the simulation is paused).
    Step,
    /// Draw the simulation's faults from this seed from now on.
    Reseed(u64),
    /// Set the fault knobs on the engine.
    SetKnobs(Knobs),
    /// Crash the simulated system: drop its volatile state, as a reload does.
    Crash,
    /// Rebuild a projection's read model from the event store (in place).
    Rebuild(ProjectionName),
    /// Rebuild a projection's read model from what the event hub retains (Event Hubs).
    ReplayFromHub(ProjectionName),
    /// Send a subscription's dead letters again.
    Resubmit(ProjectionName),
    /// Read the next batch of the log into the truth the read models are checked
    /// against (one batch a request, so other requests go between).
    ReadTruth,
    /// Read what the browser says of the store's storage; with `persist`, first ask
    /// it to keep the store from eviction.
    ReadDurability {
        /// Ask for persistent storage first.
        persist: bool,
    },
    /// Start the canned burst of commands from several simulated clients.
    RunScript,
    /// Replace the log with an empty one and load a failing case (its seed, knobs and
    /// script), paused at its start.
    LoadCase(Box<Case>),
    /// Show the system as it was at a position (with the targeted order).
    TimeTravel {
        /// The position.
        position: GlobalPosition,
        /// The order to show.
        order: Option<OrderId>,
    },
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The envelopes, as the lab stores and imports them.
    Envelopes,
    /// Cosmos DB documents (partition key `/aggregateId`).
    Cosmos,
}

/// The answer to the last export, import or reset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DataStatus {
    /// Nothing asked.
    #[default]
    Idle,
    /// Asked; the runtime is on it.
    Working(&'static str),
    /// Done, with what happened.
    Done(String),
    /// Refused or failed, with why; nothing stored changed.
    Failed(String),
}

/// Where the page keeps its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Storage {
    /// Not opened yet.
    #[default]
    Opening,
    /// IndexedDB: events survive reloads and are shared with other tabs.
    Persistent,
    /// Memory only, with the reason (IndexedDB unavailable or failing).
    MemoryOnly(String),
    /// IndexedDB holds the log but the browser's storage quota is used up: the stored
    /// log is shown and can be exported; commands are refused until there is room.
    Full,
    /// IndexedDB holds the log but refuses writes for another reason (given): shown
    /// and exportable, nothing new stored.
    ReadOnly(String),
    /// Waiting: a tab with an older version of the database holds the upgrade up.
    Blocked,
    /// Another tab opened a newer version; this tab closed its connection for it.
    Superseded,
}

/// What the page found when it started on the store a previous session left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Events committed but not yet delivered to every projection: their bus messages
    /// were lost with the page; the outbox relay published them again.
    pub republished: u64,
    /// Unreadable records set aside in the dead letters, each with its reason.
    pub quarantined: Vec<String>,
    /// Commands the durable queue kept when the page closed: sent again, same ids.
    pub requeued: u64,
    /// Events the store holds.
    pub events: u64,
    /// How the pages no longer open ended, when any left a marker.
    pub previous: Option<PreviousClose>,
}

impl Recovery {
    /// Sentences for the user, or none when there was nothing to recover.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = self.previous.as_ref().map_or_else(Vec::new, |p| {
            p.describe(self.events, self.requeued, self.republished)
        });
        // The summary of a close says these already.
        let summarized = !lines.is_empty();
        if self.republished > 0 && !summarized {
            lines.push(format!(
                "Recovered from the last session: {} event{} had not reached every projection when the page closed (their bus messages were lost); the outbox relay published {} again.",
                self.republished,
                if self.republished == 1 { "" } else { "s" },
                if self.republished == 1 { "it" } else { "them" },
            ));
        }
        if self.requeued > 0 && !summarized {
            lines.push(format!(
                "{} command{} still queued when the page closed; the durable queue kept {} and {} sent again with the same command ids, so none can be applied twice.",
                self.requeued,
                if self.requeued == 1 { " was" } else { "s were" },
                if self.requeued == 1 { "it" } else { "them" },
                if self.requeued == 1 { "it is" } else { "they are" },
            ));
        }
        if !self.quarantined.is_empty() {
            lines.push(format!(
                "{} unreadable record{} set aside in the dead letters (the rest loaded): {}",
                self.quarantined.len(),
                if self.quarantined.len() == 1 {
                    " was"
                } else {
                    "s were"
                },
                self.quarantined.join("; ")
            ));
        }
        lines
    }
}

/// The answer to the last command click.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Feedback {
    /// Nothing sent yet.
    #[default]
    Idle,
    /// A command is on its way through the engine.
    Sending(&'static str),
    /// The form could not be read; no command was sent.
    Invalid(FormError),
    /// The command was handled: accepted or rejected.
    Handled(Outcome),
}

/// The requests waiting, oldest first, handed to the controller one at a time.
#[derive(Debug, Default)]
pub struct Requests(VecDeque<Request>);

impl Requests {
    /// Asks for more work, after what waits.
    pub fn push(&mut self, request: Request) {
        self.0.push_back(request);
    }

    /// Asks for work of a kind only the newest of which matters: any waiting one of
    /// the same kind (`same`) is dropped first.
    pub fn replace(&mut self, same: impl Fn(&Request) -> bool, request: Request) {
        self.drop_all(same);
        self.0.push_back(request);
    }

    /// Asks once: nothing is added while the same request waits.
    pub fn once(&mut self, request: Request) {
        if !self.0.contains(&request) {
            self.0.push_back(request);
        }
    }

    /// Drops every waiting request `which` names.
    pub fn drop_all(&mut self, which: impl Fn(&Request) -> bool) {
        self.0.retain(|r| !which(r));
    }

    /// The oldest request waiting.
    pub fn take(&mut self) -> Option<Request> {
        self.0.pop_front()
    }

    /// Every command waiting to be sent, oldest first; other requests stay.
    pub fn take_sends(&mut self) -> Vec<(OrderId, OrderCommand)> {
        let mut sends = Vec::new();
        self.0.retain(|r| match r {
            Request::Send { order_id, command } => {
                sends.push((order_id.clone(), command.clone()));
                false
            }
            _ => true,
        });
        sends
    }
}
