//! The page's runtime: the controller (`app::controller`) on IndexedDB (or, when the
//! browser offers none, on memory with a visible notice), with the browser around it:
//! a BroadcastChannel that tells other tabs of appends and replacements, this page's
//! marker for the next start, downloads and the storage estimate.

use super::download;
use super::idb::schema::SCHEMA_VERSION;
use super::idb::{quota, IdbStore};
use super::lifecycle::Lifecycle;
use super::page_store::WebStore;
use crate::app::controller::Controller;
use crate::app::durability::Durability;
use crate::app::lifecycle::PreviousClose;
use crate::app::log_view::LogTail;
use crate::app::page_io::{Announcement, MemoryPage, PageHost};
use crate::app::screen::Storage;
use crate::engine::config::page_config;
use gloo_events::EventListener;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The database the page keeps its events in.
pub const DATABASE: &str = "cqrs-lab";
/// The channel tabs announce changes on is `<database>-changes`.
const CHANNEL_SUFFIX: &str = "-changes";
/// Announced after an append: read the new events.
const APPENDED: &str = "appended";
/// Announced after an import or a reset: read everything again.
const REPLACED: &str = "replaced";

/// The controller as the page runs it.
pub type Runtime = Controller<WebStore, WebHost>;

/// The browser around the controller.
pub struct WebHost {
    channel: Option<web_sys::BroadcastChannel>,
    /// This page's marker for the next start (how it ended, what died with it).
    lifecycle: Lifecycle,
    /// Told when the store turns read-only or writable again.
    on_storage: Box<dyn Fn(Storage)>,
}

impl PageHost for WebHost {
    fn announce(&self, announcement: Announcement) {
        let what = match announcement {
            Announcement::Appended => APPENDED,
            Announcement::Replaced => REPLACED,
        };
        if let Some(channel) = &self.channel {
            let _ = channel.post_message(&JsValue::from_str(what));
        }
    }

    fn keep_marker(&self, in_flight: &[String]) {
        self.lifecycle.keep(in_flight);
    }

    fn save_file(&self, file: &str, text: &str) -> Result<(), String> {
        download::save(file, text)
    }

    fn storage_changed(&self, storage: Storage) {
        (self.on_storage)(storage);
    }

    fn warn(&self, text: &str) {
        web_sys::console::warn_1(&JsValue::from_str(text));
    }

    fn token(&self) -> String {
        tab_token()
    }

    async fn durability(&self, persist: bool) -> Option<Durability> {
        let persisted = if persist {
            quota::persist().await
        } else {
            quota::persisted().await
        };
        let usage = quota::estimate().await.map(|e| (e.usage, e.quota));
        Some(Durability {
            persisted,
            usage,
            asked: persist,
        })
    }
}

/// Opens the store and reads the newest events the page shows; the controller's
/// `recover` then starts the engine on it. Never fails: without IndexedDB the page
/// runs on memory and says so. `on_storage` hears of the upgrade being blocked by an
/// older tab, later of this tab giving way to a newer one, and of the store turning
/// read-only or writable.
pub async fn open(
    database: &str,
    on_storage: impl Fn(Storage) + Clone + 'static,
) -> (Runtime, Storage, LogTail, Option<PreviousClose>) {
    let (blocked, superseded) = (on_storage.clone(), on_storage.clone());
    let opened = IdbStore::open_with(
        database,
        SCHEMA_VERSION,
        move || blocked(Storage::Blocked),
        move || superseded(Storage::Superseded),
    )
    .await;
    let (store, storage) = match opened {
        Ok(store) => (WebStore::Idb(store), Storage::Persistent),
        Err(e) => memory(e.to_string()),
    };
    let (lifecycle, previous) = Lifecycle::start(&tab_token()).await;
    let host = WebHost {
        channel: web_sys::BroadcastChannel::new(&format!("{database}{CHANNEL_SUFFIX}")).ok(),
        lifecycle,
        on_storage: Box::new(on_storage),
    };
    let mut runtime = Controller::new(store, host, page_config().seed);
    let (tail, storage) = match runtime.open(storage).await {
        Ok(opened) => opened,
        Err(e) => {
            let (store, storage) = memory(e.reason);
            runtime.replace_store(store);
            (LogTail::default(), storage)
        }
    };
    (runtime, storage, tail, previous)
}

/// Listens for other tabs' announcements.
pub fn listen(
    runtime: &Runtime,
    on_change: impl Fn(Announcement) + 'static,
) -> Option<EventListener> {
    let channel = runtime.host().channel.as_ref()?;
    Some(EventListener::new(channel, "message", move |event| {
        let data = event
            .dyn_ref::<web_sys::MessageEvent>()
            .and_then(|m| m.data().as_string());
        match data.as_deref() {
            Some(REPLACED) => on_change(Announcement::Replaced),
            Some(APPENDED) => on_change(Announcement::Appended),
            _ => {}
        }
    }))
}

fn memory(reason: String) -> (WebStore, Storage) {
    (
        WebStore::Memory(MemoryPage::new()),
        Storage::MemoryOnly(reason),
    )
}

/// A short random token telling this tab's command ids from other tabs'.
fn tab_token() -> String {
    let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{n:08x}")
}
