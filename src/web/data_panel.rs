//! The log as data: export it (envelopes or Cosmos DB documents), or import an export
//! in its place (checked first); the answer to those and to the header's Reset.

use super::download;
use crate::app::screen::{DataMsg, DataStatus, ExportFormat, Msg, Screen};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The panel's controls and the answer to the last of them.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let export =
        |format| send.reform(move |_: MouseEvent| Msg::Data(DataMsg::ClickedExport(format)));
    let on_file = {
        let send = send.clone();
        move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let send = send.clone();
            spawn_local(async move {
                let msg = match download::read_chosen(&input).await {
                    Ok((name, text)) => Msg::Data(DataMsg::ChoseImportFile { name, text }),
                    Err(reason) => Msg::Data(DataMsg::DataAnswered(DataStatus::Failed(format!(
                        "Nothing was imported: {reason}."
                    )))),
                };
                // Choosing the same file again must work too.
                input.set_value("");
                send.emit(msg);
            });
        }
    };
    let working = matches!(screen.data.status, DataStatus::Working(_));
    html! {
        <>
            <div class="data-actions">
                <button type="button" disabled={working} onclick={export(ExportFormat::Envelopes)}>
                    { "Export events" }
                </button>
                <button type="button" disabled={working} onclick={export(ExportFormat::Cosmos)}>
                    { "Export Cosmos DB documents" }
                </button>
                <label class="file-button">
                    { "Import events" }
                    <input type="file" accept=".json,application/json" disabled={working} onchange={on_file} />
                </label>
            </div>
            { status(&screen.data.status) }
        </>
    }
}

fn status(data: &DataStatus) -> Html {
    let (class, text) = match data {
        DataStatus::Idle => (
            "idle",
            "Exports are JSON files you can import here again. Import also reads your own Cosmos DB event documents (an array in the shape of the Cosmos DB export: id, aggregateId, eventType, version, occurredAt, data) to explore them here. An import replaces the whole log, and only if every record is valid.",
        ),
        DataStatus::Working(what) => ("working", *what),
        DataStatus::Done(what) => ("done", what.as_str()),
        DataStatus::Failed(why) => ("failed", why.as_str()),
    };
    html! {
        <p class={classes!("data-status", class)} aria-live="polite">{ text }</p>
    }
}
