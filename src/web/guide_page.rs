//! The scenario page: the library of guided scenarios, the chosen one's steps (the lab
//! moves on the diagram from step to step), the view each step points at, the
//! questions it ends with, the glossary and the study progress; "Copy link" shares
//! the scenario, its configuration and the step reached.

use super::app::{listen_for_keys, pages, shortcuts_dialog};
use super::diagram;
use super::exam_page::ExamApp;
use super::in_place::InPlace;
use super::projections_panel::rows_beside_truth;
use super::question_view::{question_view, sources_line, Shown};
use super::saga_panel;
use super::study_files::{fetch_library, fetch_questions, storage, DECK_KEY, PROGRESS_KEY};
use super::timeline;
use crate::app::diagram::DiagramView;
use crate::app::guide::{what_if_names, Branch, Guide, GuideMsg, Other, Shelf};
use crate::app::keys::{shortcut, KeyTarget, Shortcut};
use crate::app::privacy_view::describe;
use crate::app::saga_view::SagaView;
use crate::app::screen::SHORTCUTS_DIALOG;
use crate::app::timeline::{mark, TimelineView};
use crate::domain::order::OrderState;
use crate::engine::trace::HopKind;
use crate::engine::truth::StoreFold;
use crate::engine::views::lag;
use crate::engine::views::Stream;
use crate::scenarios::lab::Run;
use crate::scenarios::library::{Library, Panel, Scenario};
use crate::scenarios::shuffle::choice_order;
use crate::scenarios::views::{costs, differences, modes, run_facts, saga_differences};
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The guide, mutated in place like the workbench's screen.
type Model = InPlace<Guide>;

/// The page's settings.
#[derive(Properties, Clone)]
pub struct GuideProps {
    /// The URL fragment it was opened with (a shared link), if any.
    pub fragment: AttrValue,
    /// Filled with the page's message sender, for the keyboard shortcuts.
    pub keys: Rc<RefCell<Option<Callback<GuideMsg>>>>,
}

impl PartialEq for GuideProps {
    fn eq(&self, other: &Self) -> bool {
        self.fragment == other.fragment && Rc::ptr_eq(&self.keys, &other.keys)
    }
}

/// The URL fragment without its `#`.
fn location_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}

/// What the page's chrome shows: the shortcuts list, presenter mode.
#[derive(Default)]
struct Chrome {
    help_open: bool,
    presenter: bool,
}

/// The scenario page's root: the masthead, the guide, the keyboard shortcuts. A new
/// link pasted into the address bar opens afresh.
#[component]
pub fn GuideApp() -> Html {
    let fragment = use_state(location_fragment);
    let keys = use_mut_ref(|| None::<Callback<GuideMsg>>);
    let chrome = use_mut_ref(Chrome::default);
    let redraw = use_force_update();
    {
        let (keys, chrome, redraw) = (keys.clone(), chrome.clone(), redraw.clone());
        let fragment = fragment.clone();
        use_effect_with((), move |_| {
            let listener = listen_for_keys(move |key, at| {
                let at = KeyTarget {
                    help_open: chrome.borrow().help_open,
                    ..at
                };
                let Some(found) = shortcut(key, at) else {
                    return false;
                };
                let to_guide = match found {
                    Shortcut::PlayPause | Shortcut::Step => Some(GuideMsg::Next),
                    Shortcut::BackInTime => Some(GuideMsg::Previous),
                    Shortcut::JumpToStep(n) => Some(GuideMsg::GoTo(usize::from(n))),
                    Shortcut::ToggleHelp | Shortcut::CloseHelp | Shortcut::TogglePresenter => None,
                };
                match to_guide {
                    Some(msg) => {
                        if let Some(send) = keys.borrow().as_ref() {
                            send.emit(msg);
                        }
                    }
                    None => {
                        let mut c = chrome.borrow_mut();
                        match found {
                            Shortcut::ToggleHelp => c.help_open = !c.help_open,
                            Shortcut::CloseHelp => c.help_open = false,
                            _ => c.presenter = !c.presenter,
                        }
                        drop(c);
                        redraw.force_update();
                    }
                }
                true
            });
            let on_hash = web_sys::window().map(|window| {
                let fragment = fragment.clone();
                EventListener::new(&window, "hashchange", move |_| {
                    fragment.set(location_fragment())
                })
            });
            move || {
                drop(listener);
                drop(on_hash);
            }
        });
    }
    let help_open = chrome.borrow().help_open;
    use_effect_with(help_open, |open| {
        if *open {
            let dialog = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(SHORTCUTS_DIALOG))
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(dialog) = dialog {
                let _ = dialog.focus();
            }
        }
    });
    let close = {
        let (chrome, redraw) = (chrome.clone(), redraw.clone());
        Callback::from(move |_: MouseEvent| {
            chrome.borrow_mut().help_open = false;
            redraw.force_update();
        })
    };
    html! {
        <div class={classes!("page", chrome.borrow().presenter.then_some("presenter"))}>
            <header class="masthead">
                <h1>{ "CQRS Lab" }</h1>
                { pages(true) }
                <p class="tagline">
                    { "Guided scenarios, each a lab that runs the same way every time: step through it, then answer the exam-style questions." }
                </p>
            </header>
            if matches!(fragment.as_str(), "exam" | "review") {
                <ExamApp key={(*fragment).clone()} review={fragment.as_str() == "review"} />
            } else {
                <GuidePage key={(*fragment).clone()} fragment={AttrValue::from((*fragment).clone())} keys={keys.clone()} />
            }
            if help_open {
                { shortcuts_dialog(close) }
            }
        </div>
    }
}

