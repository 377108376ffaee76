//! The root component: owns the screen model and lays out the panels.

use super::enlarge;
use super::event_table::EventTable;
use super::in_place::InPlace;
use super::later::{self, Later};
use super::nav::{pages, shortcuts_dialog};
use super::runtime::{self, Runtime, DATABASE};
use super::{
    azure_panel, command_panel, data_panel, diagram, fault_panel, hunter_panel, journal, lag_chart,
    projections_panel, sim_controls, tab_bar, timeline, travel_panel, vault, write_model,
};
use crate::app::keys::{is_control, shortcut, KeyTarget, Shortcut};
use crate::app::page_io::Announcement;
use crate::app::screen::{DataMsg, HuntMsg, Msg, PrivacyMsg, Screen, Storage};
use crate::app::tabs::Tab;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The workbench's screen, mutated in place.
type Model = InPlace<Screen>;

/// The runtime once the store is open, whether a command is running, and the
/// listener for other tabs' appends (kept alive with the page).
#[derive(Default)]
struct Wiring {
    runtime: Option<Rc<Runtime>>,
    busy: bool,
    /// Whether the app has taken over from the page's first view.
    shown: bool,
    _listener: Option<EventListener>,
}

/// Once: the app's view, rendered by now, replaces the page's first view (which was
/// taken as the store opened: see `start`).
async fn take_over(wiring: &RefCell<Wiring>) {
    if !std::mem::replace(&mut wiring.borrow_mut().shown, true) {
        super::first_view::step_aside().await;
    }
}

/// Opens the store, shows what it holds, and listens for other tabs.
fn start(model: UseReducerHandle<Model>, wiring: Rc<RefCell<Wiring>>, database: AttrValue) {
    spawn_local(async move {
        // The page as drawn before the store is open is what the build puts in the page.
        later::drawn().await;
        super::first_view::capture();
        // The key vault, read here: read in an effect of the first render, it redid that
        // whole render at once.
        model.dispatch(Msg::Privacy(PrivacyMsg::VaultRead {
            file: vault::read(),
            seed: vault::random_seed(),
        }));
        let on_storage = {
            let model = model.clone();
            move |storage| model.dispatch(Msg::Data(DataMsg::StorageOpened(storage)))
        };
        let (runtime, storage, tail, previous) = runtime::open(&database, on_storage).await;
        let runtime = Rc::new(runtime);
        // Both are queued behind the work under way: a running command's session is
        // not replaced under it, and new events are read into the log they belong to.
        let on_change = {
            let model = model.clone();
            move |announcement| {
                model.dispatch(match announcement {
                    Announcement::Appended => Msg::OtherTabAppended,
                    Announcement::Replaced => Msg::OtherTabReplaced,
                })
            }
        };
        {
            let mut wiring = wiring.borrow_mut();
            wiring._listener = runtime::listen(&runtime, on_change);
            // The engine catches up (relay, rebuilds) before it handles the first
            // command; commands clicked meanwhile wait in the page's requests.
            wiring.busy = true;
        }
        // The newest events show while the read models are restored (a long log's
        // take a while), not "No events yet"; the storage line says "Opening" until
        // the page is started.
        model.dispatch(Msg::TailRead(tail.clone()));
        let recovery = runtime.recover(&tail, previous).await;
        wiring.borrow_mut().runtime = Some(Rc::clone(&runtime));
        model.dispatch(Msg::Data(DataMsg::Recovered(recovery)));
        model.dispatch(Msg::Data(DataMsg::StorageOpened(storage)));
        runtime.catch_up().await;
        wiring.borrow_mut().busy = false;
        let head = model.state.borrow().log.head();
        model.dispatch(Msg::EventsRead(runtime.events_after(head).await));
        // The app replaces the first view with the diagram drawn: now if paused, else
        // at the first frame's answer.
        if !model.state.borrow().controls.clock.playing {
            take_over(&wiring).await;
        }
        schedule_frame(model, Rc::downgrade(&wiring), now_ms(), 0);
    });
}

