//! Application state without a browser: the page's view of the event store, its
//! session with the engine, and the command form that turns raw input into commands.
//! The UI only renders these.

pub mod azure;
pub mod clock;
pub mod component;
pub mod confirm;
pub mod controller;
pub mod diagram;
pub mod diagram_layout;
pub mod durability;
pub mod exam;
pub mod form;
pub mod guide;
pub mod hunter;
pub mod hunter_script;
pub mod keys;
pub mod lifecycle;
pub mod log_view;
pub mod page_io;
pub mod privacy_view;
pub mod saga_view;
pub mod screen;
pub mod script_number;
pub mod session;
pub mod slides;
pub mod study;
pub mod tabs;
pub mod timeline;
pub mod transports;
pub mod travel;
pub mod what_if;
