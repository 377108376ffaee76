//! Entry point of the scenario page (`scenarios/`): in the browser, mounts the guide;
//! natively, explains how to run it. A page of its own, so the workbench's page loads
//! none of its code and the guide loads none of the event store's.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    cqrs_lab::web::start_guide();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("CQRS Lab runs in the browser: see README.md for the serve command.");
}
