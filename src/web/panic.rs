//! A panic must not leave a dead page: it is logged and shown in an alert panel.

use wasm_bindgen::JsValue;

/// Installs the panic hook (idempotent: the last installed hook wins).
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&message));
        show_panel(&message);
    }));
}

/// Appends an alert panel built with text nodes only, never HTML.
fn show_panel(message: &str) {
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
        "CQRS Lab hit an internal error. Reload the page to start again.",
    ));
    detail.set_text_content(Some(message));
    let _ = panel.append_child(&heading);
    let _ = panel.append_child(&detail);
    let _ = body.append_child(&panel);
}
