//! Entry point: in the browser, mounts the Yew app; natively, explains how to run it.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    cqrs_lab::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("CQRS Lab runs in the browser: see README.md for the serve command.");
}
