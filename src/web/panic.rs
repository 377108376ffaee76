//! A panic must not leave a dead page: it is logged and shown in an alert panel that
//! offers the user's events as an export file and a reload. The panel is built by
//! `static/rescue.js` (`cqrsRescue.show`, which fetches `static/rescue/panel.js`), plain
//! JavaScript that keeps working after the WebAssembly instance stops; without it, a
//! text-only panel says what happened.

use wasm_bindgen::{JsCast, JsValue};

/// Installs the panic hook (idempotent: the last installed hook wins).
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| report(&info.to_string())));
}

/// Logs an internal error and shows the panel.
pub fn report(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
    if !rescue(message) {
        show_fallback(message);
    }
}

/// Hands the message to `cqrsRescue.show`; false when the script is not there.
fn rescue(message: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let show = js_sys::Reflect::get(&window, &"cqrsRescue".into())
        .and_then(|rescue| js_sys::Reflect::get(&rescue, &"show".into()).map(|f| (rescue, f)));
    match show {
        Ok((rescue, show)) => show
            .dyn_ref::<js_sys::Function>()
            .is_some_and(|show| show.call1(&rescue, &message.into()).is_ok()),
        Err(_) => false,
    }
}

/// An alert panel built with text nodes only, never HTML.
fn show_fallback(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(panel), Ok(heading), Ok(detail), Some(body)) = (
        document.create_element("div"),
        document.create_element("strong"),
        document.create_element("pre"),
        document.body(),
    ) else {
        return;
    };
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    heading.set_text_content(Some(
        "CQRS Lab hit an internal error. Your events are safe in this browser; reload the page to start again.",
    ));
    detail.set_text_content(Some(message));
    let _ = panel.append_child(&heading);
    let _ = panel.append_child(&detail);
    let _ = body.append_child(&panel);
}
