//! Drives the engine against IndexedDB: the async twin of `engine::sim::Simulation`'s
//! loop. Each effect is carried out and its result fed back before time moves on.

use super::store::{IdbStore, StoreError};
use crate::domain::ids::VirtualMillis;
use crate::engine::{Engine, StepOutcome};

/// Carries out the engine's pending effects until none is left. On a store failure
/// the engine keeps awaiting that effect's result (time stands still) and the error is
/// returned for the page to show; a reload (crash and recovery) starts clean.
pub async fn settle(engine: &mut Engine, store: &IdbStore) -> Result<(), StoreError> {
    while let Some((ticket, effect)) = engine.next_effect() {
        let result = store.execute(effect).await?;
        engine.complete(ticket, result);
    }
    Ok(())
}

/// Runs one task and carries out the effects it produced.
pub async fn step(engine: &mut Engine, store: &IdbStore) -> Result<StepOutcome, StoreError> {
    let step = engine.step();
    settle(engine, store).await?;
    Ok(step)
}

/// Runs until nothing is scheduled or `max_steps` tasks ran; returns the tasks run.
pub async fn run_to_idle(
    engine: &mut Engine,
    store: &IdbStore,
    max_steps: u64,
) -> Result<u64, StoreError> {
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
pub async fn run_until(
    engine: &mut Engine,
    store: &IdbStore,
    t: VirtualMillis,
    max_steps: u64,
) -> Result<u64, StoreError> {
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
