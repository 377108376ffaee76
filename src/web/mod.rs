//! The browser side (wasm32 only): mounts the Yew app and reports panics on the page.

mod app;
mod command_panel;
mod event_table;
pub mod idb;
mod journal;
mod panic;
mod write_model;

pub use app::App;

/// Mounts the app on `<body>`; called by `main` in the browser.
pub fn start() {
    panic::install_hook();
    yew::Renderer::<App>::new().render();
}

/// Mounts the app inside `root` (browser tests mount it in a scratch element).
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    panic::install_hook();
    yew::Renderer::<App>::with_root(root).render()
}
