//! The scenario page's header: the scenario's title and sources, its configuration; the
//! bar of steps with the step card, "Copy link", and the side-by-side comparison's controls.

use super::question_view::sources_line;
use crate::app::guide::{what_if_names, Guide, GuideMsg, Other, StageMsg};
use crate::scenarios::library::Scenario;
use crate::scenarios::run::Run;
use crate::scenarios::views::run_facts;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The scenario's title, its sources, its configuration and the lab's time travel.
pub(super) fn header(guide: &Guide, scenario: &Scenario, send: &Callback<GuideMsg>) -> Html {
    html! {
        <section class="panel scenario" aria-labelledby="scenario-heading">
            <h2 id="scenario-heading">{ scenario.title.clone() }</h2>
            <p>{ scenario.summary.clone() }</p>
            { sources_line("Based on", &scenario.sources) }
            if scenario.variants.len() > 1 {
                <fieldset class="variants">
                    <legend>{ "Configuration" }</legend>
                    { for scenario.variants.iter().enumerate().map(|(v, variant)| html! {
                        <label>
                            <input type="radio" name="variant" checked={guide.custom.is_none() && v == guide.variant}
                                onchange={send.reform(move |_: Event| GuideMsg::ChoseVariant(v))} />
                            { variant.name.clone() }
                        </label>
                    }) }
                </fieldset>
            }
            if guide.custom.is_some() {
                <p class="hint">{ "This link changed the scenario's configuration: it runs as the link says." }</p>
            }
            <div class="scrub">
                <label for="lab-time">{ "Time travel" }</label>
                <input id="lab-time" type="range" min="0" max={guide.end_time().0.to_string()} step="1"
                    value={guide.run().map_or(0, |r| r.sim().engine.now().0).to_string()}
                    aria-valuetext={format!("{} ms", guide.run().map_or(0, |r| r.sim().engine.now().0))}
                    oninput={send.reform(|e: InputEvent| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        GuideMsg::Stage(StageMsg::Scrubbed(input.value().parse().unwrap_or(0)))
                    })} />
                <output for="lab-time">{ format!("{} ms of {}", guide.run().map_or(0, |r| r.sim().engine.now().0), guide.end_time().0) }</output>
            </div>
        </section>
    }
}

/// The steps (Previous, each step, Next, Copy link) and the step card, in one bar that
/// stays at the top of a wide window while the lab and the view the step points at
/// scroll under it (guide.css, src/web/pointing.rs).
pub(super) fn steps_bar(guide: &Guide, scenario: &Scenario, send: &Callback<GuideMsg>) -> Html {
    let last = scenario.steps.len();
    let step = guide.stage.step.min(last);
    let on_copy = {
        let link = guide.link();
        Callback::from(move |_: MouseEvent| {
            if let Some(fragment) = &link {
                copy_link(fragment);
            }
        })
    };
    html! {
        <div class="step-bar">
            <nav class="steps" aria-label="Steps">
                <button type="button" disabled={step == 0}
                    onclick={send.reform(|_: MouseEvent| GuideMsg::Stage(StageMsg::Previous))}>{ "Previous step" }</button>
                <ol>
                    <li><button type="button" aria-current={(step == 0).then_some("step")}
                        onclick={send.reform(|_: MouseEvent| GuideMsg::Stage(StageMsg::GoTo(0)))}>{ "Start" }</button></li>
                    { for (1..=last).map(|n| html! {
                        <li><button type="button" aria-current={(step == n).then_some("step")}
                            onclick={send.reform(move |_: MouseEvent| GuideMsg::Stage(StageMsg::GoTo(n)))}>
                            <span class="visually-hidden">{ "Step " }</span>{ n.to_string() }
                        </button></li>
                    }) }
                </ol>
                <button type="button" class="primary" disabled={step == last}
                    onclick={send.reform(|_: MouseEvent| GuideMsg::Stage(StageMsg::Next))}>{ "Next step" }</button>
                <button type="button" onclick={on_copy}>{ "Copy link" }</button>
            </nav>
            <p class="link-status" id="link-status" role="status"></p>
            <details class="link-url" id="link-details" hidden=true>
                <summary>{ "Show the link" }</summary>
                <input id="link-url" type="text" readonly=true aria-label="The link" />
            </details>
            { step_card(guide, scenario) }
        </div>
    }
}

