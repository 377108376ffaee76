//! A lab running: the simulation a lab starts, moved on in virtual time, its timed
//! actions carried out as their moments pass.

use super::lab::{describe_change, Action, Lab};
use crate::domain::ids::{CustomerId, VirtualMillis};
use crate::domain::privacy::KeyVault;
use crate::engine::fulfilment::Fulfilment;
use crate::engine::knobs::{describe_crash, Knobs};
use crate::engine::rebuild::RebuildStrategy;
use crate::engine::sim::Simulation;
use crate::engine::Engine;

/// A lab running: its simulation, the knobs in force and what its actions did.
#[derive(Debug, Clone)]
pub struct Run {
    lab: Lab,
    sim: Simulation,
    vault: KeyVault,
    saga: Option<Fulfilment>,
    knobs: Knobs,
    next_action: usize,
    notes: Vec<(VirtualMillis, String)>,
}

impl Run {
    /// The lab at time 0.
    pub fn new(lab: Lab) -> Self {
        let mut vault = KeyVault::new(lab.seed);
        let engine = Engine::new(lab.config(), lab.sealed_script(&mut vault));
        Run {
            vault,
            knobs: lab.knobs,
            sim: Simulation::new(engine),
            // `check` reports a setup that does not build; such a lab runs without it.
            saga: lab
                .saga
                .as_ref()
                .and_then(|s| Fulfilment::new(s.config.clone(), &s.orders).ok()),
            lab,
            next_action: 0,
            notes: Vec::new(),
        }
    }

    /// Runs everything due up to `t`, each of the lab's actions at its time (before
    /// the tasks due then).
    pub fn advance_to(&mut self, t: VirtualMillis) {
        while let Some(timed) = self
            .lab
            .actions
            .get(self.next_action)
            .filter(|a| a.at <= t.0)
            .cloned()
        {
            // An action at `at` comes before the tasks due at `at`.
            if timed.at > 0 {
                self.sim.run_until(VirtualMillis(timed.at - 1));
            }
            // Everything due before `at` ran: the clock moves to it.
            let moved = self.sim.engine.advance_to(VirtualMillis(timed.at));
            debug_assert!(moved.is_ok(), "{moved:?}");
            self.act(&timed.action);
            self.next_action += 1;
        }
        self.sim.run_until(t);
        if let Some(saga) = self.saga.as_mut() {
            saga.run_until(t);
        }
    }

    /// The customers' keys (crypto-shredding deletes one).
    pub fn vault(&self) -> &KeyVault {
        &self.vault
    }

    /// The fulfilment saga's run, in a saga scenario.
    pub fn saga(&self) -> Option<&Fulfilment> {
        self.saga.as_ref()
    }

    fn act(&mut self, action: &Action) {
        let engine = &mut self.sim.engine;
        let note = match action {
            Action::Crash => {
                let report = engine.crash();
                engine.recover();
                describe_crash(
                    &report,
                    report.kept.len(),
                    (engine.config().outbox, &engine.config().bus.transport),
                )
            }
            Action::Set { knobs } => {
                self.knobs = knobs.applied_to(self.knobs);
                self.knobs.apply(engine);
                describe_change(knobs)
            }
            Action::Rebuild { projection } => {
                engine.start_rebuild(*projection, RebuildStrategy::InPlace);
                format!("Rebuilding {} from the event store.", projection.title())
            }
            Action::Forget { customer } => match CustomerId::parse(customer) {
                Ok(id) if self.vault.forget(&id) => format!(
                    "Forgot {id}: their key is deleted. Their name and address now read [erased] in every view; every event stays."
                ),
                Ok(id) => format!("{id} had no key to delete."),
                Err(e) => format!("No customer forgotten: {e}."),
            },
            Action::Resubmit { projection } => {
                let n = engine.resubmit_dead_letters(*projection);
                format!("Resubmitted {n} dead letter(s) of {}.", projection.title())
            }
        };
        self.notes.push((self.sim.engine.now(), note));
    }

    /// The lab.
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// The simulation.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The knobs in force.
    pub fn knobs(&self) -> Knobs {
        self.knobs
    }

    /// What the actions so far did, with their times.
    pub fn notes(&self) -> &[(VirtualMillis, String)] {
        &self.notes
    }
}