/// Hands clicked commands to the runtime's durable queue at once (the simulation's
/// frames send them into the engine), then carries out the next other request (a step,
/// a read, an export, import or reset), one at a time; its answer re-renders, which
/// pumps the next.
fn pump(model: &UseReducerHandle<Model>, wiring: &Rc<RefCell<Wiring>>) {
    let Some(runtime) = wiring.borrow().runtime.clone() else {
        return;
    };
    for (order_id, command) in model.state.borrow_mut().take_sends() {
        runtime.accept(order_id, command);
    }
    if wiring.borrow().busy {
        return;
    }
    let Some((request, head)) = ({
        let mut screen = model.state.borrow_mut();
        let head = screen.log.head();
        screen.take_request().map(|r| (r, head))
    }) else {
        return;
    };
    wiring.borrow_mut().busy = true;
    let (model, wiring) = (model.clone(), Rc::clone(wiring));
    spawn_local(async move {
        let msg = runtime.handle(request, head).await;
        wiring.borrow_mut().busy = false;
        model.dispatch(msg);
    });
}

/// Real milliseconds between frames of the simulation.
const FRAME_MS: u32 = 16;

/// The simulation's heartbeat: every frame, while it plays and nothing else runs,
/// virtual time moves on by the real time passed times the speed. The page re-renders
/// when something moved (at most once per frame), and a few times a second for the
/// clock. Stops when the page's component is gone.
fn schedule_frame(
    model: UseReducerHandle<Model>,
    wiring: Weak<RefCell<Wiring>>,
    last: f64,
    frame: u32,
) {
    Timeout::new(FRAME_MS, move || {
        let Some(wiring) = wiring.upgrade() else {
            return;
        };
        let real = now_ms();
        let hunting = model.state.borrow().hunting.is_running();
        if hunting {
            model.dispatch(Msg::Hunt(HuntMsg::HuntTick));
        }
        let (clock, presenter) = {
            let screen = model.state.borrow();
            (screen.controls.clock.clone(), screen.presenter)
        };
        let by = clock.advance(real - last);
        let runtime = wiring.borrow().runtime.clone();
        if let Some(runtime) = runtime.filter(|_| by.0 > 0 && !wiring.borrow().busy) {
            wiring.borrow_mut().busy = true;
            let head = model.state.borrow().log.head();
            let (model, wiring) = (model.clone(), Rc::clone(&wiring));
            let refresh_clock = frame.is_multiple_of(15);
            spawn_local(async move {
                let msg = runtime.play(by, clock.pulse_window(presenter), head).await;
                wiring.borrow_mut().busy = false;
                let shown = wiring.borrow().shown;
                if !shown || refresh_clock || moved(&model.state.borrow(), &msg) {
                    model.dispatch(msg);
                }
                take_over(&wiring).await;
            });
        }
        schedule_frame(model, Rc::downgrade(&wiring), real, frame.wrapping_add(1));
    })
    .forget();
}

/// True when a frame's answer changes what the page shows (beyond the clock).
fn moved(screen: &Screen, msg: &Msg) -> bool {
    let Msg::Advanced {
        outcomes,
        events,
        diagram,
        ..
    } = msg
    else {
        return true;
    };
    !outcomes.is_empty()
        || !events.is_empty()
        || !diagram.pulses.is_empty()
        || screen.controls.diagram.as_ref().is_none_or(|shown| {
            !shown.pulses.is_empty()
                || shown.lanes != diagram.lanes
                || shown.commands_queued != diagram.commands_queued
        })
}

/// After drawing: brings the element a diagram node or the keyboard asked for into
/// view and gives it the focus.
fn bring_focus(screen: Rc<RefCell<Screen>>) -> impl FnOnce() {
    move || {
        let Some(id) = screen.borrow_mut().focus.take() else {
            return;
        };
        let found = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = found {
            el.scroll_into_view();
            let _ = el.focus();
        }
    }
}

/// The wall clock in milliseconds (only differences are used).
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's settings.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct AppProps {
    /// The IndexedDB database holding the events (tests use their own).
    #[prop_or(AttrValue::Static(DATABASE))]
    pub database: AttrValue,
}

impl Default for AppProps {
    fn default() -> Self {
        AppProps {
            database: AttrValue::Static(DATABASE),
        }
    }
}

