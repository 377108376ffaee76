//! The counterexample hunt's part: "Find a failure" runs seeds in frames, shrinks what
//! fails, and offers to load the failing case in the workbench (after asking).

use crate::app::confirm::Confirm;
use crate::app::hunter::{Case, Hunt, Phase as HuntPhase};
use crate::engine::knobs::Knobs;

/// Seeds one hunt tries.
pub const HUNT_SEEDS: u64 = 500;
/// Runs a hunt makes per frame.
pub const HUNT_RUNS_PER_FRAME: u32 = 3;

/// The hunt's state.
#[derive(Debug, Default)]
pub struct Hunting {
    /// The counterexample hunt, running or with its result.
    pub hunt: Option<Hunt>,
    /// What became of the last hunt that was cancelled or loaded.
    pub note: Option<String>,
}

/// What the user did with the hunt, and its frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HuntMsg {
    /// Clicked "Find a failure".
    ClickedFindFailure,
    /// A frame passed while a hunt runs.
    HuntTick,
    /// Clicked "Cancel" on a running hunt, or "Close" on its result.
    ClickedStopHunt,
    /// Clicked "Load the failing case".
    ClickedLoadCase,
    /// Confirmed loading the failing case (it replaces the stored events).
    ConfirmedLoadCase,
    /// Cancelled loading it.
    CancelledLoadCase,
}

impl Hunting {
    /// Applies a message (`knobs`, `seed`: what a new hunt starts from; `confirming`:
    /// the page's one question). Answers with the case to load, once confirmed.
    pub fn update(
        &mut self,
        msg: HuntMsg,
        (knobs, seed): (Knobs, u64),
        confirming: &mut Option<Confirm>,
    ) -> Option<Case> {
        let load = |c: &Confirm| *c == Confirm::LoadCase;
        match msg {
            HuntMsg::ClickedFindFailure => {
                self.hunt = Some(Hunt::new(knobs, seed, HUNT_SEEDS));
                confirming.take_if(|c| load(c));
                self.note = None;
            }
            HuntMsg::HuntTick => {
                if let Some(hunt) = self.hunt.as_mut() {
                    hunt.work(HUNT_RUNS_PER_FRAME);
                }
            }
            HuntMsg::ClickedStopHunt => {
                confirming.take_if(|c| load(c));
                self.stop();
            }
            HuntMsg::ClickedLoadCase => *confirming = Some(Confirm::LoadCase),
            HuntMsg::CancelledLoadCase => {
                confirming.take_if(|c| load(c));
            }
            HuntMsg::ConfirmedLoadCase => {
                confirming.take_if(|c| load(c))?;
                return self.load();
            }
        }
        None
    }

    /// Cancels a running hunt, saying how far it got; closes a finished one.
    fn stop(&mut self) {
        let Some(hunt) = self.hunt.take().filter(|h| !h.is_done()) else {
            return;
        };
        let (tried, of) = hunt.progress();
        self.note = Some(format!(
            "Cancelled after {tried} of {of} seeds{}.",
            if matches!(hunt.phase(), HuntPhase::Shrinking { .. }) {
                ", while shrinking a failure it had found"
            } else {
                ": no failure so far"
            }
        ));
    }

    /// The shrunk failing case, to load: the hunt ends, the note says what to watch.
    fn load(&mut self) -> Option<Case> {
        let case = self.hunt.as_ref().and_then(|h| match h.phase() {
            HuntPhase::Found { shrunk, .. } => Some(Case::clone(shrunk)),
            _ => None,
        })?;
        self.note = Some(format!(
            "Loaded the failing case: seed {}, {} command(s), paused at its start. Press Step or Play and watch: {}",
            case.seed,
            case.script.len(),
            case.broken
        ));
        self.hunt = None;
        Some(case)
    }

    /// True while a hunt runs (the page sends it frames).
    pub fn is_running(&self) -> bool {
        self.hunt.as_ref().is_some_and(|h| !h.is_done())
    }
}
