//! The simulation's controls: the clock (play, pause, step, speed, seed), the fault
//! knobs and deployments, a projection's handling, a crash; and what the engine last
//! reported of them (the diagram, the lag chart's samples, the crash report).

use super::request::{Request, Requests};
use crate::app::clock::{nothing_to_step, SimClock};
use crate::app::diagram::DiagramView;
use crate::app::log_view::LogView;
use crate::app::transports::{TransportKind, TransportOption};
use crate::domain::ids::VirtualMillis;
use crate::engine::config::ProjectionMode;
use crate::engine::knobs::{Knobs, Lag};
use crate::store::ProjectionName;
use std::collections::VecDeque;

/// Lag samples kept for the chart.
pub const LAG_SAMPLES: usize = 120;

/// How far each projection was behind at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagSample {
    /// Virtual time.
    pub at: VirtualMillis,
    /// Per projection (`ProjectionName::ALL` order): events stored but not applied...
    pub events: [u64; 3],
    /// ...and virtual ms since the oldest of them was recorded (when the page holds it).
    pub ms: [Option<u64>; 3],
}

/// The controls' state.
#[derive(Debug, Default)]
pub struct Controls {
    /// Playing or paused, speed and seed.
    pub clock: SimClock,
    /// The fault knobs.
    pub knobs: Knobs,
    /// Whose transport settings the controls show and change: one subscription's, or
    /// (`None`) the whole bus's.
    pub scope: Option<ProjectionName>,
    /// What the last crash lost and kept.
    pub crash_report: Option<String>,
    /// The architecture diagram as the engine last reported it.
    pub diagram: Option<DiagramView>,
    /// Each projection's lag over the last moments, oldest first (at most
    /// `LAG_SAMPLES`).
    pub lag: VecDeque<LagSample>,
}

/// What the user did with the controls, and what the engine answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlsMsg {
    /// Clicked "Play".
    ClickedPlay,
    /// Clicked "Pause".
    ClickedPause,
    /// Clicked "Step".
    ClickedStep,
    /// Moved the "Speed" slider to this position.
    ChoseSpeed(usize),
    /// Typed into the "Seed" field.
    EditedSeed(String),
    /// Moved the "Duplicate rate" slider (percent).
    ChoseDuplicateRate(u32),
    /// Chose a "Delivery lag".
    ChoseLag(Lag),
    /// Ticked or cleared "Reorder".
    ToggledReorder(bool),
    /// Ticked or cleared "Outbox".
    ToggledOutbox(bool),
    /// Chose the projection to fail ("Fail projection"), or none.
    ChoseFailing(Option<ProjectionName>),
    /// Chose a "Transport": every knob to that service's documented defaults.
    ChoseTransport(TransportKind),
    /// Changed one setting of the transport in force (for the scope chosen).
    SetTransport(TransportOption),
    /// Chose whose transport settings to change ("Settings of"): one subscription's,
    /// or every subscription's.
    ChoseScope(Option<ProjectionName>),
    /// Chose how often the handlers save a snapshot ("Snapshot every").
    ChoseSnapshotEvery(u64),
    /// Clicked "Deploy schema v2".
    ClickedDeployV2,
    /// Ticked or cleared "Upcaster".
    ToggledUpcaster(bool),
    /// Ticked or cleared a projection's "Idempotent".
    ToggledIdempotent(ProjectionName, bool),
    /// Clicked a projection's "Rebuild".
    ClickedRebuild(ProjectionName),
    /// Clicked a projection's "Replay from the hub" (Event Hubs).
    ClickedReplayFromHub(ProjectionName),
    /// Clicked "Resubmit" on a subscription's dead letters.
    ClickedResubmit(ProjectionName),
    /// Clicked "Crash".
    ClickedCrash,
    /// The simulated system crashed and recovered: what it lost and kept.
    Crashed(String),
    /// Step found nothing scheduled: nothing ran (`deferred`: deliveries set aside,
    /// waiting for earlier events).
    SteppedIdle {
        /// Deliveries deferred.
        deferred: u64,
    },
}