/// The whole lab page.
#[component]
pub fn App(props: &AppProps) -> Html {
    let model = use_reducer(|| Model::new(Screen::default()));
    let wiring = use_mut_ref(Wiring::default);
    {
        let (model, wiring) = (model.clone(), wiring.clone());
        let database = props.database.clone();
        use_effect_with((), move |_| start(model, wiring, database));
    }
    {
        let (handle, wiring) = (model.clone(), wiring.clone());
        use_effect_with(model.generation, move |_| pump(&handle, &wiring));
    }
    let send: Callback<Msg> = {
        let model = model.clone();
        Callback::from(move |msg| model.dispatch(msg))
    };
    use_effect(bring_focus(Rc::clone(&model.state)));
    super::address::use_view_address(&model);
    {
        let state = Rc::clone(&model.state);
        use_effect(move || vault::save(&mut state.borrow_mut()));
    }
    {
        let model = model.clone();
        use_effect_with((), move |_| {
            let listener = vault::listen(model);
            move || drop(listener)
        });
    }
    {
        let model = model.clone();
        use_effect_with((), move |_| {
            let listener = listen_for_shortcuts(model);
            move || drop(listener)
        });
    }
    let screen = model.state.borrow();
    html! {
        <div class={classes!("page", screen.presenter.then_some("presenter"))}>
            { masthead(&screen, &send) }
            <main class="workbench">
                { side(&screen, &send) }
                <div class="results">
                    { journal::feedback(&screen.feedback, screen.controls.clock.playing, &send) }
                    <section class="panel flow-panel" aria-labelledby="diagram-heading">
                        { enlarge::heading("diagram-heading", "How it flows".into(), "the diagram") }
                        <Later>{ diagram::view(&screen, &send) }</Later>
                    </section>
                    <div class="panel views">
                        <div class="panel-head">
                            { tab_bar::view(&screen, &send) }
                            { enlarge::button("the open view") }
                        </div>
                        { tab_bar::panel(screen.tab, html! { <Later>{ tab_content(&screen, &model, &send) }</Later> }) }
                    </div>
                </div>
            </main>
            if screen.help_open {
                { shortcuts_dialog(send.reform(|_: MouseEvent| Msg::PressedShortcut(Shortcut::CloseHelp))) }
            }
        </div>
    }
}

/// The page's title, the simulation's controls and what the store says of itself.
fn masthead(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <header class="masthead">
            <h1>{ "CQRS Lab" }</h1>
            { pages(false) }
            <p class="tagline">
                { "Send commands to an event-sourced Order aggregate and watch the event store grow." }
            </p>
            <Later>{ sim_controls::view(screen, send) }</Later>
            { storage_note(&screen.data.storage) }
            if screen.data.storage == Storage::Persistent { <p class="storage-durability">{ screen.data.durability.describe() }</p> }
            { for screen.data.recovery.describe().into_iter().map(|line| html! {
                <p class="recovery">{ line }</p>
            }) }
        </header>
    }
}

/// The side column: commands, faults, the hunter, export and import.
fn side(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <div class="side">
            <section class="panel commands" aria-labelledby="commands-heading">
                <h2 id="commands-heading">{ "Commands" }</h2>
                <div class="script">
                    <button type="button" aria-describedby="script-hint"
                        onclick={send.reform(|_: MouseEvent| Msg::ClickedRunScript)}>{ "Run script" }</button>
                    <p id="script-hint" class="hint">{ "Three simulated clients send nine commands to two new orders within 60 ms: watch them interleave, one rejected, one retried with the same id." }</p>
                </div>
                <Later>{ command_panel::view(screen, send) }</Later>
            </section>
            <section class="panel faults" aria-labelledby="faults-heading">
                <h2 id="faults-heading">{ "Faults" }</h2>
                <Later>{ fault_panel::view(screen, send) }</Later>
            </section>
            <section class="panel hunter" aria-labelledby="hunter-heading">
                <h2 id="hunter-heading">{ "Counterexample hunter" }</h2>
                <Later>{ hunter_panel::view(screen, send) }</Later>
            </section>
            <section class="panel" aria-labelledby="data-heading">
                <h2 id="data-heading">{ "Export and import" }</h2>
                <Later>{ data_panel::view(screen, send) }</Later>
            </section>
        </div>
    }
}

fn listen_for_shortcuts(model: UseReducerHandle<Model>) -> Option<KeyListener> {
    listen_for_keys(move |key, target| {
        let at = KeyTarget {
            help_open: model.state.borrow().help_open,
            ..target
        };
        let found = shortcut(key, at);
        if let Some(shortcut) = found {
            model.dispatch(Msg::PressedShortcut(shortcut));
        }
        found.is_some()
    })
}