/// Moves the lab on while it is moving to a step: one frame at a time.
fn schedule_tick(model: UseReducerHandle<Model>, last: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let next = Closure::once_into_js(move || {
        let now = js_sys::Date::now();
        model.dispatch(GuideMsg::Tick(now - last));
    });
    let _ = window.request_animation_frame(next.unchecked_ref());
}

/// The scenario page.
#[component]
pub fn GuidePage(props: &GuideProps) -> Html {
    let model = use_reducer(|| Model::new(Guide::default()));
    let send: Callback<GuideMsg> = {
        let model = model.clone();
        Callback::from(move |msg| model.dispatch(msg))
    };
    *props.keys.borrow_mut() = Some(send.clone());
    {
        let model = model.clone();
        let fragment = props.fragment.to_string();
        use_effect_with((), move |_| {
            // Each attempt's choice order is drawn from this (2⁵³ values).
            model.dispatch(GuideMsg::Seeded(
                (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
            ));
            model.dispatch(GuideMsg::ProgressRead(
                storage().and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten()),
            ));
            model.dispatch(GuideMsg::DeckRead(
                storage().and_then(|s| s.get_item(DECK_KEY).ok().flatten()),
                js_sys::Date::now().max(0.0) as u64,
            ));
            if !fragment.is_empty() {
                model.dispatch(GuideMsg::OpenedLink(fragment));
            }
            model.dispatch(GuideMsg::Loading);
            spawn_local(async move {
                model.dispatch(GuideMsg::Loaded(fetch_library().await));
                model.dispatch(GuideMsg::QuestionsLoaded(fetch_questions().await));
            });
        });
    }
    {
        let handle = model.clone();
        use_effect_with(model.generation, move |_| {
            let mut guide = handle.state.borrow_mut();
            if guide.study.progress_dirty {
                guide.study.progress_dirty = false;
                if let Some(s) = storage() {
                    // Full storage or private mode: the score shows, it just is not kept.
                    let _ = s.set_item(PROGRESS_KEY, &guide.study.progress.to_json());
                }
            }
            if guide.study.deck_dirty {
                guide.study.deck_dirty = false;
                if let Some(s) = storage() {
                    let _ = s.set_item(DECK_KEY, &guide.study.deck.to_json());
                }
            }
            let moving = guide.moving();
            drop(guide);
            if moving {
                schedule_tick(handle.clone(), js_sys::Date::now());
            }
        });
    }
    let guide = model.state.borrow();
    let body = match &guide.shelf {
        Shelf::Idle | Shelf::Loading => html! { <p class="empty">{ "Loading the scenarios…" }</p> },
        Shelf::Failed(why) => html! {
            <p class="warning" role="alert">{ format!("The scenarios could not be loaded: {why}. Reload the page to try again.") }</p>
        },
        Shelf::Ready(library) => page(&guide, library, &send),
    };
    html! {
        <main class="guide-page">
            if let Some(notice) = &guide.notice {
                <div class="notice" role="alert">
                    <p>{ notice.clone() }</p>
                    <button type="button" onclick={send.reform(|_: MouseEvent| GuideMsg::Dismissed)}>{ "Dismiss" }</button>
                </div>
            }
            { body }
        </main>
    }
}

