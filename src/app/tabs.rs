//! The views below the diagram, one shown at a time, and which one each part of the
//! diagram opens.

use crate::store::ProjectionName;

/// A view below the diagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tab {
    /// The event store's table of events.
    #[default]
    Events,
    /// Each order's stream: its history with snapshot markers, and its state.
    Streams,
    /// Each projection beside the write model's truth, with its dead letters.
    ReadModels,
    /// Events and milliseconds behind, per projection, over time.
    Lag,
    /// The hops of the last moments, one lane per component.
    Timeline,
    /// What became of each command: rejections and conflicts with their reasons.
    Log,
    /// The system as it was after an earlier event.
    TimeTravel,
    /// Each component and the Azure service it stands for.
    Azure,
}

impl Tab {
    /// Every tab, in the order the tab list shows them.
    pub const ALL: [Tab; 8] = [
        Tab::Events,
        Tab::Streams,
        Tab::ReadModels,
        Tab::Lag,
        Tab::Timeline,
        Tab::Log,
        Tab::TimeTravel,
        Tab::Azure,
    ];

    /// The tab's name (its accessible name and the label of its panel).
    pub fn title(self) -> &'static str {
        match self {
            Tab::Events => "Event store",
            Tab::Streams => "Streams",
            Tab::ReadModels => "Read models",
            Tab::Lag => "Lag",
            Tab::Timeline => "Timeline",
            Tab::Log => "Command log",
            Tab::TimeTravel => "Time travel",
            Tab::Azure => "Azure",
        }
    }

    /// A short key for element ids (`tab-<key>`, `panel-<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Tab::Events => "events",
            Tab::Streams => "streams",
            Tab::ReadModels => "read-models",
            Tab::Lag => "lag",
            Tab::Timeline => "timeline",
            Tab::Log => "log",
            Tab::TimeTravel => "travel",
            Tab::Azure => "azure",
        }
    }

    /// The tab a key names (`key`), as the workbench's address writes it.
    pub fn from_key(key: &str) -> Option<Tab> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The tab `step` places after this one in the list (negative: before), wrapping
    /// around, as the arrow keys move along a tab list.
    pub fn moved(self, step: isize) -> Tab {
        let n = Self::ALL.len() as isize;
        let at = Self::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Self::ALL[(at + step).rem_euclid(n) as usize]
    }
}

/// The id of a projection's heading in the read models view.
pub fn projection_id(name: ProjectionName) -> String {
    format!("projection-{}", name.key())
}

impl Tab {
    /// The id of the tab's panel.
    pub fn panel_id(self) -> String {
        format!("panel-{}", self.key())
    }

    /// The id of the tab itself.
    pub fn tab_id(self) -> String {
        format!("tab-{}", self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_keys_wrap_around_the_tab_list() {
        assert_eq!(Tab::Events.moved(1), Tab::Streams);
        assert_eq!(Tab::Events.moved(-1), Tab::Azure);
        assert_eq!(Tab::Azure.moved(1), Tab::Events);
        for tab in Tab::ALL {
            assert_eq!(tab.moved(1).moved(-1), tab);
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut keys: Vec<_> = Tab::ALL.iter().map(|t| t.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Tab::ALL.len());
    }
}