impl Controls {
    /// Applies a message; new knobs are returned (the log's view follows their
    /// snapshot interval).
    pub fn update(&mut self, msg: ControlsMsg, requests: &mut Requests) -> Option<Knobs> {
        let knobs = self.knobs;
        let changed = match msg {
            ControlsMsg::ClickedPlay => {
                self.clock.playing = true;
                self.clock.note = None;
                None
            }
            ControlsMsg::ClickedPause => {
                self.clock.playing = false;
                None
            }
            ControlsMsg::ClickedStep => {
                self.clock.playing = false;
                self.clock.note = None;
                requests.push(Request::Step);
                None
            }
            ControlsMsg::ChoseSpeed(index) => {
                self.clock.set_speed(index);
                None
            }
            ControlsMsg::EditedSeed(text) => {
                if let Some(seed) = self.clock.set_seed_text(text) {
                    requests.replace(|r| matches!(r, Request::Reseed(_)), Request::Reseed(seed));
                }
                None
            }
            ControlsMsg::ClickedCrash => {
                requests.push(Request::Crash);
                None
            }
            ControlsMsg::Crashed(report) => {
                self.crash_report = Some(report);
                None
            }
            ControlsMsg::SteppedIdle { deferred } => {
                self.clock.note = Some(nothing_to_step(deferred));
                None
            }
            ControlsMsg::ChoseScope(scope) => {
                self.scope = scope;
                None
            }
            ControlsMsg::SetTransport(option) => {
                Some(knobs.with_transport_option(self.scope, option))
            }
            ControlsMsg::ClickedReplayFromHub(name) => {
                requests.push(Request::ReplayFromHub(name));
                None
            }
            ControlsMsg::ClickedRebuild(name) => {
                requests.push(Request::Rebuild(name));
                None
            }
            ControlsMsg::ClickedResubmit(name) => {
                requests.push(Request::Resubmit(name));
                None
            }
            knob => Some(knobs_after(knob, knobs)),
        };
        let knobs = changed?;
        self.set_knobs(knobs, requests);
        Some(knobs)
    }

    /// Changes the fault knobs and asks the controller to apply them (the newest wins).
    pub fn set_knobs(&mut self, knobs: Knobs, requests: &mut Requests) {
        self.knobs = knobs;
        requests.replace(
            |r| matches!(r, Request::SetKnobs(_)),
            Request::SetKnobs(knobs),
        );
    }

    /// Takes in the diagram the engine reported, and samples how far each projection
    /// is behind.
    pub fn advanced(&mut self, diagram: DiagramView, log: &LogView) {
        self.clock.now = diagram.now;
        self.sample_lag(&diagram, log);
        self.diagram = Some(diagram);
    }

    /// Records how far each projection is behind now (events, and ms when the oldest
    /// unapplied event is among those the page holds).
    fn sample_lag(&mut self, diagram: &DiagramView, log: &LogView) {
        let head = log.head().0;
        let mut sample = LagSample {
            at: diagram.now,
            events: [0; 3],
            ms: [None; 3],
        };
        for (i, lane) in diagram.lanes.iter().take(3).enumerate() {
            let behind = head.saturating_sub(lane.checkpoint.0);
            sample.events[i] = behind;
            sample.ms[i] = if behind == 0 {
                Some(0)
            } else {
                log.tail()
                    .iter()
                    .find(|e| e.global_position > lane.checkpoint)
                    .map(|e| diagram.now.0.saturating_sub(e.recorded_at.0))
            };
        }
        if self.lag.back().is_some_and(|last| last.at == sample.at) {
            self.lag.pop_back();
        }
        if self.lag.len() == LAG_SAMPLES {
            self.lag.pop_front();
        }
        self.lag.push_back(sample);
    }
}

/// The knobs after a message that sets one (the others stay).
fn knobs_after(msg: ControlsMsg, knobs: Knobs) -> Knobs {
    match msg {
        ControlsMsg::ChoseDuplicateRate(percent) => Knobs {
            duplicate_percent: percent.min(100),
            ..knobs
        },
        ControlsMsg::ChoseLag(lag) => Knobs { lag, ..knobs },
        ControlsMsg::ToggledReorder(reorder) => Knobs { reorder, ..knobs },
        ControlsMsg::ToggledOutbox(outbox) => Knobs { outbox, ..knobs },
        ControlsMsg::ChoseFailing(failing) => Knobs { failing, ..knobs },
        ControlsMsg::ChoseTransport(kind) => knobs.profile(kind.transport()),
        ControlsMsg::ChoseSnapshotEvery(every) => Knobs {
            snapshot_every: every.max(1),
            ..knobs
        },
        ControlsMsg::ClickedDeployV2 => Knobs {
            schema_v2: true,
            ..knobs
        },
        ControlsMsg::ToggledUpcaster(upcaster) => Knobs { upcaster, ..knobs },
        ControlsMsg::ToggledIdempotent(name, on) => {
            let mode = if on {
                ProjectionMode::Idempotent
            } else {
                ProjectionMode::Naive
            };
            knobs.with_mode(name, mode)
        }
        _ => knobs,
    }
}
