//! The page's engine: each command a user sends becomes a scripted command of this
//! session (ids `cmd-<tab>-<n>`, unique per tab), runs through the engine's command bus,
//! handler, store, outbox and event bus, and its outcome is read back from the trace.
//! The store is whatever carries out the effects: IndexedDB in the browser
//! (`web::runtime`), the in-memory store natively (`run_in_memory`).

use super::log_view::{Outcome, Refusal};
use crate::domain::ids::{CommandId, CorrelationId, GlobalPosition, OrderId, VirtualMillis};
use crate::domain::order::OrderCommand;
use crate::engine::config::{ConflictPolicy, EngineConfig};
use crate::engine::script::{ClientId, ScriptedCommand};
use crate::engine::sim::execute;
use crate::engine::trace::HopKind;
use crate::engine::{Engine, Step};
use crate::store::MemoryStore;

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

/// The page's engine and the numbering of its commands.
#[derive(Debug)]
pub struct Session {
    engine: Engine,
    tag: String,
    sent: u64,
}

/// The engine as the page runs it: a conflict is shown, not retried behind the user's
/// back (the user decides again on the new state).
pub fn page_config() -> EngineConfig {
    EngineConfig {
        on_conflict: ConflictPolicy::Fail,
        ..EngineConfig::default()
    }
}

impl Session {
    /// A session whose command ids are `cmd-<tab>-<n>` and correlation ids
    /// `corr-<tab>-<n>` (`cmd-<n>` when `tab` is empty). `tab` tells tabs apart: letters,
    /// digits, `-`, `_`, `.` (anything else is dropped).
    pub fn new(tab: &str) -> Self {
        let tab: String = tab
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(40)
            .collect();
        Session {
            engine: Engine::new(page_config(), Vec::new()),
            tag: if tab.is_empty() {
                tab
            } else {
                format!("{tab}-")
            },
            sent: 0,
        }
    }

    /// Moves virtual time on to `t` (the newest stored event's time, at startup), so
    /// new events are never recorded before old ones.
    pub fn resume_at(&mut self, t: VirtualMillis) {
        if t > self.engine.now() {
            self.engine.advance_to(t);
        }
    }

    /// Sends a command now; run the engine, then ask for its `outcome`.
    pub fn send(&mut self, order_id: OrderId, command: OrderCommand) -> Sent {
        self.sent += 1;
        let text = format!("{}{}", self.tag, self.sent);
        let command_id = CommandId::parse(&format!("cmd-{text}"))
            .unwrap_or_else(|_| CommandId::numbered("cmd", self.sent));
        let correlation_id = CorrelationId::parse(&format!("corr-{text}"))
            .unwrap_or_else(|_| CorrelationId::numbered("corr", self.sent));
        let sent = Sent {
            command_id: command_id.clone(),
            order_id: order_id.clone(),
            command_name: command.name(),
        };
        self.engine.send_at(ScriptedCommand {
            at: self.engine.now(),
            client: ClientId(0),
            command_id,
            correlation_id,
            order_id,
            command,
        });
        sent
    }

    /// What became of a sent command, once the engine has handled it.
    pub fn outcome(&self, sent: &Sent) -> Option<Outcome> {
        let result = self
            .engine
            .trace()
            .hops()
            .rev()
            .find_map(|hop| match &hop.kind {
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
                } if *command_id == sent.command_id => {
                    Some(Err(Refusal::Rejected(rejection.clone())))
                }
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
    loop {
        let step = session.engine.step();
        while let Some((ticket, effect)) = session.engine.next_effect() {
            let result = execute(store, effect);
            session.engine.complete(ticket, result);
        }
        if !matches!(step, Step::Ran(_)) {
            break;
        }
    }
}
