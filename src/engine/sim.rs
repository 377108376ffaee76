//! A simulation: the engine paired with the in-memory store, which carries out every
//! effect synchronously, so a run is a plain loop. The browser pairs the same engine
//! with the IndexedDB adapter instead.

use super::effects::{Effect, EffectResult};
use super::{Engine, StepOutcome};
use crate::domain::ids::VirtualMillis;
use crate::store::MemoryStore;

/// The engine and its store.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The engine.
    pub engine: Engine,
    /// The store it writes to.
    pub store: MemoryStore,
}

impl Simulation {
    /// A simulation over an empty store.
    pub fn new(engine: Engine) -> Self {
        Simulation {
            engine,
            store: MemoryStore::new(),
        }
    }

    /// Runs one task and carries out the effects it produced.
    pub fn step(&mut self) -> StepOutcome {
        let step = self.engine.step();
        self.settle();
        step
    }

    /// Runs every task due up to `t`, then moves the clock to `t`.
    pub fn run_until(&mut self, t: VirtualMillis) {
        while self.engine.next_due().is_some_and(|due| due <= t) {
            self.step();
        }
        // Every task due by `t` ran (effects settle at once here), so nothing blocks.
        let moved = self.engine.advance_to(t);
        debug_assert!(moved.is_ok(), "{moved:?}");
    }

    /// Runs until nothing is scheduled or `max_steps` tasks ran; returns the tasks run.
    pub fn run_to_idle(&mut self, max_steps: u64) -> u64 {
        let mut steps = 0;
        while steps < max_steps {
            match self.step() {
                StepOutcome::Ran(_) => steps += 1,
                StepOutcome::Idle | StepOutcome::AwaitingEffects => break,
            }
        }
        steps
    }

    /// Carries out effects until none is left.
    fn settle(&mut self) {
        while let Some((ticket, effect)) = self.engine.next_effect() {
            let result = execute(&mut self.store, effect);
            self.engine.complete(ticket, result);
        }
    }
}

/// Carries out one effect on the in-memory store.
pub fn execute(store: &mut MemoryStore, effect: Effect) -> EffectResult {
    match effect {
        Effect::LoadStream {
            handler,
            stream_id,
            command_id,
            into,
        } => EffectResult::StreamLoaded {
            handler,
            already_processed: store.check_processed(&command_id),
            stream: store.load_stream_into(&stream_id, into),
        },
        Effect::Append {
            handler,
            mut request,
            into,
        } => EffectResult::Appended {
            handler,
            result: store.append_into(&mut request, into),
            spent: request.events,
        },
        Effect::SaveSnapshot(snapshot) => {
            store.save_snapshot(*snapshot);
            EffectResult::Done
        }
        Effect::ReadOutbox { after, limit } => {
            let (events, more) = store.outbox_after(after, limit);
            EffectResult::OutboxRead { events, more }
        }
        Effect::ReadAll {
            projection,
            after,
            limit,
        } => EffectResult::EventsRead {
            projection,
            events: store.read_all(after, limit).to_vec(),
        },
        Effect::MarkPublished(positions) => {
            store.mark_published(&positions);
            EffectResult::Done
        }
        Effect::SaveProjection(save) => {
            store.save_projection(save);
            EffectResult::Done
        }
    }
}
