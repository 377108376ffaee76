//! The page's engine: each command a user sends becomes a scripted command of this
//! session (ids `cmd-<tab>-<n>`, unique per tab), runs through the engine's command bus,
//! handler, store, outbox and event bus, and its outcome is read back from the trace.
//! The store is whatever carries out the effects: IndexedDB in the browser
//! (`web::runtime`), the in-memory store natively (`run_in_memory`).

use super::log_view::{Outcome, Refusal};
use crate::domain::ids::{
    CommandId, CorrelationId, CustomerId, GlobalPosition, OrderId, ProductId, VirtualMillis,
};
use crate::domain::money::Cents;
use crate::domain::order::OrderCommand;
use crate::engine::config::{page_config, EngineConfig};
use crate::engine::script::{ClientId, ScriptedCommand};
use crate::engine::sim::execute;
use crate::engine::trace::HopKind;
use crate::engine::{ClockBlocked, Engine, StepOutcome};
use crate::store::{MemoryStore, ProjectionName, StoredProjection};
use serde::{Deserialize, Serialize};

/// A command the user sent, awaiting its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Its id.
    pub command_id: CommandId,
    /// The order it targets.
    pub order_id: OrderId,
    /// Its type name.
    pub command_name: &'static str,
}

/// A command with its ids, as a durable command queue keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedCommand {
    /// Its id (the idempotency key).
    pub command_id: CommandId,
    /// Its correlation id.
    pub correlation_id: CorrelationId,
    /// The order.
    pub order_id: OrderId,
    /// The command.
    pub command: OrderCommand,
}

/// Numbers commands: `cmd-<tab>-<n>` and `corr-<tab>-<n>`.
#[derive(Debug, Clone)]
pub struct CommandIds {
    tag: String,
    sent: u64,
}

impl CommandIds {
    /// Ids for tab `tab` (letters, digits, `-`, `_`, `.`; anything else is dropped;
    /// empty gives `cmd-<n>`).
    pub fn new(tab: &str) -> Self {
        let tab: String = tab
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(40)
            .collect();
        CommandIds {
            tag: if tab.is_empty() {
                tab
            } else {
                format!("{tab}-")
            },
            sent: 0,
        }
    }

    /// The next command, with its ids.
    pub fn next(&mut self, order_id: OrderId, command: OrderCommand) -> QueuedCommand {
        self.sent += 1;
        let text = format!("{}{}", self.tag, self.sent);
        QueuedCommand {
            command_id: CommandId::parse(&format!("cmd-{text}"))
                .unwrap_or_else(|_| CommandId::numbered("cmd", self.sent)),
            correlation_id: CorrelationId::parse(&format!("corr-{text}"))
                .unwrap_or_else(|_| CorrelationId::numbered("corr", self.sent)),
            order_id,
            command,
        }
    }
}

/// The page's engine, the numbering of its commands, and the commands sent whose
/// outcome is not known yet.
#[derive(Debug)]
pub struct Session {
    engine: Engine,
    ids: CommandIds,
    pending: Vec<Sent>,
    /// Scripts run so far (each names its own orders).
    scripts: u64,
}

impl Session {
    /// A session whose command ids are `cmd-<tab>-<n>` and correlation ids
    /// `corr-<tab>-<n>` (see `CommandIds`).
    pub fn new(tab: &str) -> Self {
        Session::seeded(tab, page_config().seed)
    }

    /// A session whose engine draws its faults (duplicates, lag) from `seed`.
    pub fn seeded(tab: &str, seed: u64) -> Self {
        Session {
            engine: Engine::new(
                EngineConfig {
                    seed,
                    ..page_config()
                },
                Vec::new(),
            ),
            ids: CommandIds::new(tab),
            pending: Vec::new(),
            scripts: 0,
        }
    }

    /// Moves virtual time on to `t` (the newest stored event's time, at startup), so
    /// new events are never recorded before old ones; refused while work is due
    /// earlier (`restart_on` resumes before it schedules any).
    pub fn resume_at(&mut self, t: VirtualMillis) -> Result<(), ClockBlocked> {
        if t > self.engine.now() {
            self.engine.advance_to(t)?;
        }
        Ok(())
    }

