//! The workbench's address names the view open below the diagram (`#azure`): a reload,
//! Back or a bookmark opens that view again, and choosing a view adds a history entry.

use super::in_place::InPlace;
use crate::app::screen::{Msg, Screen};
use crate::app::tabs::Tab;
use gloo_events::EventListener;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// The view the address names, if it names one.
fn tab_in_address() -> Option<Tab> {
    let hash = web_sys::window()?.location().hash().ok()?;
    Tab::from_key(hash.trim_start_matches('#'))
}

/// Opens the view the address names, now and whenever it changes (Back, Forward, an
/// edited address), and keeps the address naming the view open.
#[hook]
pub fn use_view_address(model: &UseReducerHandle<InPlace<Screen>>) {
    {
        let model = model.clone();
        use_effect_with((), move |_| {
            if let Some(tab) = tab_in_address() {
                model.dispatch(Msg::ChoseTab(tab));
            }
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    if let Some(tab) = tab_in_address() {
                        model.dispatch(Msg::ChoseTab(tab));
                    }
                })
            });
            move || drop(listener)
        });
    }
    let tab = model.state.borrow().tab;
    let shown = use_mut_ref(|| false);
    use_effect_with(tab, move |tab| show(*tab, &mut shown.borrow_mut()));
}

/// Names `tab` in the address: the first time by replacing the entry (unless the
/// address already names a view, which opens next), then by adding one.
fn show(tab: Tab, shown: &mut bool) {
    let first = !std::mem::replace(shown, true);
    let named = tab_in_address();
    if named == Some(tab) || (first && named.is_some()) {
        return;
    }
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let url = format!("#{}", tab.key());
    let _ = if first {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}