fn page(guide: &Guide, library: &Library, send: &Callback<GuideMsg>) -> Html {
    let (Some(scenario), Some(run)) = (guide.scenario(), guide.run()) else {
        return html! {};
    };
    html! {
        <div class="guide">
            { list(guide, library, send) }
            <div class="results">
                { header(guide, scenario, send) }
                { compare_controls(guide, scenario, run, send) }
                { stage(guide, scenario, run) }
                { quiz(guide, scenario, send) }
            </div>
        </div>
    }
}

/// The scenarios, the progress and the glossary.
fn list(guide: &Guide, library: &Library, send: &Callback<GuideMsg>) -> Html {
    let passed = guide.study.progress.passed();
    let due = guide.study.deck.due(library, guide.study.now).len();
    html! {
        <div class="side">
            <nav class="panel scenario-list" aria-labelledby="scenarios-heading">
                <h2 id="scenarios-heading">{ "Scenarios" }</h2>
                <p class="progress-line">{ format!("Study progress: {passed} of {} passed (60 % of a scenario's questions right)", library.scenarios.len()) }</p>
                <p class="study-links">
                    <a href="#exam">{ "Practice exam" }</a>
                    if due > 0 {
                        <a href="#review">{ format!("Review due questions ({due})") }</a>
                    }
                </p>
                <ol>
                    { for library.scenarios.iter().enumerate().map(|(i, s)| {
                        let score = guide.study.progress.score(&s.id);
                        let current = i == guide.scenario;
                        html! {
                            <li>
                                <button type="button" class={classes!("scenario-choice", current.then_some("current"))}
                                    aria-current={current.then_some("true")}
                                    onclick={send.reform(move |_: MouseEvent| GuideMsg::Chose(i))}>
                                    { s.title.clone() }
                                </button>
                                if let Some(score) = score {
                                    <span class={classes!("score", score.passed().then_some("passed"))}>
                                        { format!("{} {}/{}", if score.passed() { "✓ passed" } else { "✗ not yet" }, score.best, score.total) }
                                    </span>
                                }
                            </li>
                        }
                    }) }
                </ol>
            </nav>
            <section class="panel glossary" aria-labelledby="glossary-heading">
                <h2 id="glossary-heading">{ "Glossary" }</h2>
                <dl>
                    { for library.glossary.iter().map(|t| html! {
                        <>
                            <dt>{ t.term.clone() }</dt>
                            <dd>{ t.meaning.clone() }</dd>
                        </>
                    }) }
                </dl>
            </section>
        </div>
    }
}

