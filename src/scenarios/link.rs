//! Sharing: a lab, its scenario and the step reached, encoded in the URL fragment
//! (`#lab=` then base64url of the JSON). Opening the link runs the same lab, so it
//! reproduces the same timeline. Whatever the fragment holds, decoding never panics:
//! it gives the lab or says what is wrong.
//!
//! The page's address names where it is in a short form (`#outbox/step-3`, with
//! `/variant-2` past the first variant), so a reload, Back or a bookmark returns there.

use super::lab::Lab;
use super::lab_check::LabError;
use super::library::MAX_STEPS;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What starts a shared lab's fragment.
pub const PREFIX: &str = "lab=";
/// Longest fragment read (a full script of 300 commands fits well within it).
pub const MAX_FRAGMENT: usize = 200_000;
/// The format's version.
const VERSION: u32 = 1;

/// What a link shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Shared {
    /// The format's version.
    pub v: u32,
    /// The scenario it comes from.
    pub scenario: String,
    /// The scenario's variant it was made from (its lab may differ, when changed).
    #[serde(default)]
    pub variant: u32,
    /// The step reached (0: before the first).
    #[serde(default)]
    pub step: u32,
    /// The lab.
    pub lab: Lab,
    /// The run shown beside it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
}

/// What a link's side-by-side view compares the lab with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Compare {
    /// Another variant of the scenario.
    Variant(u32),
    /// A what-if change (by its number) from a virtual time (0: the start).
    WhatIf {
        /// Which change.
        change: u32,
        /// From when, in virtual ms.
        at: u64,
    },
}

impl Shared {
    /// A link's content.
    pub fn new(scenario: &str, variant: u32, step: u32, lab: Lab) -> Self {
        Shared {
            v: VERSION,
            scenario: scenario.to_owned(),
            variant,
            step,
            lab,
            compare: None,
        }
    }
}

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// Far too long to be one of ours.
    #[error("the link is too long ({0} characters)")]
    TooLong(usize),
    /// Not base64url.
    #[error("the link is damaged: its data is not valid base64url")]
    NotBase64,
    /// Not the JSON of a lab.
    #[error("the link is damaged: {0}")]
    NotJson(String),
    /// A version this build does not read.
    #[error("the link was made by a newer version of the lab (format {0})")]
    Version(u32),
    /// A field out of range.
    #[error("the link's lab is not valid: {0}")]
    Lab(#[from] LabError),
    /// A step no scenario has.
    #[error("the link names step {0}; no scenario has more than {MAX_STEPS} steps")]
    Step(u32),
    /// A step past its scenario's last.
    #[error("the link names step {step}, but “{title}” has steps 0 to {last}")]
    StepOf {
        /// The step named.
        step: u32,
        /// The scenario's title.
        title: String,
        /// Its last step.
        last: usize,
    },
    /// A scenario this build has not.
    #[error("the link names a scenario this version does not have ({0})")]
    Scenario(String),
}

/// A place on the scenario page: a scenario, its variant and a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The scenario's id.
    pub scenario: String,
    /// Its variant (0: the first).
    pub variant: u32,
    /// The step (0: before the first).
    pub step: u32,
}

impl Address {
    /// The fragment (without `#`): `outbox/step-3`, or `outbox/step-3/variant-2` for
    /// the second variant (variants count from 1 there, as people do).
    pub fn text(&self) -> String {
        match self.variant {
            0 => format!("{}/step-{}", self.scenario, self.step),
            v => format!("{}/step-{}/variant-{}", self.scenario, self.step, v + 1),
        }
    }

    /// Reads a fragment written by `text`; `None` for any other.
    pub fn parse(fragment: &str) -> Option<Address> {
        let mut parts = fragment.split('/');
        let scenario = parts.next().filter(|id| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })?;
        let number = |part: Option<&str>, name: &str| -> Option<u32> {
            part?.strip_prefix(name)?.strip_prefix('-')?.parse().ok()
        };
        let step = number(parts.next(), "step")?;
        let variant = match parts.next() {
            None => 0,
            part => number(part, "variant")?.checked_sub(1)?,
        };
        parts.next().is_none().then(|| Address {
            scenario: scenario.to_owned(),
            variant,
            step,
        })
    }
}

/// The fragment (without `#`) of a link to `shared`.
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_string(shared).unwrap_or_default();
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
}

/// Reads a fragment (without `#`): `None` when it is not a shared lab at all,
/// otherwise the lab or what is wrong with it.
pub fn decode(fragment: &str) -> Option<Result<Shared, LinkError>> {
    let data = fragment.strip_prefix(PREFIX)?;
    Some(decode_data(data))
}

fn decode_data(data: &str) -> Result<Shared, LinkError> {
    if data.len() > MAX_FRAGMENT {
        return Err(LinkError::TooLong(data.len()));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| LinkError::NotBase64)?;
    // As text, so the JSON reader is the one the rest of the lab uses (a second one,
    // over bytes, would double the code in the wasm).
    let text = String::from_utf8(bytes).map_err(|_| LinkError::NotJson("not UTF-8 text".into()))?;
    let shared: Shared =
        serde_json::from_str(&text).map_err(|e| LinkError::NotJson(e.to_string()))?;
    if shared.v != VERSION {
        return Err(LinkError::Version(shared.v));
    }
    shared.lab.check()?;
    if shared.step > MAX_STEPS as u32 {
        return Err(LinkError::Step(shared.step));
    }
    Ok(shared)
}
