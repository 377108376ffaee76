//! "Enlarge": a panel (the diagram, the open view, a step's evidence) fills the screen,
//! for a room looking at a projector; "Restore size" (the same button), or Escape, puts
//! it back. The button's words follow the panel's state in the stylesheet
//! (`.panel:fullscreen`), so its name is always what it does next.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A panel's heading with its Enlarge button beside it; `what` names the panel in the
/// button's name ("Enlarge the diagram to fill the screen").
pub(crate) fn heading(id: &'static str, text: String, what: &'static str) -> Html {
    html! {
        <div class="panel-head">
            <h2 {id}>{ text }</h2>
            { button(what) }
        </div>
    }
}

/// The button that fills the screen with the panel it is in (the nearest `.panel`),
/// and restores it.
pub(crate) fn button(what: &'static str) -> Html {
    let onclick = Callback::from(|e: MouseEvent| {
        let panel = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".panel").ok().flatten());
        if let Some(panel) = panel {
            toggle(&panel);
        }
    });
    html! {
        <button type="button" class="enlarge" {onclick}>
            <span class="when-small">{ "Enlarge" }<span class="visually-hidden">{ format!(" {what} to fill the screen") }</span></span>
            <span class="when-full">{ "Restore size" }<span class="visually-hidden">{ format!(" to put {what} back in its place") }</span></span>
        </button>
    }
}

/// Fills the screen with the panel, or restores it. A browser that refuses (no
/// full-screen support, a frame that does not allow it) leaves the page as it is.
fn toggle(panel: &web_sys::Element) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else {
        let _ = panel.request_fullscreen();
    }
}
