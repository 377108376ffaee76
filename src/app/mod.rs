//! Application state without a browser: the in-memory lab the first slice runs on, and
//! the command form that turns raw input into commands. The UI only renders these.

pub mod form;
pub mod lab;
pub mod screen;
