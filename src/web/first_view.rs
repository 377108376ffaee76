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

/// The app's view is ready once what was just dispatched is rendered (the next task):
/// the first view then steps aside for it. On the page the build renders (it has no
/// first view yet), this is the moment its view is taken.
pub(crate) async fn ready() {
    super::wait(std::time::Duration::ZERO).await;
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(first) = window
        .document()
        .and_then(|d| d.get_element_by_id(FIRST_VIEW))
    {
        first.remove();
        return;
    }
    let capture = js_sys::Reflect::get(&window, &CAPTURE.into()).ok();
    if let Some(capture) = capture.and_then(|c| c.dyn_into::<js_sys::Function>().ok()) {
        let _ = capture.call0(&window);
    }
}
