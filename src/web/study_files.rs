//! What the scenario page reads: the library and the question bank beside the page
//! (fetched, kept by the service worker for offline use) and the study progress and
//! review list in localStorage.

use crate::scenarios::library::Library;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where study progress is kept in the browser.
pub(crate) const PROGRESS_KEY: &str = "cqrs-lab.study";
/// Where the questions to review are kept in the browser.
pub(crate) const DECK_KEY: &str = "cqrs-lab.review";
/// The library, beside the page.
const LIBRARY_URL: &str = "scenarios.json";
/// The question bank, beside the page (fetched after the library).
const QUESTIONS_URL: &str = "questions.json";

/// Fetches a file beside the page as text (relative to the page, so it works under any
/// sub-path; the service worker keeps it for offline use).
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let why = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(why)?
        .dyn_into()
        .map_err(why)?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    JsFuture::from(response.text().map_err(why)?)
        .await
        .map_err(why)?
        .as_string()
        .ok_or_else(|| format!("{url} is not text"))
}

/// The scenarios and the glossary.
pub(crate) async fn fetch_library() -> Result<Library, String> {
    Library::parse(&fetch_text(LIBRARY_URL).await?).map_err(|e| e.to_string())
}

/// The question bank's text.
pub(crate) async fn fetch_questions() -> Result<String, String> {
    fetch_text(QUESTIONS_URL).await
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