/// Listens for keys on the whole page while it lives.
pub(crate) struct KeyListener {
    _listener: EventListener,
}

/// Calls `on_key` with each key pressed and where (`help_open` left false for it to
/// fill); when it returns true the key was a shortcut and the browser's own use of it
/// is prevented.
pub(crate) fn listen_for_keys(
    on_key: impl Fn(&str, KeyTarget) -> bool + 'static,
) -> Option<KeyListener> {
    let window = web_sys::window()?;
    let options = EventListenerOptions::enable_prevent_default();
    let listener = EventListener::new_with_options(&window, "keydown", options, move |event| {
        let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        let element = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let control = element.is_some_and(|el| {
            let editable = el
                .dyn_ref::<web_sys::HtmlElement>()
                .is_some_and(|h| h.is_content_editable());
            // A focusable box that scrolls (the event table, a history) keeps
            // Space and the arrows for scrolling.
            let scrolls = el.has_attribute("tabindex")
                && (el.scroll_height() > el.client_height()
                    || el.scroll_width() > el.client_width());
            scrolls
                || is_control(
                    &el.tag_name(),
                    el.get_attribute("role").as_deref(),
                    editable,
                )
        });
        let at = KeyTarget {
            control,
            modifier: e.ctrl_key() || e.alt_key() || e.meta_key(),
            help_open: false,
        };
        if on_key(&e.key(), at) {
            e.prevent_default();
        }
    });
    Some(KeyListener {
        _listener: listener,
    })
}

/// What the chosen tab shows, under a heading for screen readers' heading navigation
/// (the tab names the panel for everyone else).
fn tab_content(screen: &Screen, model: &UseReducerHandle<Model>, send: &Callback<Msg>) -> Html {
    let (heading, content) = match screen.tab {
        Tab::Events => (
            format!("Event store {}", event_count(screen.log.count())),
            html! {
                <EventTable screen={Rc::clone(&model.state)} generation={model.generation} send={send.clone()} />
            },
        ),
        Tab::Streams => ("Streams".into(), write_model::view(screen, send)),
        Tab::ReadModels => ("Read models".into(), projections_panel::view(screen, send)),
        Tab::Lag => ("Lag".into(), lag_chart::view(screen, send)),
        Tab::Timeline => ("Timeline".into(), timeline::view(screen)),
        Tab::Log => ("Command log".into(), journal::view(&screen.log)),
        Tab::TimeTravel => ("Time travel".into(), travel_panel::view(screen, send)),
        Tab::Azure => ("On Azure".into(), azure_panel::view(screen)),
    };
    html! {
        <>
            <h2 class="visually-hidden">{ heading }</h2>
            { content }
        </>
    }
}

fn event_count(n: u64) -> String {
    match n {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    }
}

/// Where events are kept, said plainly: memory only is a warning.
fn storage_note(storage: &Storage) -> Html {
    match storage {
        // Larger than the notes that follow (see style.css).
        Storage::Opening => html! {
            <p class="storage opening">{ "Opening the event store in this browser (IndexedDB), where the lab keeps its events from one visit to the next and shares them with every tab…" }</p>
        },
        Storage::Persistent => html! {
            <p class="storage">{ "Events are kept in this browser (IndexedDB): they survive a reload and are shared by every tab of the lab." }</p>
        },
        Storage::Blocked => html! {
            <p class="storage warning" role="alert">
                { "Waiting: another tab has an older version of the lab's database open. Close or reload that tab to continue." }
            </p>
        },
        Storage::Superseded => html! {
            <p class="storage warning" role="alert">
                { "A newer version of CQRS Lab opened the database in another tab, so this tab let go of it. Reload this tab to continue." }
            </p>
        },
        Storage::Full => html! {
            <p class="storage warning" role="alert">
                { "Storage is full: the browser's storage quota for this site is used up, so nothing new can be stored. The stored log is shown and can be exported; commands are refused until there is room. Export the log, then reset it to make room." }
            </p>
        },
        Storage::ReadOnly(reason) => html! {
            <p class="storage warning" role="alert">
                { format!("Nothing new can be stored ({reason}). The stored log is shown and can be exported; commands are refused until writing works again.") }
            </p>
        },
        Storage::MemoryOnly(reason) => html! {
            <p class="storage warning" role="alert">
                { format!("Events are kept in memory only and will be lost on reload: {reason}") }
            </p>
        },
    }
}
