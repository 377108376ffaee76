//! The event store as a table: one row per event, its JSON one click away.

use crate::domain::envelope::EventEnvelope;
use yew::prelude::*;

/// The table, or a hint when the store is empty.
pub fn view(events: &[EventEnvelope]) -> Html {
    if events.is_empty() {
        return html! {
            <p class="empty">{ "No events yet. Create an order to record the first one." }</p>
        };
    }
    html! {
        <div class="table-scroll">
            <table class="events">
                <thead>
                    <tr>
                        <th scope="col">{ "Position" }</th>
                        <th scope="col">{ "Stream" }</th>
                        <th scope="col">{ "Version" }</th>
                        <th scope="col">{ "Type" }</th>
                        <th scope="col">{ "Schema" }</th>
                        <th scope="col">{ "Time" }</th>
                        <th scope="col">{ "Correlation" }</th>
                        <th scope="col">{ "JSON" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for events.iter().map(row) }
                </tbody>
            </table>
        </div>
    }
}

fn row(event: &EventEnvelope) -> Html {
    html! {
        <tr key={event.global_position.0}>
            <td class="num">{ event.global_position.0 }</td>
            <td>{ event.stream_id.as_str() }</td>
            <td class="num">{ event.stream_version.0 }</td>
            <td><span class={classes!("event-type", event.event_type())}>{ event.event_type() }</span></td>
            <td class="num">{ format!("v{}", event.schema_version.0) }</td>
            <td class="num">{ format!("{} ms", event.recorded_at.0) }</td>
            <td>{ event.correlation_id.as_str() }</td>
            <td>
                <details>
                    <summary>{ format!("JSON of event {}", event.global_position.0) }</summary>
                    <pre class="json">{ event.to_pretty_json() }</pre>
                </details>
            </td>
        </tr>
    }
}
