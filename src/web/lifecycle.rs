//! The page's marker in localStorage (what `app::lifecycle` reads at the next start),
//! and the question to the other open tabs that tells a page closed abruptly from one
//! still open: a marker still "open" that no tab answers for belongs to a page that
//! ended without closing (a killed browser or tab).

use crate::app::lifecycle::{
    markers_from_text, markers_to_text, Marker, PreviousClose, MARKERS_KEY,
};
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

/// Every tab's marker as stored.
fn stored() -> Vec<(String, Marker)> {
    storage()
        .and_then(|s| s.get_item(MARKERS_KEY).ok().flatten())
        .map(|text| markers_from_text(&text))
        .unwrap_or_default()
}

/// Stores this tab's marker among the others (read afresh: other tabs write too).
fn store(token: &str, marker: &Marker) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    let mut all = stored();
    all.retain(|(t, _)| t != token);
    all.push((token.to_owned(), marker.clone()));
    storage
        .set_item(MARKERS_KEY, &markers_to_text(&all))
        .is_ok()
}

/// This tab's marker, kept up to date, and the listeners that answer for it.
pub struct Lifecycle {
    token: String,
    written: Rc<RefCell<Option<Marker>>>,
    _channel: Option<web_sys::BroadcastChannel>,
    _listeners: Vec<EventListener>,
    _answer: Option<EventListener>,
}

impl Lifecycle {
    /// Reads how the pages no longer open ended (their markers are then removed), and
    /// starts this tab's marker. Never fails: without storage it tells nothing.
    pub async fn start(token: &str) -> (Lifecycle, Option<PreviousClose>) {
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok();
        let answered: Rc<RefCell<Vec<String>>> = Rc::default();
        let answer = channel.as_ref().map(|channel| {
            let heard = Rc::clone(&answered);
            let reply = channel.clone();
            let own = format!("{ALIVE}{token}");
            EventListener::new(channel, "message", move |event| {
                let text = event
                    .dyn_ref::<web_sys::MessageEvent>()
                    .and_then(|m| m.data().as_string());
                match text {
                    Some(text) if text == ASK => {
                        let _ = reply.post_message(&JsValue::from_str(&own));
                    }
                    Some(text) => {
                        if let Some(token) = text.strip_prefix(ALIVE) {
                            heard.borrow_mut().push(token.to_owned());
                        }
                    }
                    None => {}
                }
            })
        });
        let previous = previous(token, channel.as_ref(), &answered).await;
        let mut lifecycle = Lifecycle {
            token: token.to_owned(),
            written: Rc::default(),
            _channel: channel,
            _listeners: Vec::new(),
            _answer: answer,
        };
        lifecycle.keep(&[]);
        lifecycle.listen_for_close();
        (lifecycle, previous)
    }

    /// Marks this page closed normally when it is hidden for unloading (a reload, a
    /// closed tab; a killed browser never gets here), and open again if the browser
    /// brings it back from its page cache.
    fn listen_for_close(&mut self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        for (event, closed) in [("pagehide", true), ("pageshow", false)] {
            let (token, written) = (self.token.clone(), Rc::clone(&self.written));
            self._listeners
                .push(EventListener::new(&window, event, move |_| {
                    let marker = Marker {
                        closed,
                        ..written.borrow().clone().unwrap_or_default()
                    };
                    store(&token, &marker);
                }));
        }
    }

    /// Notes the scripted commands that would die with the page now (written only
    /// when they changed).
    pub fn keep(&self, in_flight: &[String]) {
        let marker = Marker::open(in_flight);
        if self.written.borrow().as_ref() == Some(&marker) {
            return;
        }
        if store(&self.token, &marker) {
            *self.written.borrow_mut() = Some(marker);
        }
    }
}

/// Asks the open tabs to answer, then reads (and removes) the markers of the pages no
/// tab answered for.
async fn previous(
    token: &str,
    channel: Option<&web_sys::BroadcastChannel>,
    answered: &Rc<RefCell<Vec<String>>>,
) -> Option<PreviousClose> {
    let markers = stored();
    if markers.is_empty() {
        return None;
    }
    // Only a marker still open may belong to a living tab: ask only then.
    let open = markers.iter().any(|(t, m)| t != token && !m.closed);
    if let Some(channel) = channel.filter(|_| open) {
        if channel.post_message(&JsValue::from_str(ASK)).is_ok() {
            super::wait(ANSWER_WITHIN).await;
        }
    }
    // Read again after waiting: tabs may have written meanwhile.
    let (gone, open): (Vec<_>, Vec<_>) = stored()
        .into_iter()
        .filter(|(t, _)| t != token)
        .partition(|(t, _)| !answered.borrow().contains(t));
    if let Some(storage) = storage() {
        let _ = storage.set_item(MARKERS_KEY, &markers_to_text(&open));
    }
    let gone: Vec<Marker> = gone.into_iter().map(|(_, marker)| marker).collect();
    PreviousClose::of(&gone)
}