/// The scenario's title, its configuration, the steps and the step card.
fn header(guide: &Guide, scenario: &Scenario, send: &Callback<GuideMsg>) -> Html {
    let last = scenario.steps.len();
    let step = guide.step.min(last);
    let card = match step.checked_sub(1).and_then(|i| scenario.steps.get(i)) {
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
                <p><strong>{ "What to look at: " }</strong>{ s.look.clone() }</p>
                <p><strong>{ "Why: " }</strong>{ s.why.clone() }</p>
                if guide.custom.is_some() {
                    <p class="changed-lab"><strong>{ "This link changed the lab: " }</strong>
                        { "the text above describes the scenario as written, which this run may not bear out. What this run shows: " }
                        { guide.run().map(|r| run_facts(r.sim())).unwrap_or_default() }</p>
                }
            </div>
        },
    };
    let on_copy = {
        let link = guide.link();
        Callback::from(move |_: MouseEvent| {
            if let Some(fragment) = &link {
                copy_link(fragment);
            }
        })
    };
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
            <nav class="steps" aria-label="Steps">
                <button type="button" disabled={step == 0}
                    onclick={send.reform(|_: MouseEvent| GuideMsg::Previous)}>{ "Previous step" }</button>
                <ol>
                    <li><button type="button" aria-current={(step == 0).then_some("step")}
                        onclick={send.reform(|_: MouseEvent| GuideMsg::GoTo(0))}>{ "Start" }</button></li>
                    { for (1..=last).map(|n| html! {
                        <li><button type="button" aria-current={(step == n).then_some("step")}
                            onclick={send.reform(move |_: MouseEvent| GuideMsg::GoTo(n))}>
                            <span class="visually-hidden">{ "Step " }</span>{ n.to_string() }
                        </button></li>
                    }) }
                </ol>
                <button type="button" class="primary" disabled={step == last}
                    onclick={send.reform(|_: MouseEvent| GuideMsg::Next)}>{ "Next step" }</button>
                <button type="button" onclick={on_copy}>{ "Copy link" }</button>
            </nav>
            <div class="scrub">
                <label for="lab-time">{ "Time travel" }</label>
                <input id="lab-time" type="range" min="0" max={guide.end_time().0.to_string()} step="1"
                    value={guide.run().map_or(0, |r| r.sim().engine.now().0).to_string()}
                    aria-valuetext={format!("{} ms", guide.run().map_or(0, |r| r.sim().engine.now().0))}
                    oninput={send.reform(|e: InputEvent| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        GuideMsg::Scrubbed(input.value().parse().unwrap_or(0))
                    })} />
                <output for="lab-time">{ format!("{} ms of {}", guide.run().map_or(0, |r| r.sim().engine.now().0), guide.end_time().0) }</output>
            </div>
            <p class="link-status" id="link-status" role="status"></p>
            { card }
        </section>
    }
}

