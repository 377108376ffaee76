//! The parts of the simulated system, by one name wherever the page shows them: a box
//! of the architecture diagram, the arrow leading into it, a lane of the timeline.

use super::tabs::{projection_id, Tab};
use crate::store::ProjectionName;

/// A part of the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The clients that send commands.
    Client,
    /// The bounded command bus.
    CommandBus,
    /// The command handler.
    Handler,
    /// The event store.
    Store,
    /// The outbox and its relay (or the handler's direct publish when the outbox is
    /// off).
    Outbox,
    /// The event bus (the broker: topic and subscriptions).
    EventBus,
    /// A subscription's projection.
    Projection(ProjectionName),
    /// A subscription's dead-letter queue.
    DeadLetters(ProjectionName),
    /// The query side: the read models.
    Query,
    /// The whole system (crashes, deployments).
    System,
}

impl Component {
    /// The timeline's lanes, top to bottom.
    pub const LANES: [Component; 9] = [
        Component::CommandBus,
        Component::Handler,
        Component::Store,
        Component::Outbox,
        Component::EventBus,
        Component::Projection(ProjectionName::OrderSummary),
        Component::Projection(ProjectionName::OrdersPerCustomer),
        Component::Projection(ProjectionName::RevenuePerDay),
        Component::System,
    ];

    /// The part's name on the timeline.
    pub fn title(self) -> &'static str {
        match self {
            Component::Client => "Client",
            Component::CommandBus => "Command bus",
            Component::Handler => "Handler",
            Component::Store => "Event store",
            Component::Outbox => "Outbox relay",
            Component::EventBus => "Event bus",
            Component::Projection(name) => name.title(),
            Component::DeadLetters(_) => "Dead letters",
            Component::Query => "Query",
            Component::System => "System",
        }
    }

    /// Its lane's index in `LANES` (the first lane for a part without one).
    pub fn lane(self) -> usize {
        Self::LANES.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The view that details this part, and the id of the element in it to bring
    /// into view.
    pub fn details(self) -> (Tab, String) {
        match self {
            Component::Client | Component::Handler => (Tab::Log, Tab::Log.panel_id()),
            Component::CommandBus | Component::Outbox | Component::EventBus | Component::System => {
                (Tab::Timeline, Tab::Timeline.panel_id())
            }
            Component::Store => (Tab::Events, Tab::Events.panel_id()),
            Component::Projection(name) => (Tab::ReadModels, projection_id(name)),
            Component::DeadLetters(name) => (
                Tab::ReadModels,
                format!("{}-dead-letters", projection_id(name)),
            ),
            Component::Query => (Tab::ReadModels, Tab::ReadModels.panel_id()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_opens_a_view_that_details_it() {
        let summary = ProjectionName::OrderSummary;
        let (tab, id) = Component::Projection(summary).details();
        assert_eq!(
            (tab, id.as_str()),
            (Tab::ReadModels, "projection-order-summary")
        );
        let (tab, id) = Component::DeadLetters(summary).details();
        assert_eq!(tab, Tab::ReadModels);
        assert_eq!(id, "projection-order-summary-dead-letters");
        assert_eq!(
            Component::Store.details(),
            (Tab::Events, "panel-events".to_owned())
        );
        assert_eq!(Component::Handler.details().0, Tab::Log);
        assert_eq!(Component::EventBus.details().0, Tab::Timeline);
    }

    #[test]
    fn each_lane_is_found_at_its_place() {
        for (i, c) in Component::LANES.iter().enumerate() {
            assert_eq!(c.lane(), i);
        }
    }
}
