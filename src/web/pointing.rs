//! A step and what it points at, together on screen: when a step is chosen, the view it
//! points at (the panel under the lab) is scrolled to just under the bar of steps and
//! the step card, which stays at the top of the window (guide.css: but on a short
//! window), and marked for a moment.

use std::cell::Cell;

thread_local! {
    /// The scenario (its place in the library) and step last drawn.
    static LAST: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Called after each render with the scenario and step drawn: points at the step's
/// view when the step changed within a scenario (not when the page opens, nor at the
/// start, which points at nothing).
pub(crate) fn follow(at: (usize, usize)) {
    let before = LAST.with(|last| last.replace(Some(at)));
    if before.is_some_and(|(scenario, step)| scenario == at.0 && step != at.1) && at.1 > 0 {
        point_at_view();
    }
}

/// Where the steps' bar stays on screen (all but a short window), scrolls the view the
/// step points at to just under it and marks it; elsewhere the page flows and nothing
/// moves.
fn point_at_view() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let card = document
        .query_selector(".results > .step-bar")
        .ok()
        .flatten();
    let view = document
        .get_element_by_id("panel-heading")
        .and_then(|h| h.closest(".panel").ok().flatten());
    let (Some(card), Some(view)) = (card, view) else {
        return;
    };
    let position = window
        .get_computed_style(&card)
        .ok()
        .flatten()
        .and_then(|style| style.get_property_value("position").ok());
    if position.as_deref() != Some("sticky") {
        return;
    }
    let top = card_top(&window, &card);
    let below = top + card.get_bounding_client_rect().height() + 12.0;
    let gap = view.get_bounding_client_rect().top() - below;
    if gap.abs() > 1.0 {
        window.scroll_by_with_x_and_y(0.0, gap);
    }
    // Restarts the mark's animation: removed, laid out, set again.
    let _ = view.remove_attribute("data-pointed");
    let _ = view.get_bounding_client_rect();
    let _ = view.set_attribute("data-pointed", "");
}

/// Where the stuck bar's top is (its `top`, in px).
fn card_top(window: &web_sys::Window, card: &web_sys::Element) -> f64 {
    window
        .get_computed_style(card)
        .ok()
        .flatten()
        .and_then(|style| style.get_property_value("top").ok())
        // Whole pixels: parsing an integer keeps the float parser out of the page.
        .and_then(|top| top.trim_end_matches("px").parse::<i32>().ok())
        .map_or(0.0, f64::from)
}
