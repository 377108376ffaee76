//! How the last page ended, told at the next start. While a tab is open it keeps a
//! marker in the browser's storage: "open", and the scripted commands that would die
//! with it (simulated clients live in the page's memory, not in the durable queue).
//! A normal close (a reload, a closed tab) marks it "closed"; a killed browser cannot,
//! so a marker still "open" that no living tab answers for was closed abruptly.

/// Where the tabs' markers are stored (one key for all).
pub const MARKERS_KEY: &str = "cqrs-lab.open";

/// Most command ids a marker lists (the count is kept in full).
pub const IDS_LISTED: usize = 8;

/// What a tab keeps about itself while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marker {
    /// True once the page was hidden or unloaded normally.
    pub closed: bool,
    /// Scripted commands not handled yet, which die with the page.
    pub in_flight: u64,
    /// The first of their ids (at most `IDS_LISTED`).
    pub ids: Vec<String>,
}

impl Marker {
    /// A marker for a tab with these scripted commands in flight (their ids).
    pub fn open(in_flight: &[String]) -> Self {
        Marker {
            closed: false,
            in_flight: in_flight.len() as u64,
            ids: in_flight.iter().take(IDS_LISTED).cloned().collect(),
        }
    }

    /// The marker as stored: "open" or "closed", the count, then one id per line.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}",
            if self.closed { "closed" } else { "open" },
            self.in_flight
        );
        for id in &self.ids {
            text.push('\n');
            text.push_str(id);
        }
        text
    }

    /// Reads a stored marker (`None` if it is not one).
    pub fn parse(text: &str) -> Option<Marker> {
        let mut lines = text.lines();
        let closed = match lines.next()? {
            "open" => false,
            "closed" => true,
            _ => return None,
        };
        let in_flight = lines.next()?.parse().ok()?;
        let ids = lines
            .take(IDS_LISTED)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        Some(Marker {
            closed,
            in_flight,
            ids,
        })
    }
}

/// How the previous pages (tabs no longer open) ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousClose {
    /// True when one of them was not closed normally (the browser or tab was killed).
    pub abrupt: bool,
    /// Scripted commands that died with them.
    pub lost: u64,
    /// The first of their ids.
    pub ids: Vec<String>,
}

impl PreviousClose {
    /// What the markers of tabs no longer open say (`None`: there were none).
    pub fn of(markers: &[Marker]) -> Option<Self> {
        if markers.is_empty() {
            return None;
        }
        let mut ids: Vec<String> = markers.iter().flat_map(|m| m.ids.clone()).collect();
        ids.truncate(IDS_LISTED);
        Some(PreviousClose {
            abrupt: markers.iter().any(|m| !m.closed),
            lost: markers
                .iter()
                .fold(0u64, |sum, m| sum.saturating_add(m.in_flight)),
            ids,
        })
    }

    /// The recovery summary: what the page kept and what it lost. `events` are the
    /// stored events, `requeued` the commands the durable queue sent again,
    /// `republished` the events the outbox relay published again.
    pub fn describe(&self, events: u64, requeued: u64, republished: u64) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.abrupt && self.lost == 0 {
            return lines;
        }
        let plural = |n: u64, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        lines.push(format!(
            "{} Kept: {} in IndexedDB. Sent again: {} from the durable queue. Published again: {} by the outbox relay.",
            if self.abrupt {
                "The lab was not closed normally last time."
            } else {
                "The lab was closed with a script under way."
            },
            plural(events, "event", "events"),
            plural(requeued, "command", "commands"),
            plural(republished, "event", "events"),
        ));
        if self.lost == 0 {
            lines.push("Nothing was lost.".to_owned());
        } else {
            let more = self.lost.saturating_sub(self.ids.len() as u64);
            lines.push(format!(
                "Lost: {} the simulated clients still held ({}{}). Clients live in the page's memory, not in a durable queue: what they held died with the page.",
                plural(self.lost, "scripted command", "scripted commands"),
                self.ids.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        lines
    }
}

/// Every tab's marker, as one stored text: `tab <token>` then the marker's lines, the
/// tabs apart by a blank line (one storage key for all: no key needs listing).
pub fn markers_to_text(markers: &[(String, Marker)]) -> String {
    markers
        .iter()
        .map(|(token, marker)| format!("tab {token}\n{}", marker.to_text()))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Reads the stored markers (a block that does not read is skipped).
pub fn markers_from_text(text: &str) -> Vec<(String, Marker)> {
    text.split("\n\n")
        .filter_map(|block| {
            let (head, rest) = block.split_once('\n')?;
            let token = head.strip_prefix("tab ")?;
            Some((token.to_owned(), Marker::parse(rest)?))
        })
        .collect()
}
