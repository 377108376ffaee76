//! The event store as a table: one row per event; a row's button opens its JSON below.

use crate::app::screen::{EventPage, Msg, Screen};
use crate::domain::envelope::EventEnvelope;
use crate::domain::ids::GlobalPosition;
use crate::store::transfer::cosmos_document;
use yew::prelude::*;

/// The table and the open event's JSON, or a hint when the store is empty.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let page = screen.event_page();
    if page.events.is_empty() {
        return html! {
            <p class="empty">{ "No events yet. Create an order to record the first one." }</p>
        };
    }
    html! {
        <>
            { pager(&page, screen.log.count(), send) }
            <div class="table-scroll">
                <table class="events">
                    <thead>
                        <tr>
                            <th scope="col" class="num">{ "Position" }</th>
                            <th scope="col">{ "Stream" }</th>
                            <th scope="col" class="num">{ "Version" }</th>
                            <th scope="col">{ "Type" }</th>
                            <th scope="col" class="num">{ "Schema" }</th>
                            <th scope="col" class="num">{ "Time" }</th>
                            <th scope="col">{ "Correlation" }</th>
                            <th scope="col">{ "Causation" }</th>
                            <th scope="col"><span class="visually-hidden">{ "Details" }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { for page.events.iter().map(|e| row(e, screen.selected_event, send)) }
                    </tbody>
                </table>
            </div>
            if let Some(event) = screen.selected_event() {
                <div class="event-detail" id="event-detail">
                    <h3>{ format!("Event {} · {} · {} v{}", event.global_position, event.event_type(), event.stream_id, event.stream_version) }</h3>
                    <div class="json-pair">
                        <div>
                            <h4>{ "Envelope (as the lab stores it)" }</h4>
                            <pre class="json envelope">{ event.to_pretty_json() }</pre>
                        </div>
                        <div>
                            <h4>{ "Cosmos DB document (partition key /aggregateId)" }</h4>
                            <pre class="json cosmos">{ serde_json::to_string_pretty(&cosmos_document(event)).unwrap_or_default() }</pre>
                        </div>
                    </div>
                </div>
            }
        </>
    }
}

fn row(event: &EventEnvelope, selected: Option<GlobalPosition>, send: &Callback<Msg>) -> Html {
    let position = event.global_position;
    let open = selected == Some(position);
    let onclick = send.reform(move |_: MouseEvent| Msg::ClickedEvent(position));
    html! {
        <tr key={position.0} class={classes!(open.then_some("selected"))}>
            <td class="num">{ position.0 }</td>
            <td>{ event.stream_id.as_str() }</td>
            <td class="num">{ event.stream_version.0 }</td>
            <td><span class="event-type">{ event.event_type() }</span></td>
            <td class="num">{ format!("v{}", event.schema_version.0) }</td>
            <td class="num">{ format!("{} ms", event.recorded_at.0) }</td>
            <td class="id">{ event.correlation_id.as_str() }</td>
            <td class="id">{ event.causation_id.as_str() }</td>
            <td>
                <button
                    type="button"
                    class="link"
                    aria-expanded={if open { "true" } else { "false" }}
                    aria-controls="event-detail"
                    aria-label={format!("JSON of event {}", position.0)}
                    {onclick}
                >
                    { "JSON" }
                </button>
            </td>
        </tr>
    }
}

/// Where the page is in the log, with buttons to the older and newer pages (only when
/// the log is longer than one page).
fn pager(page: &EventPage<'_>, count: u64, send: &Callback<Msg>) -> Html {
    if page.newest && !page.has_older {
        return Html::default();
    }
    let (Some(first), Some(last)) = (page.events.first(), page.events.last()) else {
        return Html::default();
    };
    let where_ = format!(
        "Positions {}–{} · {count} event{} stored",
        first.global_position.0,
        last.global_position.0,
        if count == 1 { "" } else { "s" }
    );
    html! {
        <div class="pager">
            <button type="button" disabled={!page.has_older} onclick={send.reform(|_: MouseEvent| Msg::ClickedOlder)}>
                { "Older events" }
            </button>
            <span aria-live="polite">{ where_ }</span>
            <button type="button" disabled={page.newest} onclick={send.reform(|_: MouseEvent| Msg::ClickedNewer)}>
                { "Newer events" }
            </button>
        </div>
    }
}
