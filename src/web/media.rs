//! The window's width, which the diagram's layout follows (`Layout::pick`). Read when
//! the page draws: the workbench redraws several times a second while it plays, the
//! scenario page at each step, so a turned phone gets its layout at the next redraw.

/// The window's width in CSS px.
pub(crate) fn width() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(1280.0)
}
