//! The time-travel part: the slider's position and the system as it was there.

use super::request::{Request, Requests};
use crate::app::travel::TravelView;
use crate::domain::ids::{GlobalPosition, OrderId};

/// Where the slider is, and what was read for it.
#[derive(Debug, Default)]
pub struct TimeTravel {
    /// The position the slider is at (`None`: now).
    pub to: Option<GlobalPosition>,
    /// The system as it was there, once read.
    pub view: Option<TravelView>,
}

/// What the user did with the slider, and what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TravelMsg {
    /// Moved the "Time travel" slider to a position.
    ChoseTravel(u64),
    /// Clicked "Back to now".
    ClickedNow,
    /// The system as it was at a position.
    Travelled(TravelView),
}

impl TimeTravel {
    /// Applies a message (`head`: the newest position; `order`: the one to show).
    pub fn update(
        &mut self,
        msg: TravelMsg,
        (head, order): (GlobalPosition, Option<OrderId>),
        requests: &mut Requests,
    ) {
        match msg {
            TravelMsg::ChoseTravel(position) => {
                let position = GlobalPosition(position.min(head.0));
                self.to = Some(position);
                requests.replace(
                    |r| matches!(r, Request::TimeTravel { .. }),
                    Request::TimeTravel { position, order },
                );
            }
            TravelMsg::ClickedNow => {
                self.back_to_now();
                requests.drop_all(|r| matches!(r, Request::TimeTravel { .. }));
            }
            TravelMsg::Travelled(view) => {
                // Only the answer for where the slider still is.
                if self.to == Some(view.position) {
                    self.view = Some(view);
                }
            }
        }
    }

    /// Shows now again.
    pub fn back_to_now(&mut self) {
        self.to = None;
        self.view = None;
    }
}