/// The step reached: what to look at and why (or, at the start, how to go on).
fn step_card(guide: &Guide, scenario: &Scenario) -> Html {
    let last = scenario.steps.len();
    let step = guide.stage.step.min(last);
    match step.checked_sub(1).and_then(|i| scenario.steps.get(i)) {
        None => html! {
            <div class="step-card" aria-live="polite">
                <h3>{ format!("Ready: {last} steps") }</h3>
                <p>{ "Each step runs the lab on to a moment worth seeing, says what to look at and why." }</p>
                <p class="hint">{ "Press Next step (or →, or a step's number) and watch the diagram." }</p>
            </div>
        },
        Some(s) => html! {
            <div class="step-card" aria-live="polite">
                <h3>{ format!("Step {step} of {last}: {}", s.title) }</h3>
                if guide.moving() {
                    <p class="settling">{ "The lab is still moving to this step: the diagram and the views settle when it arrives." }</p>
                }
                <p><strong>{ "What to look at: " }</strong>{ s.look.clone() }</p>
                <p><strong>{ "Why: " }</strong>{ s.why.clone() }</p>
                if guide.custom.is_some() {
                    <p class="changed-lab"><strong>{ "This link changed the lab: " }</strong>
                        { "the text above describes the scenario as written, which this run may not bear out. What this run shows: " }
                        { guide.run().map(|r| run_facts(r.sim())).unwrap_or_default() }</p>
                }
            </div>
        },
    }
}

/// Puts the link to `fragment` on the clipboard and says so in a line; the link itself
/// waits under "Show the link" (open at once when the clipboard is not allowed, so it
/// can be selected by hand).
fn copy_link(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_owned();
    let url = format!("{base}#{fragment}");
    let document = window.document();
    let by_id = move |id: &str| document.as_ref().and_then(|d| d.get_element_by_id(id));
    let (status, details) = (by_id("link-status"), by_id("link-details"));
    if let Some(input) = by_id("link-url").and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
        input.set_value(&url);
    }
    let promise = window.navigator().clipboard().write_text(&url);
    spawn_local(async move {
        let copied = JsFuture::from(promise).await.is_ok();
        if let Some(details) = details {
            let _ = details.remove_attribute("hidden");
            if !copied {
                let _ = details.set_attribute("open", "");
            }
        }
        if let Some(status) = status {
            status.set_text_content(Some(if copied {
                "Link copied."
            } else {
                "The clipboard is not available here: copy the link below."
            }));
        }
    });
}

/// The select's value, by id.
fn select_value(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// What the two selects ask for: nothing, another variant, or a what-if from the
/// start or from now (`now` ms).
fn comparison(with: &str, from: &str, now: u64) -> Option<Other> {
    if let Some(v) = with.strip_prefix("variant-") {
        return v.parse().ok().map(Other::Variant);
    }
    let change = with.strip_prefix("whatif-")?.parse().ok()?;
    Some(Other::WhatIf {
        change,
        at: if from == "now" { now } else { 0 },
    })
}

/// "Compare side by side with": another variant or a what-if, from the start or
/// forked at this moment.
pub(super) fn compare_controls(
    guide: &Guide,
    scenario: &Scenario,
    run: &Run,
    send: &Callback<GuideMsg>,
) -> Html {
    let now = run.sim().engine.now().0;
    let saga = run.saga().is_some();
    let (with, from) = match guide.stage.branch.as_ref().map(|b| b.other) {
        None => (String::new(), "start"),
        Some(Other::Variant(v)) => (format!("variant-{v}"), "start"),
        Some(Other::WhatIf { change, at }) => (
            format!("whatif-{change}"),
            if at == 0 { "start" } else { "now" },
        ),
    };
    let on_change = send.reform(move |_: Event| {
        GuideMsg::Stage(StageMsg::Compared(comparison(
            &select_value("compare-with"),
            &select_value("compare-from"),
            now,
        )))
    });
    let fork_at = match guide.stage.branch.as_ref().map(|b| b.other) {
        Some(Other::WhatIf { at, .. }) if at > 0 => at,
        _ => now,
    };
    html! {
        <section class="panel compare-controls" aria-labelledby="compare-controls-heading">
            <h2 id="compare-controls-heading">{ "Side by side" }</h2>
            <div class="compare-fields">
                <label for="compare-with">{ "Compare with" }</label>
                <select id="compare-with" onchange={on_change.clone()}>
                    <option value="" selected={with.is_empty()}>{ "nothing (this run alone)" }</option>
                    { for scenario.variants.iter().enumerate().filter(|(v, _)| *v != guide.variant || guide.custom.is_some()).map(|(v, variant)| {
                        let value = format!("variant-{v}");
                        let selected = with == value;
                        html! { <option {selected} {value}>{ format!("the variant: {}", variant.name) }</option> }
                    }) }
                    { for what_if_names(run.lab()).into_iter().enumerate().map(|(i, name)| {
                        let value = format!("whatif-{i}");
                        let selected = with == value;
                        html! { <option {selected} {value}>{ format!("what if {name}") }</option> }
                    }) }
                </select>
                // A saga's world changes from the start only (its run cannot fork midway).
                if !saga {
                    <label for="compare-from">{ "A what-if applies" }</label>
                    <select id="compare-from" onchange={on_change}>
                        <option value="start" selected={from == "start"}>{ "from the start" }</option>
                        <option value="now" selected={from == "now"}>{ format!("from {fork_at} ms: a branch forked there") }</option>
                    </select>
                }
            </div>
            <p class="hint">{ "Both runs have the same seed and command script and move together from step to step; a branch forked at a moment keeps everything before it." }</p>
        </section>
    }
}