    /// Starts this (new) session on what a store holds, as a page start or reload
    /// does: the clock first moves to the newest stored event's time (`newest`), then
    /// each projection resumes from its kept rows (rebuilt from the log when it misses
    /// events the bus will not bring again) and the relay publishes the outbox. In that
    /// order, so nothing is scheduled before the clock moves: a rebuild or a command
    /// never runs, nor records an event, at a time before the log's newest.
    #[inline(never)]
    pub fn restart_on(
        &mut self,
        kept: &[(ProjectionName, StoredProjection)],
        head: GlobalPosition,
        oldest_unpublished: Option<GlobalPosition>,
        newest: VirtualMillis,
    ) -> Result<(), ClockBlocked> {
        // Refused only if this session already had work due: the rest happens anyway.
        let resumed = self.resume_at(newest);
        for name in ProjectionName::ALL {
            let stored = kept
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| p.clone());
            self.engine
                .restore_projection(name, stored, head, oldest_unpublished);
        }
        self.engine.relay_outbox();
        resumed
    }

    /// Sends a command now with the session's next ids; run the engine, then ask for
    /// its `outcome`.
    pub fn send(&mut self, order_id: OrderId, command: OrderCommand) -> Sent {
        let queued = self.prepare(order_id, command);
        self.send_queued(queued)
    }

    /// Gives a command the session's next ids without sending it (a durable queue
    /// keeps it first, so a retry after a reload reuses the same ids).
    pub fn prepare(&mut self, order_id: OrderId, command: OrderCommand) -> QueuedCommand {
        self.ids.next(order_id, command)
    }

    /// Sends a prepared command now (again, after a reload: the store's processed ids
    /// make a second append of the same command impossible).
    pub fn send_queued(&mut self, queued: QueuedCommand) -> Sent {
        let now = self.engine.now();
        self.schedule(now, 0, queued)
    }

    /// "Run script": a canned burst from three simulated clients on two new orders,
    /// over 60 virtual ms — their commands interleave in the command bus, one breaks a
    /// rule (a rejection), one is retried with the same id (processed once). Client
    /// commands live in the command bus's memory: a crash loses those not yet handled.
    /// (The page's single handler takes one command at a time, as a partitioned
    /// consumer would per order; two tabs on one order show a real conflict.) Returns
    /// the orders it targets.
    pub fn run_script(&mut self) -> [OrderId; 2] {
        self.scripts = self.next_script();
        let [a, b] = script_orders(self.scripts);
        let customer = |id: &str| {
            CustomerId::parse(id).unwrap_or_else(|_| CustomerId::numbered("customer", 1))
        };
        let item = |product: &str, cents: i64, quantity: i64| OrderCommand::AddItem {
            product_id: ProductId::parse(product).unwrap_or_else(|_| ProductId::numbered("sku", 1)),
            product_name: product.into(),
            unit_price: Cents(cents),
            quantity,
        };
        let plan: Vec<(u64, u32, &OrderId, OrderCommand)> = vec![
            (
                0,
                1,
                &a,
                OrderCommand::CreateOrder {
                    customer_id: customer("cust-ana"),
                    currency: None,
                    personal: None,
                },
            ),
            (
                0,
                2,
                &b,
                OrderCommand::CreateOrder {
                    customer_id: customer("cust-ben"),
                    currency: None,
                    personal: None,
                },
            ),
            (12, 1, &a, item("espresso", 1250, 2)),
            (12, 3, &a, item("filters", 300, 1)),
            (13, 2, &b, item("grinder", 8900, 1)),
            (25, 1, &a, OrderCommand::SubmitOrder),
            (26, 2, &b, OrderCommand::SubmitOrder),
            (
                40,
                3,
                &b,
                OrderCommand::RemoveItem {
                    product_id: ProductId::parse("grinder")
                        .unwrap_or_else(|_| ProductId::numbered("sku", 1)),
                },
            ),
        ];
        let now = self.engine.now();
        let mut retried = None;
        for (offset, client, order_id, command) in plan {
            let queued = self.ids.next(order_id.clone(), command);
            if offset == 26 {
                retried = Some(queued.clone());
            }
            self.schedule(VirtualMillis(now.0 + offset), client, queued);
        }
        // Client 2 did not hear back in time and sends its SubmitOrder again, same id
        // (its outcome is the first send's: nothing more to wait for).
        if let Some(queued) = retried {
            self.schedule(VirtualMillis(now.0 + 60), 2, queued);
            self.pending.pop();
        }
        [a, b]
    }

    /// The number the next script takes: its orders are `script_orders(number)`.
    pub fn next_script(&self) -> u64 {
        self.scripts.saturating_add(1)
    }

    /// Numbers the next script `next` (and later ones on from it): a log kept from
    /// an earlier page holds the orders of the numbers before.
    pub fn number_scripts_from(&mut self, next: u64) {
        self.scripts = next.saturating_sub(1);
    }

    /// Schedules a prepared script (a failing case the hunter found) at its times from
    /// now; a line that repeats an earlier id is a client's retry, not a new command.
    pub fn load_script(&mut self, script: &[ScriptedCommand]) {
        let now = self.engine.now();
        let mut seen = std::collections::BTreeSet::new();
        for line in script {
            let at = VirtualMillis(now.0.saturating_add(line.at.0));
            if seen.insert(line.command_id.clone()) {
                self.schedule(
                    at,
                    line.client.0,
                    QueuedCommand {
                        command_id: line.command_id.clone(),
                        correlation_id: line.correlation_id.clone(),
                        order_id: line.order_id.clone(),
                        command: line.command.clone(),
                    },
                );
            } else {
                self.engine.send_at(ScriptedCommand { at, ..line.clone() });
            }
        }
    }

    /// Schedules a client's command and awaits its outcome.
    fn schedule(&mut self, at: VirtualMillis, client: u32, queued: QueuedCommand) -> Sent {
        let QueuedCommand {
            command_id,
            correlation_id,
            order_id,
            command,
        } = queued;
        let sent = Sent {
            command_id: command_id.clone(),
            order_id: order_id.clone(),
            command_name: command.name(),
        };
        self.pending.push(sent.clone());
        self.engine.send_at(ScriptedCommand {
            at,
            client: ClientId(client),
            command_id,
            correlation_id,
            order_id,
            command,
        });
        sent
    }

    /// The outcomes the engine has reached for sent commands since the last call,
    /// in the order the commands were sent.
    pub fn take_outcomes(&mut self) -> Vec<Outcome> {
        let mut reached = Vec::new();
        let pending = std::mem::take(&mut self.pending);
        for sent in pending {
            match self.outcome(&sent) {
                Some(outcome) => reached.push(outcome),
                None => self.pending.push(sent),
            }
        }
        reached
    }

    /// The ids of the commands awaiting an outcome, oldest first.
    pub fn pending_ids(&self) -> impl Iterator<Item = &CommandId> {
        self.pending.iter().map(|sent| &sent.command_id)
    }

    /// Gives up on every sent command still waiting (the engine restarted without
    /// them); returns them, oldest first, so their fate can be told.
    pub fn forget_pending(&mut self) -> Vec<Sent> {
        std::mem::take(&mut self.pending)
    }

    /// True while a sent command awaits its outcome.
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What became of a sent command, once the engine has handled it.
    pub fn outcome(&self, sent: &Sent) -> Option<Outcome> {
        // The first decisive hop: a later one for the same id is a retry of a command
        // already decided (answered "already processed").
        let result = self.engine.trace().hops().find_map(|hop| match &hop.kind {
            HopKind::EventsAppended {
                command_id,
                first,
                count,
            } if *command_id == sent.command_id => Some(Ok((0..*count)
                .map(|i| GlobalPosition(first.0 + i))
                .collect())),
            HopKind::CommandRejected {
                command_id,
                rejection,
            } if *command_id == sent.command_id => Some(Err(Refusal::Rejected(rejection.clone()))),
            HopKind::CommandDuplicate { command_id } if *command_id == sent.command_id => {
                Some(Err(Refusal::AlreadyProcessed))
            }
            HopKind::ConcurrencyConflict {
                command_id,
                expected,
                actual,
                will_retry: false,
            } if *command_id == sent.command_id => Some(Err(Refusal::Conflict {
                expected: *expected,
                actual: *actual,
            })),
            HopKind::CommandRefused {
                command_id,
                will_retry: false,
            } if *command_id == sent.command_id => Some(Err(Refusal::QueueFull)),
            _ => None,
        })?;
        Some(Outcome {
            command_id: sent.command_id.clone(),
            order_id: sent.order_id.clone(),
            command_name: sent.command_name,
            result,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to drive it.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

/// Runs the session's engine until idle, carrying out its effects on `store`.
pub fn run_in_memory(session: &mut Session, store: &mut MemoryStore) {
    while step_in_memory(session, store) {}
}

/// Runs every task due up to virtual time `t`, then moves the clock to `t` (what the
/// page does each frame while the simulation plays).
pub fn run_until_in_memory(session: &mut Session, store: &mut MemoryStore, t: VirtualMillis) {
    while session.engine.next_due().is_some_and(|due| due <= t) {
        if !step_in_memory(session, store) {
            break;
        }
    }
    // Every task due by `t` ran (the memory store answers at once): nothing blocks.
    let moved = session.engine.advance_to(t);
    debug_assert!(moved.is_ok(), "{moved:?}");
}

/// Runs the next task and carries out its effects; false when nothing ran.
pub fn step_in_memory(session: &mut Session, store: &mut MemoryStore) -> bool {
    let step = session.engine.step();
    while let Some((ticket, effect)) = session.engine.next_effect() {
        let result = execute(store, effect);
        session.engine.complete(ticket, result);
    }
    matches!(step, StepOutcome::Ran(_))
}

/// The two orders script number `n` creates: `burst<n>-a` and `burst<n>-b`.
pub fn script_orders(n: u64) -> [OrderId; 2] {
    ["a", "b"].map(|tag| {
        OrderId::parse(&format!("burst{n}-{tag}")).unwrap_or_else(|_| OrderId::numbered("burst", n))
    })
}
