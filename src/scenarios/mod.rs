//! Guided scenarios, study mode and sharing: labs (a seed, knobs, a command script and
//! timed actions) that run the engine deterministically, the library of scenarios with
//! their steps and questions, study progress, and links that encode a lab.

pub mod check;
pub mod exam;
pub mod lab;
pub mod lab_check;
pub mod library;
pub mod link;
pub mod progress;
pub mod review;
pub mod run;
pub mod shuffle;
pub mod skills;
pub mod views;
