//! The page's runtime: the session's engine carried out on IndexedDB (or, when the
//! browser offers none, on memory with a visible notice), and a BroadcastChannel that
//! tells other tabs of new appends.

use super::idb::{driver, IdbStore};
use crate::app::log_view::{Outcome, Refusal};
use crate::app::screen::{Msg, Request, Storage};
use crate::app::session::{run_in_memory, Session};
use crate::domain::envelope::SharedEvent;
use crate::domain::ids::GlobalPosition;
use crate::store::{MemoryStore, ProjectionName};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The database the page keeps its events in.
pub const DATABASE: &str = "cqrs-lab";
/// The channel tabs announce appends on (per database: `<database>-appends`).
const CHANNEL_SUFFIX: &str = "-appends";

enum Backend {
    Idb(IdbStore),
    Memory(RefCell<MemoryStore>),
}

/// The store, the session, and the channel to other tabs.
pub struct Runtime {
    backend: Backend,
    /// Taken while a command runs (commands run one at a time).
    session: RefCell<Option<Session>>,
    channel: Option<web_sys::BroadcastChannel>,
}

impl Runtime {
    /// Opens the store and reads what the page shows. Never fails: without IndexedDB
    /// the page runs on memory and says so.
    pub async fn start(database: &str) -> (Runtime, Storage, Vec<SharedEvent>) {
        let mut session = Session::new(&tab_token());
        let (backend, storage, events) = match IdbStore::open(database).await {
            Ok(store) => match store.all_events().await {
                Ok(events) => {
                    for name in ProjectionName::ALL {
                        let checkpoint = store.checkpoint(name).await.unwrap_or_default();
                        session
                            .engine_mut()
                            .restore_projection(name, checkpoint, &events);
                    }
                    (Backend::Idb(store), Storage::Persistent, events)
                }
                Err(e) => memory(e.to_string()),
            },
            Err(e) => memory(e.to_string()),
        };
        if let Some(last) = events.last() {
            session.resume_at(last.recorded_at);
        }
        session.engine_mut().relay_outbox();
        let runtime = Runtime {
            backend,
            session: RefCell::new(Some(session)),
            channel: web_sys::BroadcastChannel::new(&format!("{database}{CHANNEL_SUFFIX}")).ok(),
        };
        // Publish what the previous session left in the outbox.
        if let Err(failure) = runtime.run().await {
            web_sys::console::warn_1(&JsValue::from_str(&failure.to_string()));
        }
        (runtime, storage, events)
    }

    /// Sends one command through the engine and the store; answers with its outcome
    /// and the events stored past `after`.
    pub async fn handle(&self, request: Request, after: GlobalPosition) -> Msg {
        let sent = match self.session.borrow_mut().as_mut() {
            Some(session) => session.send(request.order_id.clone(), request.command.clone()),
            None => {
                return Msg::Handled {
                    outcome: failed(&request, "another command is still running".into()),
                    events: Vec::new(),
                }
            }
        };
        let ran = self.run().await;
        let outcome = match (ran, self.session.borrow().as_ref()) {
            (Err(failure), _) => Outcome {
                command_id: sent.command_id.clone(),
                order_id: sent.order_id.clone(),
                command_name: sent.command_name,
                result: Err(Refusal::StoreFailed(failure.to_string())),
            },
            (Ok(()), Some(session)) => session.outcome(&sent).unwrap_or_else(|| {
                failed(&request, "the engine did not finish the command".into())
            }),
            (Ok(()), None) => failed(&request, "the session was lost".into()),
        };
        if outcome.result.is_ok() {
            if let Some(channel) = &self.channel {
                let _ = channel.post_message(&JsValue::from_str("appended"));
            }
        }
        Msg::Handled {
            outcome,
            events: self.events_after(after).await,
        }
    }

    /// Events stored past `after` (appended by this tab or another); none if the store
    /// cannot be read now (the next read catches up).
    pub async fn events_after(&self, after: GlobalPosition) -> Vec<SharedEvent> {
        let events = match &self.backend {
            Backend::Idb(store) => store.events_after(after).await.unwrap_or_default(),
            Backend::Memory(store) => store.borrow().read_all(after, u64::MAX).to_vec(),
        };
        // Another tab's events may be later in virtual time: this tab's clock follows,
        // so the log's times never run backwards. (Skipped while a command runs.)
        if let (Some(last), Ok(mut session)) = (events.last(), self.session.try_borrow_mut()) {
            if let Some(session) = session.as_mut() {
                session.resume_at(last.recorded_at);
            }
        }
        events
    }

    /// Listens for other tabs' appends; `on_append` runs for each announcement.
    pub fn listen(
        &self,
        on_append: impl Fn() + 'static,
    ) -> Option<Closure<dyn Fn(web_sys::MessageEvent)>> {
        let channel = self.channel.as_ref()?;
        let closure: Closure<dyn Fn(web_sys::MessageEvent)> =
            Closure::new(move |_: web_sys::MessageEvent| on_append());
        channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
        Some(closure)
    }

    /// Runs the session's engine until idle against the backend.
    async fn run(&self) -> Result<(), super::idb::StoreError> {
        let Some(mut session) = self.session.borrow_mut().take() else {
            return Ok(());
        };
        let result = match &self.backend {
            Backend::Idb(store) => {
                let ran = driver::run_to_idle(session.engine_mut(), store, u64::MAX).await;
                if ran.is_err() {
                    // The engine waits for an answer that will not come: restart it as
                    // a reload would, from what the store holds.
                    session.engine_mut().crash();
                    session.engine_mut().recover();
                }
                ran.map(|_| ())
            }
            Backend::Memory(store) => {
                run_in_memory(&mut session, &mut store.borrow_mut());
                Ok(())
            }
        };
        *self.session.borrow_mut() = Some(session);
        result
    }
}

fn memory(reason: String) -> (Backend, Storage, Vec<SharedEvent>) {
    (
        Backend::Memory(RefCell::new(MemoryStore::new())),
        Storage::MemoryOnly(reason),
        Vec::new(),
    )
}

fn failed(request: &Request, reason: String) -> Outcome {
    Outcome {
        command_id: crate::domain::ids::CommandId::numbered("cmd", 0),
        order_id: request.order_id.clone(),
        command_name: request.command.name(),
        result: Err(Refusal::StoreFailed(reason)),
    }
}

/// A short random token telling this tab's command ids from other tabs'.
fn tab_token() -> String {
    let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{n:08x}")
}
