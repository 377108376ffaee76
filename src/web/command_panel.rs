//! The command form: one labelled input per field, one button per command.

use crate::app::confirm::Confirm;
use crate::app::form::{CommandKind, Field};
use crate::app::privacy_view::TRADE_OFF;
use crate::app::screen::{Msg, PrivacyMsg, Screen};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Groups of the form (each non-empty): a legend, the fields the group's commands read, and its buttons.
const GROUPS: [(&str, &[Field], &[CommandKind]); 5] = [
    (
        "Create",
        &[Field::CustomerId, Field::CustomerName, Field::Address],
        &[CommandKind::CreateOrder],
    ),
    (
        "Items",
        &[
            Field::ProductId,
            Field::ProductName,
            Field::UnitPrice,
            Field::Quantity,
        ],
        &[CommandKind::AddItem, CommandKind::RemoveItem],
    ),
    ("Submit", &[], &[CommandKind::SubmitOrder]),
    (
        "Payment and shipping",
        &[
            Field::Amount,
            Field::PaymentMethod,
            Field::TransactionId,
            Field::Carrier,
            Field::TrackingNumber,
        ],
        &[CommandKind::ReceivePayment, CommandKind::ShipOrder],
    ),
    (
        "Cancel",
        &[Field::Reason, Field::CancelledBy],
        &[CommandKind::CancelOrder],
    ),
];

/// The whole form.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <div class="command-form">
            <div class="target">
                { input(screen, send, Field::OrderId) }
                <p class="hint">{ "Every command below targets this order (its stream id)." }</p>
            </div>
            { for GROUPS.iter().map(|(legend, fields, kinds)| group(screen, send, legend, fields, kinds)) }
            { forget(screen, send) }
        </div>
    }
}

/// "Forget customer": crypto-shredding of the customer in the Customer id field.
fn forget(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <fieldset class="forget">
            <legend>{ "Privacy (GDPR)" }</legend>
            if let Some(Confirm::Forget(customer)) = &screen.confirming {
                <div class="confirm" role="group" aria-label="Confirm forgetting the customer">
                    <span>{ format!("Delete {customer}'s key for good? Their name and address can never be read again; the events stay.") }</span>
                    <button type="button" class="danger confirm-yes"
                        onclick={send.reform(|_: MouseEvent| Msg::Privacy(PrivacyMsg::ConfirmedForget))}>{ "Delete the key" }</button>
                    <button type="button" onclick={send.reform(|_: MouseEvent| Msg::Privacy(PrivacyMsg::CancelledForget))}>{ "Keep it" }</button>
                </div>
            } else {
                <button type="button" class="danger" aria-describedby="forget-hint"
                    onclick={send.reform(|_: MouseEvent| Msg::Privacy(PrivacyMsg::ClickedForget))}>{ "Forget customer" }</button>
            }
            <details class="trade-off">
                <summary id="forget-hint">{ "Forgets the customer in Customer id (GDPR erasure): how, and at what price" }</summary>
                <p>{ TRADE_OFF }</p>
            </details>
            <p class="privacy-note" aria-live="polite">{ screen.privacy.note.clone().unwrap_or_default() }</p>
        </fieldset>
    }
}

/// A group is a `<form>`: Enter in any of its fields sends its first command.
fn group(
    screen: &Screen,
    send: &Callback<Msg>,
    legend: &str,
    fields: &[Field],
    kinds: &[CommandKind],
) -> Html {
    let Some(&default) = kinds.first() else {
        return Html::default();
    };
    let onsubmit = send.reform(move |e: SubmitEvent| {
        e.prevent_default();
        Msg::ClickedCommand(default)
    });
    html! {
        <form {onsubmit} novalidate=true>
            <fieldset>
                <legend>{ legend.to_owned() }</legend>
                if !fields.is_empty() {
                    <div class="fields">
                        { for fields.iter().map(|f| input(screen, send, *f)) }
                    </div>
                }
                <div class="buttons">
                    { for kinds.iter().map(|k| button(send, *k, *k == default)) }
                </div>
            </fieldset>
        </form>
    }
}

fn input(screen: &Screen, send: &Callback<Msg>, field: Field) -> Html {
    let id = format!("field-{}", field.key());
    let error_id = format!("{id}-error");
    let error = screen.field_error(field);
    let oninput = send.reform(move |e: InputEvent| {
        Msg::EditedField(field, e.target_unchecked_into::<HtmlInputElement>().value())
    });
    let mode = match field {
        Field::UnitPrice | Field::Amount => "decimal",
        Field::Quantity => "numeric",
        _ => "text",
    };
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ field.label() }</label>
            <input
                id={id}
                type="text"
                inputmode={mode}
                autocomplete="off"
                spellcheck="false"
                value={screen.form.get(field).to_owned()}
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then(|| error_id.clone())}
                {oninput}
            />
            if let Some(error) = error {
                <p class="field-error" id={error_id}>{ error.to_string() }</p>
            }
        </div>
    }
}

/// The group's default button submits the form (so it is not sent twice); others click.
fn button(send: &Callback<Msg>, kind: CommandKind, submits: bool) -> Html {
    let onclick = (!submits).then(|| send.reform(move |_: MouseEvent| Msg::ClickedCommand(kind)));
    let class = match kind {
        CommandKind::CancelOrder => "danger",
        CommandKind::SubmitOrder => "primary",
        _ => "",
    };
    html! {
        <button type={if submits { "submit" } else { "button" }} class={class} {onclick}>
            { kind.button_label() }
        </button>
    }
}
