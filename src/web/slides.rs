//! Pictures for slides: the architecture diagram and the lag chart as SVG files (with
//! the page's styles inside, so they look the same anywhere) and as PNG images (drawn
//! at twice their size, for sharp projection).

use super::download;
use crate::app::screen::{DataMsg, DataStatus, Msg};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// The exported diagram's size for a drawing `drawing` units large: the drawing, then
/// a row for the legend (at least as wide as the legend's row).
pub fn diagram_size(drawing: (u32, u32)) -> (u32, u32) {
    (drawing.0.max(730), drawing.1 + 40)
}
/// Size of the exported lag chart (see `app::slides::lag_svg`).
pub const LAG_SIZE: (u32, u32) = (960, 560);

/// The diagram on the page, drawn `drawing` units large, as a standalone SVG document
/// `diagram_size` large, or why not.
pub fn diagram_svg(drawing: (u32, u32)) -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let svg = document
        .query_selector(".diagram svg.flow")
        .ok()
        .flatten()
        .ok_or("the diagram is not on the page")?;
    let copy: web_sys::Element = svg
        .clone_node_with_deep(true)
        .map_err(|_| "the diagram could not be copied")?
        .unchecked_into();
    let (w, h) = diagram_size(drawing);
    for (name, value) in [
        ("xmlns", "http://www.w3.org/2000/svg"),
        ("width", &w.to_string()),
        ("height", &h.to_string()),
        // The page's rules for the diagram match inside `.diagram`.
        ("class", "flow diagram"),
    ] {
        copy.set_attribute(name, value)
            .map_err(|_| "the diagram could not be copied")?;
    }
    let style = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "style")
        .map_err(|_| "the diagram could not be copied")?;
    style.set_text_content(Some(&diagram_rules(&document)));
    let background = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "rect")
        .map_err(|_| "the diagram could not be copied")?;
    for (name, value) in [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")] {
        let _ = background.set_attribute(name, value);
    }
    let _ = copy.prepend_with_node_2(&style, &background);
    let _ = copy.set_attribute("viewBox", &format!("0 0 {w} {h}"));
    let legend = legend(&document, drawing.1 + 22)?;
    copy.append_child(&legend)
        .map_err(|_| "the legend could not be added")?;
    let serializer = web_sys::XmlSerializer::new().map_err(|_| "no XML serializer")?;
    serializer
        .serialize_to_string(&copy)
        .map_err(|_| "the diagram could not be written".into())
}

/// The legend under the page's diagram (HTML there) as an SVG row at `y`: each kind's
/// shape and its name.
fn legend(document: &web_sys::Document, y: u32) -> Result<web_sys::Element, String> {
    const SVG: &str = "http://www.w3.org/2000/svg";
    let failed = |_| "the legend could not be drawn".to_owned();
    let row = document.create_element_ns(Some(SVG), "g").map_err(failed)?;
    let items = document
        .query_selector_all(".diagram .legend li")
        .map_err(failed)?;
    let mut x = 20.0;
    for i in 0..items.length() {
        let Some(item) = items
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let label = item.text_content().unwrap_or_default();
        let group = document.create_element_ns(Some(SVG), "g").map_err(failed)?;
        let _ = group.set_attribute("transform", &format!("translate({x} {y})"));
        if let Some(shape) = item.query_selector("svg > *").ok().flatten() {
            let shape = shape.clone_node_with_deep(true).map_err(failed)?;
            group.append_child(&shape).map_err(failed)?;
        }
        let text = document
            .create_element_ns(Some(SVG), "text")
            .map_err(failed)?;
        for (name, value) in [
            ("x", "14"),
            ("y", "5"),
            ("font-size", "14"),
            ("fill", "#4f5d6e"),
        ] {
            let _ = text.set_attribute(name, value);
        }
        text.set_text_content(Some(label.trim()));
        group.append_child(&text).map_err(failed)?;
        row.append_child(&group).map_err(failed)?;
        x += 40.0 + 8.0 * label.trim().chars().count() as f64;
    }
    Ok(row)
}

/// The page's style rules that draw the diagram: its variables and every rule that
/// names the diagram, its nodes, edges or pulses.
fn diagram_rules(document: &web_sys::Document) -> String {
    let mut css = String::new();
    let sheets = document.style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets
            .item(i)
            .and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok())
        else {
            continue;
        };
        let Ok(rules) = sheet.css_rules() else {
            continue;
        };
        for j in 0..rules.length() {
            let Some(rule) = rules.item(j) else {
                continue;
            };
            let text = rule.css_text();
            let selector = text.split('{').next().unwrap_or_default();
            let wanted = selector.trim() == ":root"
                || [".diagram", ".node", ".edge", ".pulse", ".arrowhead"]
                    .iter()
                    .any(|s| selector.contains(s));
            if wanted && !selector.contains("@media") && !selector.contains(".presenter") {
                css.push_str(&text);
                css.push('\n');
            }
        }
    }
    css
}

/// Offers an SVG document as a file.
pub fn save_svg(file: &str, svg: &str) -> Result<(), String> {
    download::save_as(file, svg, "image/svg+xml")
}

/// Draws an SVG document of `size` at twice that size and offers it as a PNG file.
pub async fn save_png(file: &str, svg: &str, (w, h): (u32, u32)) -> Result<(), String> {
    let failed = |what: &str| format!("the picture could not be {what}");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let image = web_sys::HtmlImageElement::new().map_err(|_| failed("made"))?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    let source = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(svg))
    );
    image.set_src(&source);
    JsFuture::from(loaded).await.map_err(|_| failed("drawn"))?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| failed("made"))?
        .unchecked_into();
    canvas.set_width(w * 2);
    canvas.set_height(h * 2);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or_else(|| failed("drawn"))?
        .unchecked_into();
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            f64::from(w * 2),
            f64::from(h * 2),
        )
        .map_err(|_| failed("drawn"))?;
    let png = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e: JsValue| format!("{}: {e:?}", failed("saved")))?;
    download::offer(file, &png)
}

/// "<What> as SVG" and "<What> as PNG": `make` writes the SVG document of `size` when
/// clicked; a failure is reported where exports report theirs.
pub fn buttons(
    what: &'static str,
    stem: &'static str,
    size: (u32, u32),
    make: impl Fn() -> Result<String, String> + Clone + 'static,
    send: &Callback<Msg>,
) -> Html {
    let report = {
        let send = send.clone();
        move |result: Result<(), String>| {
            if let Err(e) = result {
                send.emit(Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(
                    format!("The {} could not be saved: {e}", what.to_ascii_lowercase()),
                ))));
            }
        }
    };
    let on_svg = {
        let (make, report) = (make.clone(), report.clone());
        Callback::from(move |_: MouseEvent| {
            report(make().and_then(|svg| save_svg(&format!("{stem}.svg"), &svg)));
        })
    };
    let on_png = Callback::from(move |_: MouseEvent| {
        let (make, report) = (make.clone(), report.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let result = match make() {
                Ok(svg) => save_png(&format!("{stem}.png"), &svg, size).await,
                Err(e) => Err(e),
            };
            report(result);
        });
    });
    html! {
        <div class="slide-export" role="group" aria-label={format!("Save the {} for slides", what.to_ascii_lowercase())}>
            <button type="button" class="small" onclick={on_svg}>{ format!("{what} as SVG") }</button>
            <button type="button" class="small" onclick={on_png}>{ format!("{what} as PNG") }</button>
        </div>
    }
}
