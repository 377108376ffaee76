//! The scenario page: the library of guided scenarios, the chosen one's steps (the lab
//! moves on the diagram from step to step), the view each step points at, the
//! questions it ends with, the glossary and the study progress; "Copy link" shares
//! the scenario, its configuration and the step reached.

use super::app::listen_for_keys;
use super::exam_page::ExamApp;
use super::guide_header::{compare_controls, header, steps_bar};
use super::guide_quiz::quiz;
use super::guide_stage::stage;
use super::in_place::InPlace;
use super::later::Later;
use super::nav::{pages, shortcuts_dialog};
use super::study_files::{fetch_library, fetch_questions, storage, DECK_KEY, PROGRESS_KEY};
use crate::app::guide::{Guide, GuideMsg, Shelf, StageMsg};
use crate::app::keys::{shortcut, KeyTarget, Shortcut};
use crate::app::screen::SHORTCUTS_DIALOG;
use crate::app::study::StudyMsg;
use crate::scenarios::library::Library;
use gloo_events::EventListener;
use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
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
    /// Presenter mode (the page's chrome keeps it, also while the exam is open).
    pub presenter: bool,
}

impl PartialEq for GuideProps {
    fn eq(&self, other: &Self) -> bool {
        self.fragment == other.fragment
            && Rc::ptr_eq(&self.keys, &other.keys)
            && self.presenter == other.presenter
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

/// The scenario page's root: the masthead, the guide (or the practice exam), the
/// keyboard shortcuts. The guide follows the address itself (its own `hashchange`
/// listener) and keeps it naming where it is (`show_address`).
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
                apply_shortcut(found, &keys, &chrome, &redraw);
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
                <GuidePage key="guide" fragment={AttrValue::from((*fragment).clone())} keys={keys.clone()} presenter={chrome.borrow().presenter} />
            }
            if help_open {
                { shortcuts_dialog(close) }
            }
        </div>
    }
}

/// Carries out a shortcut: the scenario's steps go to the page (`keys`), the help
/// and presenter mode to the masthead's `chrome`.
fn apply_shortcut(
    found: Shortcut,
    keys: &RefCell<Option<Callback<GuideMsg>>>,
    chrome: &RefCell<Chrome>,
    redraw: &UseForceUpdateHandle,
) {
    let to_guide = match found {
        Shortcut::PlayPause | Shortcut::Step => Some(GuideMsg::Stage(StageMsg::Next)),
        Shortcut::BackInTime => Some(GuideMsg::Stage(StageMsg::Previous)),
        Shortcut::JumpToStep(n) => Some(GuideMsg::Stage(StageMsg::GoTo(usize::from(n)))),
        Shortcut::ToggleHelp | Shortcut::CloseHelp | Shortcut::TogglePresenter => None,
    };
    if let Some(msg) = to_guide {
        if let Some(send) = keys.borrow().as_ref() {
            send.emit(msg);
        }
        return;
    }
    {
        let mut c = chrome.borrow_mut();
        match found {
            Shortcut::ToggleHelp => c.help_open = !c.help_open,
            Shortcut::CloseHelp => c.help_open = false,
            _ => c.presenter = !c.presenter,
        }
    }
    // The guide hears of presenter mode through its props (also when it is mounted
    // again, coming back from the exam).
    redraw.force_update();
}

/// The next animation frame asked for, held so that it is cancelled when the page goes.
type Frame = Rc<RefCell<Option<AnimationFrame>>>;

/// Moves the lab on while it is moving to a step: one frame at a time. The frame that
/// asked for this one may still be running its callback, so it is dropped one frame later,
/// by the next callback.
fn schedule_tick(model: UseReducerHandle<Model>, frame: &Frame, last: f64) {
    let previous = frame.borrow_mut().take();
    let next = request_animation_frame(move |_| {
        drop(previous);
        model.dispatch(GuideMsg::Stage(StageMsg::Tick(js_sys::Date::now() - last)));
    });
    *frame.borrow_mut() = Some(next);
}

