//! The page's marker in localStorage (what `app::lifecycle` reads at the next start),
//! and the question to the other open tabs that tells a page closed abruptly from one
//! still open: a marker still "open" that no tab answers for belongs to a page that
//! ended without closing (a killed browser or tab).

use crate::app::lifecycle::{Marker, PreviousClose, MARKER_PREFIX};
use gloo::events::EventListener;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsValue;

/// The channel tabs answer on.
const CHANNEL: &str = "cqrs-lab-lifecycle";
/// The question; the answer is `ALIVE` and the tab's token.
const ASK: &str = "open?";
const ALIVE: &str = "open:";
/// How long the other tabs have to answer.
const ANSWER_WITHIN: Duration = Duration::from_millis(300);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// This tab's marker, kept up to date, and the listeners that answer for it.
pub struct Lifecycle {
    key: String,
    written: Rc<RefCell<Option<Marker>>>,
    _listeners: Vec<EventListener>,
    _channel: Option<web_sys::BroadcastChannel>,
}

impl Lifecycle {
    /// Reads how the pages no longer open ended (their markers are then removed), and
    /// starts this tab's marker. Never fails: without storage it tells nothing.
    pub async fn start(token: &str) -> (Lifecycle, Option<PreviousClose>) {
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok();
        let answered: Rc<RefCell<BTreeSet<String>>> = Rc::default();
        let mut listeners = Vec::new();
        if let Some(channel) = &channel {
            let heard = Rc::clone(&answered);
            let reply = channel.clone();
            let own = format!("{ALIVE}{token}");
            listeners.push(EventListener::new(channel, "message", move |event| {
                let data = js_sys::Reflect::get(event, &JsValue::from_str("data"))
                    .ok()
                    .and_then(|d| d.as_string());
                match data.as_deref() {
                    Some(ASK) => {
                        let _ = reply.post_message(&JsValue::from_str(&own));
                    }
                    Some(other) => {
                        if let Some(token) = other.strip_prefix(ALIVE) {
                            heard.borrow_mut().insert(token.to_owned());
                        }
                    }
                    None => {}
                }
            }));
        }
        let previous = previous(channel.as_ref(), &answered).await;
        let lifecycle = Lifecycle {
            key: format!("{MARKER_PREFIX}{token}"),
            written: Rc::default(),
            _listeners: listeners,
            _channel: channel,
        };
        lifecycle.keep(&[]);
        (lifecycle.closing_listener(), previous)
    }

    /// Marks this page closed normally when it is hidden for unloading (a reload, a
    /// closed tab; a killed browser never gets here), and open again if the browser
    /// brings it back from its page cache.
    fn closing_listener(mut self) -> Self {
        let Some(window) = web_sys::window() else {
            return self;
        };
        let (key, written) = (self.key.clone(), Rc::clone(&self.written));
        self._listeners
            .push(EventListener::new(&window, "pageshow", move |_| {
                if let (Some(storage), Some(marker)) = (storage(), written.borrow().as_ref()) {
                    let _ = storage.set_item(&key, &marker.to_text());
                }
            }));
        let key = self.key.clone();
        self._listeners
            .push(EventListener::new(&window, "pagehide", move |_| {
                if let Some(storage) = storage() {
                    let marker = storage
                        .get_item(&key)
                        .ok()
                        .flatten()
                        .and_then(|text| Marker::parse(&text))
                        .unwrap_or_default();
                    let closed = Marker {
                        closed: true,
                        ..marker
                    };
                    let _ = storage.set_item(&key, &closed.to_text());
                }
            }));
        self
    }

    /// Notes the scripted commands that would die with the page now (written only
    /// when they changed).
    pub fn keep(&self, in_flight: &[String]) {
        let marker = Marker::open(in_flight);
        if self.written.borrow().as_ref() == Some(&marker) {
            return;
        }
        if let Some(storage) = storage() {
            if storage.set_item(&self.key, &marker.to_text()).is_ok() {
                *self.written.borrow_mut() = Some(marker);
            }
        }
    }
}

/// Asks the open tabs to answer, then reads (and removes) the markers of the pages no
/// tab answered for.
async fn previous(
    channel: Option<&web_sys::BroadcastChannel>,
    answered: &Rc<RefCell<BTreeSet<String>>>,
) -> Option<PreviousClose> {
    let storage = storage()?;
    let count = storage.length().ok()?;
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(MARKER_PREFIX))
        .collect();
    if keys.is_empty() {
        return None;
    }
    if let Some(channel) = channel {
        if channel.post_message(&JsValue::from_str(ASK)).is_ok() {
            yew::platform::time::sleep(ANSWER_WITHIN).await;
        }
    }
    let alive = answered.borrow();
    let mut markers = Vec::new();
    for key in keys {
        let token = key.trim_start_matches(MARKER_PREFIX);
        if alive.contains(token) {
            continue;
        }
        if let Some(marker) = storage
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|t| Marker::parse(&t))
        {
            markers.push(marker);
        }
        let _ = storage.remove_item(&key);
    }
    PreviousClose::of(&markers)
}
