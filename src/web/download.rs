//! Files in and out of the page: a download built from text (a Blob and a temporary
//! link), and the text of a file the user chose.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Offers `text` as a JSON download named `file`.
pub fn save(file: &str, text: &str) -> Result<(), String> {
    save_as(file, text, "application/json")
}

/// Offers `text` as a download named `file`, of type `mime`.
pub fn save_as(file: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not build the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not offer the file")?;
    let offered = offer(file, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
    offered
}

/// Offers the resource at `url` (a blob or data URL) as a download named `file`.
pub fn offer(file: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "the browser could not offer the file")?
        .unchecked_into();
    link.set_href(url);
    link.set_download(file);
    link.click();
    Ok(())
}

/// The name and text of the first file chosen in `input`.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Result<(String, String), String> {
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("no file was chosen")?;
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?;
    let text = text
        .as_string()
        .ok_or_else(|| format!("{} is not text", file.name()))?;
    Ok((file.name(), text))
}
