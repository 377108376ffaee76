//! The page's first view: the build renders each page once in a browser and puts what
//! it shows into the page's HTML (`<div id="first-view" inert>`, scripts/prerender.mjs),
//! so a visitor sees the page before the wasm has arrived. The app mounts beside it (in
//! `#app`), hidden by the stylesheet while the first view is there, and takes its place
//! when it is ready: one source of markup, the app's own components.

use wasm_bindgen::JsCast;

/// The id of the element holding the first view in the built pages.
const FIRST_VIEW: &str = "first-view";
/// What the build's renderer defines on the page it renders: called with nothing when
/// the app's view is the one to put in the HTML.
const CAPTURE: &str = "cqrsFirstView";

/// The app's view is ready: once what was just dispatched is rendered (the next task),
/// the first view steps aside for it. On the page the build renders (it has no first
/// view yet), this is the moment its view is taken.
pub(crate) async fn ready() {
    if !step_aside().await {
        capture();
    }
}

/// Once what was just dispatched is rendered (the next task), removes the first view;
/// false when there was none.
pub(crate) async fn step_aside() -> bool {
    super::wait(std::time::Duration::ZERO).await;
    let first = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(FIRST_VIEW));
    first.map(|first| first.remove()).is_some()
}

/// On the page the build renders, the app's view as it is now becomes the first view
/// (the workbench's as it opens the store, which claims nothing about what a visitor's
/// browser holds). Elsewhere nothing happens.
pub(crate) fn capture() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let capture = js_sys::Reflect::get(&window, &CAPTURE.into()).ok();
    if let Some(capture) = capture.and_then(|c| c.dyn_into::<js_sys::Function>().ok()) {
        let _ = capture.call0(&window);
    }
}
