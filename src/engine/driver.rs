//! Drives the engine against a store whose answers may come later (IndexedDB): the
//! async twin of `engine::sim::Simulation`'s loop. Each effect is carried out and its
//! result fed back before time moves on. Pure: the store is whatever carries out
//! `Effect`s, in memory for the native tests, IndexedDB in the page.

use super::effects::{Effect, EffectResult};
use super::{Engine, StepOutcome};
use crate::domain::ids::VirtualMillis;

/// Carries out the engine's effects on a store.
// Single-threaded (the page's wasm): the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait CarryOut {
    /// Why the store could not carry an effect out.
    type Error;
    /// Carries out one effect and answers with its result.
    async fn carry_out(&self, effect: Effect) -> Result<EffectResult, Self::Error>;
}

/// Carries out the engine's pending effects until none is left. On a store failure
/// the engine keeps awaiting that effect's result (time stands still) and the error is
/// returned for the page to show; a reload (crash and recovery) starts clean.
pub async fn settle<S: CarryOut>(engine: &mut Engine, store: &S) -> Result<(), S::Error> {
    while let Some((ticket, effect)) = engine.next_effect() {
        let result = store.carry_out(effect).await?;
        engine.complete(ticket, result);
    }
    Ok(())
}

/// Runs one task and carries out the effects it produced.
pub async fn step<S: CarryOut>(engine: &mut Engine, store: &S) -> Result<StepOutcome, S::Error> {
    let step = engine.step();
    settle(engine, store).await?;
    Ok(step)
}

/// Runs until nothing is scheduled or `max_steps` tasks ran; returns the tasks run.
pub async fn run_to_idle<S: CarryOut>(
    engine: &mut Engine,
    store: &S,
    max_steps: u64,
) -> Result<u64, S::Error> {
    let mut steps = 0;
    while steps < max_steps {
        match step(engine, store).await? {
            StepOutcome::Ran(_) => steps += 1,
            StepOutcome::Idle | StepOutcome::AwaitingEffects => break,
        }
    }
    Ok(steps)
}

/// Runs every task due up to virtual time `t` (at most `max_steps`), then moves the
/// clock to `t` if it got there; returns the tasks run.
pub async fn run_until<S: CarryOut>(
    engine: &mut Engine,
    store: &S,
    t: VirtualMillis,
    max_steps: u64,
) -> Result<u64, S::Error> {
    let mut steps = 0;
    while steps < max_steps && engine.next_due().is_some_and(|due| due <= t) {
        match step(engine, store).await? {
            StepOutcome::Ran(_) => steps += 1,
            StepOutcome::Idle | StepOutcome::AwaitingEffects => break,
        }
    }
    // When the frame's work ran out before `t` (its cap, or an answer still awaited),
    // virtual time waits for that work: the refusal is the intended outcome.
    if steps < max_steps && engine.advance_to(t).is_err() {
        return Ok(steps);
    }
    Ok(steps)
}
