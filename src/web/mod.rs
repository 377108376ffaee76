//! The browser side (wasm32 only): mounts the Yew app and reports panics on the page.

mod app;
mod azure_panel;
mod command_panel;
mod data_panel;
mod diagram;
mod download;
mod event_table;
mod fault_panel;
pub mod idb;
mod journal;
mod lag_chart;
mod panic;
mod projections_panel;
mod runtime;
mod sim_controls;
mod tab_bar;
mod timeline;
mod travel_panel;
mod write_model;

pub use app::{App, AppProps};

/// Mounts the app on `<body>`; called by `main` in the browser.
pub fn start() {
    panic::install_hook();
    yew::Renderer::<App>::new().render();
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
