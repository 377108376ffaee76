//! CQRS Lab: a CQRS + Event Sourcing simulator. The core (`domain`, `app`) is pure Rust
//! with no browser dependency; `web` (wasm32 only) is the Yew user interface.
#![forbid(unsafe_code)]

pub mod app;
pub mod collections;
pub mod domain;
pub mod engine;
pub mod scenarios;
pub mod store;

#[cfg(target_arch = "wasm32")]
pub mod web;