/// Puts the guide's place in the address bar: a new history entry when the user moved
/// (so Back returns), the entry replaced on the first view and when a link or an
/// address was just opened (`opened` changed since `seen`).
fn show_address(address: &str, seen: &mut Option<u64>, opened: u64) {
    let replace = seen.is_none_or(|s| s != opened);
    // A link or an address was opened (a reload, Back, a bookmark): show where it leads.
    if replace && opened > 0 {
        gloo_timers::callback::Timeout::new(0, heading_into_view).forget();
    }
    *seen = Some(opened);
    if location_fragment() == address {
        return;
    }
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let url = format!("#{address}");
    let _ = if replace {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// When the page opens: the study progress read, the link or address it was opened
/// with, the library fetched; and from then on, the address followed (Back, Forward, a
/// link or an edited address: the guide goes there). Returns what stops following it.
fn start(model: UseReducerHandle<Model>, fragment: String) -> impl FnOnce() {
    // Each attempt's choice order is drawn from this (2⁵³ values).
    model.dispatch(GuideMsg::Study(StudyMsg::Seeded(
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
    )));
    model.dispatch(GuideMsg::Study(StudyMsg::ProgressRead(
        storage().and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten()),
    )));
    model.dispatch(GuideMsg::Study(StudyMsg::DeckRead(
        storage().and_then(|s| s.get_item(DECK_KEY).ok().flatten()),
        js_sys::Date::now().max(0.0) as u64,
    )));
    if !fragment.is_empty() {
        model.dispatch(GuideMsg::OpenedLink(fragment));
    }
    model.dispatch(GuideMsg::Loading);
    let opened = model.clone();
    let on_hash = web_sys::window().map(|window| {
        EventListener::new(&window, "hashchange", move |_| {
            let fragment = location_fragment();
            if !matches!(fragment.as_str(), "exam" | "review") {
                opened.dispatch(GuideMsg::OpenedLink(fragment));
            }
        })
    });
    spawn_local(async move {
        let library = fetch_library().await;
        // Reading the library and opening its scenario are each a task's work.
        super::wait(std::time::Duration::ZERO).await;
        model.dispatch(GuideMsg::Loaded(library));
        // The scenarios (or why they are missing) shown: the app takes over.
        super::later::drawn().await;
        super::first_view::ready().await;
        model.dispatch(GuideMsg::QuestionsLoaded(fetch_questions().await));
    });
    move || drop(on_hash)
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
        use_effect_with(props.presenter, move |on| {
            model.dispatch(GuideMsg::Presenter(*on));
        });
    }
    {
        let model = model.clone();
        let fragment = props.fragment.to_string();
        use_effect_with((), move |_| start(model, fragment));
    }
    let frame: Frame = use_mut_ref(|| None);
    let shown: Rc<RefCell<Option<u64>>> = use_mut_ref(|| None);
    {
        let (handle, frame) = (model.clone(), frame.clone());
        use_effect_with(model.generation, move |_| {
            let mut guide = handle.state.borrow_mut();
            if let Some(address) = guide.address() {
                show_address(&address, &mut shown.borrow_mut(), guide.opened);
            }
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
            let at = (guide.scenario, guide.stage.step);
            drop(guide);
            super::pointing::follow(at);
            if moving {
                schedule_tick(handle.clone(), &frame, js_sys::Date::now());
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
            <Later>{ list(guide, library, send) }</Later>
            <div class="results">
                { picker(guide, library, send) }
                { header(guide, scenario, send) }
                { steps_bar(guide, scenario, send) }
                <Later>{ compare_controls(guide, scenario, run, send) }</Later>
                <Later>{ stage(guide, scenario, run) }</Later>
                <Later>{ quiz(guide, scenario, send) }</Later>
            </div>
        </div>
    }
}

/// The scenarios as a select, where the page is one column (a phone, a tablet): there
/// the list stands below the scenario, and this opens another without scrolling to it.
fn picker(guide: &Guide, library: &Library, send: &Callback<GuideMsg>) -> Html {
    let onchange = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let chosen = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|select| select.value().parse::<usize>().ok());
            if let Some(i) = chosen {
                send.emit(GuideMsg::Chose(i));
            }
        })
    };
    html! {
        <div class="scenario-picker">
            <label for="scenario-picker">{ "Scenario" }</label>
            <select id="scenario-picker" {onchange}>
                { for library.scenarios.iter().enumerate().map(|(i, s)| html! {
                    <option value={i.to_string()} selected={i == guide.scenario}>{ s.title.clone() }</option>
                }) }
            </select>
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
                                    onclick={chose(send, i)}>
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

/// Opens scenario `i`, then brings its heading into view when it is off screen (on a
/// phone the list stands above it).
fn chose(send: &Callback<GuideMsg>, i: usize) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |_: MouseEvent| {
        send.emit(GuideMsg::Chose(i));
        gloo_timers::callback::Timeout::new(0, heading_into_view).forget();
    })
}

/// Brings the open scenario's heading into view when it is off screen or low on it.
fn heading_into_view() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let heading = window
        .document()
        .and_then(|d| d.get_element_by_id("scenario-heading"));
    let height = window.inner_height().ok().and_then(|h| h.as_f64());
    if let (Some(heading), Some(height)) = (heading, height) {
        let top = heading.get_bounding_client_rect().top();
        if top < 0.0 || top > height * 0.5 {
            heading.scroll_into_view();
        }
    }
}