/// Puts the link to `fragment` on the clipboard, and in the status line (where it can
/// be selected by hand when the clipboard is not allowed).
fn copy_link(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default().to_owned();
    let url = format!("{base}#{fragment}");
    let status = window
        .document()
        .and_then(|d| d.get_element_by_id("link-status"));
    let promise = window.navigator().clipboard().write_text(&url);
    spawn_local(async move {
        let copied = JsFuture::from(promise).await.is_ok();
        if let Some(status) = status {
            status.set_text_content(Some(&if copied {
                format!("Link copied: {url}")
            } else {
                format!("Copy this link: {url}")
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
fn compare_controls(
    guide: &Guide,
    scenario: &Scenario,
    run: &Run,
    send: &Callback<GuideMsg>,
) -> Html {
    let now = run.sim().engine.now().0;
    let saga = run.saga().is_some();
    let (with, from) = match guide.branch.as_ref().map(|b| b.other) {
        None => (String::new(), "start"),
        Some(Other::Variant(v)) => (format!("variant-{v}"), "start"),
        Some(Other::WhatIf { change, at }) => (
            format!("whatif-{change}"),
            if at == 0 { "start" } else { "now" },
        ),
    };
    let on_change = send.reform(move |_: Event| {
        GuideMsg::Compared(comparison(
            &select_value("compare-with"),
            &select_value("compare-from"),
            now,
        ))
    });
    let fork_at = match guide.branch.as_ref().map(|b| b.other) {
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

/// The clock, the diagram (two, side by side, when comparing) and the view the step
/// points at.
fn stage(guide: &Guide, scenario: &Scenario, run: &Run) -> Html {
    let sim = run.sim();
    let events = sim.store.events();
    let d = DiagramView::of(
        &sim.engine,
        guide.pulse_window(),
        events,
        &StoreFold::of(events),
    );
    let show = guide
        .step
        .checked_sub(1)
        .and_then(|i| scenario.steps.get(i))
        .map_or(
            if run.saga().is_some() {
                Panel::Saga
            } else {
                Panel::ReadModels
            },
            |s| s.show,
        );
    let this = match (&guide.custom, scenario.variants.get(guide.variant)) {
        (Some(_), _) => "As the link set it".to_owned(),
        (None, Some(v)) => v.name.clone(),
        (None, None) => "As the scenario sets it".to_owned(),
    };
    let heading = format!(
        "The lab at {} ms{}",
        sim.engine.now().0,
        if guide.moving() { " (moving…)" } else { "" }
    );
    let lab = match &guide.branch {
        None => html! {
            <section class="panel flow-panel" aria-labelledby="lab-heading">
                <h2 id="lab-heading">{ heading }</h2>
                { print(run, true) }
                { figure_of("Architecture diagram", run, &d) }
            </section>
        },
        Some(branch) => split(&heading, &this, run, &d, branch, guide),
    };
    html! {
        <>
            { lab }
            <section class="panel" aria-labelledby="panel-heading">
                <h2 id="panel-heading">{ panel_title(show) }</h2>
                { panel(show, run, &d) }
                if !run.notes().is_empty() {
                    <h3>{ "What was done to the system" }</h3>
                    <ul class="notes">
                        { for run.notes().iter().map(|(at, note)| html! { <li>{ format!("{} ms: {note}", at.0) }</li> }) }
                    </ul>
                }
            </section>
        </>
    }
}

/// The run's fingerprint: equal runs have equal ones.
fn print(run: &Run, long: bool) -> Html {
    let hash = run
        .saga()
        .map_or_else(|| run.sim().engine.trace().hash(), |s| s.fingerprint());
    html! {
        <p class="fingerprint">{ if long {
            format!("Run fingerprint {hash:016x}: the same scenario, configuration and step give the same one, here or from a link.")
        } else {
            format!("Run fingerprint {hash:016x}")
        } }</p>
    }
}

/// The saga's state machine in a saga scenario, else the architecture diagram.
fn figure_of(name: &str, run: &Run, d: &DiagramView) -> Html {
    match run.saga() {
        Some(saga) => saga_panel::machine(
            &name.replace("Architecture diagram", "Saga state machine"),
            &SagaView::of(saga),
        ),
        None => {
            let head = run.sim().store.head().0;
            diagram::figure(name, d, head, head, None, html! {})
        }
    }
}

/// Two runs side by side, and every figure where they differ.
fn split(
    heading: &str,
    this: &str,
    run: &Run,
    d: &DiagramView,
    branch: &Branch,
    guide: &Guide,
) -> Html {
    let other = branch.run().sim();
    let od = DiagramView::of(
        &other.engine,
        guide.pulse_window(),
        other.store.events(),
        &StoreFold::of(other.store.events()),
    );
    let all = match (run.saga(), branch.run().saga()) {
        (Some(a), Some(b)) => saga_differences(a, b),
        _ => differences(run.sim(), other),
    };
    let same = all.iter().filter(|x| !x.differs()).count();
    let differ: Vec<_> = all.into_iter().filter(|x| x.differs()).collect();
    let side = |name: &str, r: &Run, d: &DiagramView| {
        html! {
            <div class="side-run">
                <h3>{ name.to_owned() }</h3>
                { print(r, false) }
                { figure_of(&format!("Architecture diagram: {name}"), r, d) }
                if !r.notes().is_empty() {
                    <ul class="notes">
                        { for r.notes().iter().map(|(at, note)| html! { <li>{ format!("{} ms: {note}", at.0) }</li> }) }
                    </ul>
                }
            </div>
        }
    };
    html! {
        <section class="panel flow-panel split" aria-labelledby="lab-heading">
            <h2 id="lab-heading">{ heading.to_owned() }</h2>
            <div class="side-by-side">
                { side(this, run, d) }
                { side(&branch.label, branch.run(), &od) }
            </div>
            <table class="lab-facts differences">
                <caption>{ if differ.is_empty() { format!("No difference yet ({same} figures compared)") } else { format!("{} difference(s); {same} other figures the same", differ.len()) } }</caption>
                <thead><tr><th scope="col">{ "Figure" }</th><th scope="col">{ this.to_owned() }</th><th scope="col">{ branch.label.clone() }</th></tr></thead>
                <tbody>
                    { for differ.iter().map(|x| html! {
                        <tr class="differs"><th scope="row">{ format!("≠ {}", x.what) }</th><td>{ x.a.clone() }</td><td>{ x.b.clone() }</td></tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

fn panel_title(show: Panel) -> &'static str {
    match show {
        Panel::ReadModels => "Read models beside the truth",
        Panel::Lag => "Lag",
        Panel::Timeline => "Timeline",
        Panel::DeadLetters => "Dead letters",
        Panel::Stream => "The order's stream",
        Panel::Log => "What the system said",
        Panel::Modes => "CRUD, CQRS only, CQRS + Event Sourcing",
        Panel::Costs => "What it costs",
        Panel::Saga => "The fulfilment saga",
    }
}

fn panel(show: Panel, run: &Run, d: &DiagramView) -> Html {
    let sim = run.sim();
    let now = sim.engine.now();
    match show {
        Panel::Saga => match run.saga() {
            Some(saga) => saga_panel::details(&SagaView::of(saga)),
            None => html! { <p>{ "This scenario runs no saga." }</p> },
        },
        Panel::ReadModels => html! {
            <div class="lanes">
                { for d.lanes.iter().map(|lane| html! {
                    <div class="lane-check">
                        <h3>{ format!("{} ({}) · checkpoint {}", lane.name.title(), mode_name(lane.mode), lane.checkpoint.0) }</h3>
                        { rows_beside_truth(lane, run.vault()) }
                    </div>
                }) }
            </div>
        },
        Panel::Lag => html! {
            <table class="lab-facts">
                <thead><tr><th scope="col">{ "Projection" }</th><th scope="col">{ "Checkpoint" }</th><th scope="col">{ "Events behind" }</th><th scope="col">{ "ms behind" }</th></tr></thead>
                <tbody>
                    { for d.lanes.iter().map(|lane| {
                        let l = lag(sim.store.events(), lane.checkpoint, now);
                        html! { <tr><th scope="row">{ lane.name.title() }</th><td>{ lane.checkpoint.0 }</td><td>{ l.events_behind }</td><td>{ l.ms_behind.0 }</td></tr> }
                    }) }
                </tbody>
            </table>
        },
        Panel::Timeline => timeline::chart(&TimelineView::of(&sim.engine)),
        Panel::DeadLetters => html! {
            <ul class="notes">
                { for d.lanes.iter().map(|lane| html! {
                    <li>{ format!("{}: {} dead letter(s){}", lane.name.title(), lane.dead_letters,
                        lane.dead.first().map(|x| format!(", e.g. position {} ({} on {}): {}", x.position.0, x.event_type, x.stream, x.reason)).unwrap_or_default()) }</li>
                }) }
            </ul>
        },
        Panel::Stream => stream(run),
        Panel::Log => {
            let said: Vec<String> = sim
                .engine
                .trace()
                .hops()
                .filter_map(|h| {
                    mark(h)
                        .filter(|m| m.kind != crate::app::diagram::PulseKind::Normal)
                        .map(|m| format!("{} ms · {}: {}", h.at.0, m.component.title(), m.text))
                })
                .collect();
            let shown = said.len().saturating_sub(30);
            html! {
                <>
                    <p>{ format!("{} events stored; {} refused, {} rejected, {} duplicate command(s), {} conflict(s).",
                        sim.store.head().0, sim.engine.metrics().commands_refused, sim.engine.metrics().commands_rejected,
                        sim.engine.metrics().commands_duplicate, sim.engine.metrics().conflicts) }</p>
                    <p>{ waits(sim.engine.metrics()) }</p>
                    <ol class="notes">{ for said[shown..].iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol>
                </>
            }
        }
        Panel::Modes => html! {
            <table class="lab-facts modes">
                <thead><tr>
                    <th scope="col">{ "Architecture" }</th><th scope="col">{ "Stores" }</th><th scope="col">{ "Knows of the order" }</th>
                    <th scope="col">{ "Audit trail" }</th><th scope="col">{ "Rebuild read models" }</th><th scope="col">{ "Time travel" }</th>
                    <th scope="col">{ "Reads scale apart" }</th><th scope="col">{ "Reads its own writes" }</th>
                </tr></thead>
                <tbody>
                    { for modes(sim).into_iter().map(|row| {
                        let c = row.capabilities;
                        html! {
                            <tr>
                                <th scope="row">{ row.mode.label() }</th>
                                <td>{ row.stores }</td>
                                <td>{ row.history }</td>
                                { for [c.audit_trail, c.rebuild_read_models, c.time_travel, c.independent_read_scaling, c.read_your_writes].into_iter().map(|cap| html! {
                                    <td title={cap.why}>{ if cap.available { "✓ yes" } else { "✗ no" } }<span class="why">{ cap.why }</span></td>
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
        Panel::Costs => {
            let c = costs(sim);
            let records: u64 = c.records.iter().map(|(_, n)| n).sum();
            html! {
                <table class="lab-facts">
                    <thead><tr><th scope="col">{ "For this workload" }</th><th scope="col">{ "CQRS + Event Sourcing" }</th><th scope="col">{ "CRUD" }</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">{ "Commands handled" }</th><td>{ c.commands }</td><td>{ c.commands }</td></tr>
                        <tr><th scope="row">{ "Components to run" }</th><td>{ c.components }</td><td>{ "1 database" }</td></tr>
                        <tr><th scope="row">{ "Messages moved" }</th><td>{ c.messages }</td><td>{ "0" }</td></tr>
                        <tr><th scope="row">{ "Records kept" }</th>
                            <td>{ format!("{records}: {}", c.records.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")) }</td>
                            <td>{ format!("{} row(s)", c.crud_rows) }</td></tr>
                        <tr><th scope="row">{ "A write visible to every read after" }</th>
                            <td>{ format!("{} ms on average, {} ms at worst ({} events)", c.stale.1, c.stale.2, c.stale.0) }</td>
                            <td>{ "at once" }</td></tr>
                    </tbody>
                </table>
            }
        }
    }
}

/// How long payments and other commands waited for their outcome.
fn waits(m: &crate::engine::trace::Metrics) -> String {
    let one = |what: &str, l: &crate::engine::trace::Latency| match l.count {
        0 => format!("no {what} handled yet"),
        n => format!(
            "{n} {what} waited {} ms on average, {} ms at most",
            l.mean_ms(),
            l.max_ms
        ),
    };
    format!(
        "From first send to outcome: {}; {}.",
        one("payment(s)", &m.critical_latency),
        one("other command(s)", &m.bulk_latency)
    )
}

fn mode_name(mode: crate::engine::config::ProjectionMode) -> &'static str {
    match mode {
        crate::engine::config::ProjectionMode::Naive => "naive",
        crate::engine::config::ProjectionMode::Idempotent => "idempotent",
    }
}

/// The first order's stream: its events, the snapshot kept and what loading it costs.
fn stream(run: &Run) -> Html {
    let sim = run.sim();
    let Some(id) = sim.store.stream_ids().first().map(|id| (*id).clone()) else {
        return html! { <p class="empty">{ "No order yet." }</p> };
    };
    let s = Stream::read_from(&sim.store, &id);
    let personal = match &s.state {
        OrderState::Created(order) => describe(order.personal.as_ref(), run.vault()),
        OrderState::NotCreated => None,
    };
    let cost = match s.snapshot {
        Some(v) => format!("A handler loads the snapshot at v{} and replays {} event(s) after it, instead of all {}.", v.0, s.replay_cost(), s.version.0),
        None => format!("No snapshot yet: a handler replays all {} event(s).", s.version.0),
    };
    let last_load = sim.engine.trace().hops().rev().find_map(|h| match &h.kind {
        HopKind::AggregateLoaded { command_id, stream_id, snapshot, replayed } if *stream_id == id => Some(match snapshot {
            Some(v) => format!("The last command, {command_id}, started from the snapshot at v{} and replayed {replayed} event(s).", v.0),
            None => format!("The last command, {command_id}, had no snapshot and replayed {replayed} event(s)."),
        }),
        _ => None,
    });
    html! {
        <>
            <p>{ format!("{id} at version {} (snapshot every {} events). {cost}", s.version.0, run.knobs().snapshot_every) }</p>
            if let Some(personal) = personal {
                <p class="personal-line"><strong>{ "Customer's name and address, opened with their key: " }</strong><span class="personal">{ personal }</span></p>
            }
            if let Some(text) = last_load {
                <p>{ text }</p>
            }
            <table class="lab-facts">
                <thead><tr><th scope="col">{ "Version" }</th><th scope="col">{ "Position" }</th><th scope="col">{ "Event" }</th><th scope="col">{ "Command" }</th></tr></thead>
                <tbody>
                    { for s.history.iter().map(|e| html! {
                        <tr class={classes!((s.snapshot == Some(e.stream_version)).then_some("snapshot"))}>
                            <td>{ format!("{}{}", e.stream_version.0, if s.snapshot == Some(e.stream_version) { " ◆ snapshot" } else { "" }) }</td>
                            <td>{ e.global_position.0 }</td>
                            <td>{ e.event_type() }</td>
                            <td>{ e.causation_id().to_string() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}

/// The questions, once the last step is reached, and the score once checked.
fn quiz(guide: &Guide, scenario: &Scenario, send: &Callback<GuideMsg>) -> Html {
    let last = scenario.steps.len();
    if guide.step < last {
        return html! {
            <section class="panel quiz" aria-labelledby="quiz-heading">
                <h2 id="quiz-heading">{ "Questions" }</h2>
                <p class="hint">{ match scenario.quiz.len() {
                    0 => "Exam-style questions follow the last step.".to_owned(),
                    n => format!("{n} exam-style questions follow the last step."),
                } }</p>
            </section>
        };
    }
    if scenario.quiz.is_empty() {
        let line = match &guide.questions_failed {
            Some(why) => {
                format!("The questions could not be loaded: {why}. Reload the page to try again.")
            }
            None => "Loading the questions…".to_owned(),
        };
        return html! {
            <section class="panel quiz" aria-labelledby="quiz-heading">
                <h2 id="quiz-heading">{ "Questions" }</h2>
                <p class={if guide.questions_failed.is_some() { "warning" } else { "hint" }} role="status">{ line }</p>
            </section>
        };
    }
    let score = guide.score();
    html! {
        <section class="panel quiz" aria-labelledby="quiz-heading">
            <h2 id="quiz-heading">{ "Questions" }</h2>
            { for scenario.quiz.iter().enumerate().map(|(q, question)| {
                let order = choice_order(guide.study.attempt, q, question.choices.len());
                let picked = guide.study.picked.get(q).map_or(&[][..], Vec::as_slice);
                let shown = Shown { number: q + 1, key: "quiz", question, order: &order, picked, reveal: guide.study.checked };
                question_view(&shown, &send.reform(move |c| GuideMsg::Picked(q, c)))
            }) }
            if let Some((right, total)) = score {
                <p class="score-line" role="status">{ format!("{right} of {total} right ({} %): {}", right * 100 / total.max(1),
                    if right * 100 >= 60 * total { "passed" } else { "not passed yet (60 % passes)" }) }</p>
                <button type="button" onclick={send.reform(|_: MouseEvent| GuideMsg::Retried)}>{ "Try again" }</button>
            } else {
                if let Some(message) = &guide.study.message {
                    <p class="quiz-message" role="alert">{ message.clone() }</p>
                }
                <button type="button" class="primary" onclick={send.reform(|_: MouseEvent| GuideMsg::Checked(js_sys::Date::now().max(0.0) as u64))}>{ "Check answers" }</button>
            }
        </section>
    }
}
