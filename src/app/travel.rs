//! Time travel: the system as it was at an earlier global position — the targeted
//! order's state and the first rows of each read model, as a correct projection would
//! have shown them then.

use crate::domain::envelope::SharedEvent;
use crate::domain::ids::{GlobalPosition, OrderId, VirtualMillis};
use crate::domain::order::OrderState;
use crate::engine::views::time_travel;
use crate::store::ProjectionName;

/// Rows shown per read model.
pub const TRAVEL_ROWS: usize = 8;

/// One read model as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelThen {
    /// Which.
    pub name: ProjectionName,
    /// Its first rows by key, as (key, value) text.
    pub rows: Vec<(String, String)>,
    /// How many rows it had.
    pub total: usize,
}

/// The system as of a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelView {
    /// The position travelled to.
    pub position: GlobalPosition,
    /// The virtual time of that event (0 before the first).
    pub at: VirtualMillis,
    /// The targeted order then (`NotCreated` if it had no event yet).
    pub order: Option<(OrderId, OrderState)>,
    /// Each read model then.
    pub models: Vec<ModelThen>,
}

impl TravelView {
    /// Folds `events` (the log's first events, in position order, up to `position`).
    pub fn of(events: &[SharedEvent], position: GlobalPosition, order: Option<&OrderId>) -> Self {
        let upto: Vec<SharedEvent> = events
            .iter()
            .take_while(|e| e.global_position <= position)
            .cloned()
            .collect();
        let then = time_travel(&upto, GlobalPosition(upto.len() as u64));
        let order = order.map(|id| {
            let state = then.aggregates.get(id).cloned().unwrap_or_default();
            (id.clone(), state)
        });
        TravelView {
            position,
            at: upto.last().map_or(VirtualMillis(0), |e| e.recorded_at),
            order,
            models: then
                .read_models
                .into_iter()
                .map(|(name, model)| {
                    let rows = model.rows();
                    ModelThen {
                        name,
                        total: rows.len(),
                        rows: rows.into_iter().take(TRAVEL_ROWS).collect(),
                    }
                })
                .collect(),
        }
    }
}
