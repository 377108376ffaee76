//! The browser side (wasm32 only): mounts the Yew app and reports panics on the page.

mod address;
mod app;
mod azure_panel;
mod command_panel;
mod data_panel;
mod diagram;
mod download;
mod enlarge;
mod event_table;
mod exam_page;
mod fault_panel;
mod first_view;
mod guide_header;
mod guide_page;
mod guide_quiz;
mod guide_stage;
mod hunter_panel;
pub mod idb;
mod in_place;
mod journal;
mod lag_chart;
mod later;
mod lifecycle;
mod media;
mod nav;
mod page_store;
mod panic;
mod pointing;
mod projections_panel;
mod question_view;
mod runtime;
mod saga_panel;
mod sim_controls;
mod slides;
mod study_files;
mod tab_bar;
mod timeline;
mod transport_panel;
mod travel_panel;
mod vault;
mod write_model;

pub use app::{App, AppProps};
pub use panic::report as report_internal_error;

/// Mounts the app on `<body>`; called by `main` in the browser.
pub fn start() {
    panic::install_hook();
    register_service_worker();
    in_next_task(|| {
        if let Some(root) = app_root() {
            yew::Renderer::<App>::with_root(root).render();
        }
    });
}

/// Mounts the scenario page on `<body>`; called by the guide's `main` in the browser.
pub fn start_guide() {
    panic::install_hook();
    in_next_task(|| {
        if let Some(root) = app_root() {
            yew::Renderer::<guide_page::GuideApp>::with_root(root).render();
        }
    });
}

/// A new `<div id="app">` at the end of `<body>`, for the app to mount in: Yew empties
/// the element it mounts in, and `<body>` holds the page's first view, which must stay
/// until the app is ready (the stylesheet hides `#app` while it is there).
fn app_root() -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let root = document.create_element("div").ok()?;
    root.set_id("app");
    document.body()?.append_child(&root).ok()?;
    Some(root)
}

/// Runs `mount` in a task of its own: the page's first view is on screen meanwhile, and
/// the browser is not held up by compiling the wasm and building the app in one go.
fn in_next_task(mount: impl FnOnce() + 'static) {
    gloo_timers::callback::Timeout::new(0, mount).forget();
}

/// Lets the service worker (`sw.js`, written by the build) keep the lab working
/// offline. Without one (a development server, a browser without them) the lab simply
/// needs the network to load.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let supported = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !supported || !window.is_secure_context() {
        return;
    }
    let registration = navigator.service_worker().register("sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(registration).await {
            web_sys::console::warn_2(&"CQRS Lab works online only: no service worker".into(), &e);
        }
    });
}

/// Mounts the app inside `root` on its own database (browser tests mount it in a
/// scratch element with a fresh database each).
pub fn mount(root: web_sys::Element, database: &str) -> yew::AppHandle<App> {
    panic::install_hook();
    let props = AppProps {
        database: yew::AttrValue::from(database.to_owned()),
    };
    yew::Renderer::<App>::with_root_and_props(root, props).render()
}

/// Waits `time` on the browser's timer (a promise resolved by `setTimeout`); zero
/// waits for the next task.
pub(crate) async fn wait(time: std::time::Duration) {
    gloo_timers::future::sleep(time).await;
}
