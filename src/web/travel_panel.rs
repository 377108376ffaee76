//! The "Time travel" slider over global positions, and the system as it was there.

use crate::app::privacy_view::reveal;
use crate::app::screen::{Msg, Screen, TravelMsg};
use crate::app::travel::TravelView;
use crate::domain::order::OrderState;
use crate::domain::privacy::KeyVault;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The slider and, once read, the state at its position.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let head = screen.log.head().0;
    if head == 0 {
        return html! { <p class="empty">{ "Time travel needs events: record some first." }</p> };
    }
    let at = screen.travel.to.map_or(head, |p| p.0);
    let on_input = send.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Travel(TravelMsg::ChoseTravel(input.value().parse().unwrap_or(0)))
    });
    html! {
        <div class="travel">
            <div class="travel-control">
                <label for="time-travel">{ "Time travel" }</label>
                <input id="time-travel" type="range" min="0" max={head.to_string()} step="1"
                    value={at.to_string()}
                    aria-valuetext={format!("position {at} of {head}")}
                    oninput={on_input} />
                <span class="travel-at" aria-hidden="true">{ format!("position {at} of {head}") }</span>
                <button type="button" disabled={screen.travel.to.is_none()}
                    onclick={send.reform(|_: MouseEvent| Msg::Travel(TravelMsg::ClickedNow))}>{ "Back to now" }</button>
            </div>
            { match (&screen.travel.view, screen.travel.to) {
                (Some(then), Some(to)) if then.position == to => past(then, &screen.privacy.vault),
                (_, Some(_)) => html! { <p class="empty">{ "Replaying the log up to there…" }</p> },
                _ => html! { <p class="hint">{ "Move the slider to see the targeted order and every read model as they were after an earlier event." }</p> },
            } }
        </div>
    }
}

fn past(then: &TravelView, vault: &KeyVault) -> Html {
    let order = then.order.as_ref().map(|(id, state)| match state {
        OrderState::NotCreated => format!("{id} did not exist yet."),
        OrderState::Created(o) => format!(
            "{id} was {} with {} line{}, total {}.",
            o.status,
            o.lines.len(),
            if o.lines.len() == 1 { "" } else { "s" },
            o.total()
        ),
    });
    html! {
        <div class="past" aria-live="polite">
            <p>
                <strong>{ format!("After event {} (t = {} ms): ", then.position.0, then.at.0) }</strong>
                { order.unwrap_or_default() }
            </p>
            <div class="past-models">
                { for then.models.iter().map(|m| html! {
                    <div class="past-model">
                        <h3>{ m.name.title() }</h3>
                        if m.rows.is_empty() {
                            <p class="empty">{ "No rows." }</p>
                        } else {
                            <ul>
                                { for m.rows.iter().map(|(k, v)| html! { <li><span class="key">{ k.clone() }</span>{ ": " }{ reveal(v, vault) }</li> }) }
                            </ul>
                            if m.total > m.rows.len() {
                                <p class="hint">{ format!("and {} more rows", m.total - m.rows.len()) }</p>
                            }
                        }
                    </div>
                }) }
            </div>
        </div>
    }
}
