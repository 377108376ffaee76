//! The event table's part: the events read for the part of the log scrolled to (beyond
//! the newest ones the log view holds), and the event whose JSON is open.

use super::request::{Request, Requests};
use crate::app::log_view::LogView;
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::GlobalPosition;

/// Most events read at once for the part of the event table scrolled to.
pub const WINDOW_READ: u64 = 300;

/// The table's state.
#[derive(Debug, Default)]
pub struct Table {
    /// Events read for the part scrolled to: contiguous, oldest first.
    window: Vec<SharedEvent>,
    /// The positions being read.
    reading: Option<(GlobalPosition, GlobalPosition)>,
    /// Counts the logs this page has shown (each import, reset or replacement starts
    /// a new one).
    generation: u64,
    /// The event whose JSON is open, if any.
    selected: Option<SharedEvent>,
}

/// What the user did with the table, and the reads it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableMsg {
    /// The table was scrolled: it shows positions `first ..= last`.
    ScrolledEvents {
        /// The oldest position shown.
        first: GlobalPosition,
        /// The newest position shown.
        last: GlobalPosition,
    },
    /// Events asked for by the table were read.
    RangeRead {
        /// The oldest position asked for.
        first: GlobalPosition,
        /// Which log it was asked of.
        log: u64,
        /// The events, oldest first.
        events: Vec<SharedEvent>,
    },
    /// Clicked an event's JSON button: opens it, or closes it if it was open.
    ClickedEvent(GlobalPosition),
}

impl Table {
    /// Applies a message (`log`: the newest events the page holds).
    pub fn update(&mut self, msg: TableMsg, log: &LogView, requests: &mut Requests) {
        match msg {
            TableMsg::ScrolledEvents { first, last } => self.want_range(first, last, log, requests),
            TableMsg::RangeRead {
                first,
                log: of,
                events,
            } => self.range_read(first, of, events, log),
            TableMsg::ClickedEvent(position) => {
                let open = self.selected.as_ref().map(|e| e.global_position);
                self.selected = if open == Some(position) {
                    None
                } else {
                    self.event_at(position, log).cloned()
                };
            }
        }
    }

    /// Takes in a range read, if it still belongs to this log and the part asked for.
    fn range_read(
        &mut self,
        first: GlobalPosition,
        of: u64,
        events: Vec<SharedEvent>,
        log: &LogView,
    ) {
        // An answer about a log replaced meanwhile changes nothing.
        if of != self.generation {
            return;
        }
        if self.reading.is_some_and(|(asked, _)| asked == first) {
            self.reading = None;
        }
        let contiguous = events
            .windows(2)
            .all(|w| w[1].global_position == w[0].global_position.next());
        let starts = events.first().is_some_and(|e| e.global_position == first);
        let known = events
            .last()
            .is_some_and(|e| e.global_position <= log.head());
        if starts && contiguous && known {
            self.window = events;
        }
    }

    /// The event whose JSON is open, if any.
    pub fn selected(&self) -> Option<&SharedEvent> {
        self.selected.as_ref()
    }

    /// The event at a position, if the page holds it (among the newest, or in the
    /// part of the table scrolled to).
    pub fn event_at<'a>(
        &'a self,
        position: GlobalPosition,
        log: &'a LogView,
    ) -> Option<&'a SharedEvent> {
        let tail = log.tail();
        if let Ok(i) = tail.binary_search_by_key(&position, |e| e.global_position) {
            return tail.get(i);
        }
        self.window
            .binary_search_by_key(&position, |e| e.global_position)
            .ok()
            .and_then(|i| self.window.get(i))
    }

    /// The table shows `first ..= last`: reads the events the page does not hold
    /// (with a margin either side, so a little more scrolling needs no read), unless
    /// they are being read already.
    fn want_range(
        &mut self,
        first: GlobalPosition,
        last: GlobalPosition,
        log: &LogView,
        requests: &mut Requests,
    ) {
        let head = log.head();
        let (first, last) = (first.max(GlobalPosition(1)), last.min(head));
        if first > last {
            return;
        }
        let held = |p: GlobalPosition| self.event_at(p, log).is_some();
        if held(first) && held(last) {
            return;
        }
        if self
            .reading
            .is_some_and(|(from, to)| from <= first && last <= to)
        {
            return;
        }
        let span = last.0 - first.0 + 1;
        let margin = WINDOW_READ.saturating_sub(span) / 2;
        let from = GlobalPosition(first.0.saturating_sub(margin).max(1));
        let to = GlobalPosition((from.0 + WINDOW_READ.max(span) - 1).min(head.0));
        requests.replace(
            |r| matches!(r, Request::ReadRange { .. }),
            Request::ReadRange {
                first: from,
                last: to,
                log: self.generation,
            },
        );
        self.reading = Some((from, to));
    }

    /// A new log (read at startup, imported, reset, or replaced by another tab):
    /// events read for the old one are let go, answers about it ignored.
    pub fn new_log(&mut self, requests: &mut Requests) {
        self.window.clear();
        self.reading = None;
        self.generation += 1;
        requests.drop_all(|r| matches!(r, Request::ReadRange { .. }));
    }

    /// Closes the open event.
    pub fn close_event(&mut self) {
        self.selected = None;
    }
}
