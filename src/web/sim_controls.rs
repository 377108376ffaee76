//! The simulation's controls in the header: Play, Pause, Step, Speed and Seed, and the
//! virtual clock.

use crate::app::clock::SPEEDS;
use crate::app::confirm::Confirm;
use crate::app::keys::Shortcut;
use crate::app::screen::{ControlsMsg, DataMsg, DataStatus, Msg, Screen};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the seed is, where it appears.
const SEED_MEANS: &str = "Every random draw of the run (lags, duplicates, failures, races) comes from this number: the same seed and knobs replay the same run.";

/// The controls, as one labelled group.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    let clock = &screen.controls.clock;
    let on_speed = send.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::ChoseSpeed(
            input
                .value()
                .parse()
                .unwrap_or(crate::app::clock::REAL_TIME),
        ))
    });
    let on_seed = send.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Msg::Controls(ControlsMsg::EditedSeed(input.value()))
    });
    let seed_invalid = clock.seed_error.is_some();
    html! {
        <div class="sim-controls" role="group" aria-label="Simulation">
            // On a phone these stay at the bottom of the screen (see style.css).
            <div class="play-bar">
                <button type="button" class="play" disabled={clock.playing}
                    onclick={send.reform(|_: MouseEvent| Msg::Controls(ControlsMsg::ClickedPlay))}>{ "Play" }</button>
                <button type="button" disabled={!clock.playing}
                    onclick={send.reform(|_: MouseEvent| Msg::Controls(ControlsMsg::ClickedPause))}>{ "Pause" }</button>
                <button type="button" onclick={send.reform(|_: MouseEvent| Msg::Controls(ControlsMsg::ClickedStep))}>{ "Step" }</button>
                <span class="clock" title="Virtual time">{ format!("t = {:.3} s", clock.now.0 as f64 / 1000.0) }</span>
            </div>
            if screen.confirming == Some(Confirm::Reset) {
                <span class="confirm" role="group" aria-label="Confirm the reset">
                    <span>{ "Delete every event and start the simulation again?" }</span>
                    <button type="button" class="confirm-yes" onclick={send.reform(|_: MouseEvent| Msg::Data(DataMsg::ConfirmedReset))}>
                        { "Delete every event" }
                    </button>
                    <button type="button" onclick={send.reform(|_: MouseEvent| Msg::Data(DataMsg::CancelledReset))}>
                        { "Keep events" }
                    </button>
                </span>
            } else {
                <button type="button" disabled={matches!(screen.data.status, DataStatus::Working(_))}
                    onclick={send.reform(|_: MouseEvent| Msg::Data(DataMsg::ClickedReset))}>{ "Reset" }</button>
            }
            <span class="control">
                <label for="sim-speed">{ "Speed" }</label>
                <input id="sim-speed" type="range" min="0" max={(SPEEDS.len() - 1).to_string()} step="1"
                    value={clock.speed.to_string()}
                    aria-valuetext={clock.speed_label()}
                    oninput={on_speed} />
                <span class="speed-label" aria-hidden="true">{ clock.speed_label() }</span>
            </span>
            <span class="control seed-control">
                <label for="sim-seed" title={SEED_MEANS}>{ "Seed" }</label>
                <input id="sim-seed" class="seed" type="text" inputmode="numeric"
                    value={clock.seed_text.clone()} title={SEED_MEANS}
                    aria-invalid={seed_invalid.then_some("true")}
                    aria-describedby={if seed_invalid { "sim-seed-hint sim-seed-error" } else { "sim-seed-hint" }}
                    oninput={on_seed} />
                <span id="sim-seed-hint" class="visually-hidden seed-hint">{ SEED_MEANS }</span>
            </span>
            <button type="button" class="presenter-toggle" aria-pressed={if screen.presenter { "true" } else { "false" }}
                onclick={send.reform(|_: MouseEvent| Msg::PressedShortcut(Shortcut::TogglePresenter))}>{ "Presenter mode" }</button>
            <button type="button" aria-haspopup="dialog" aria-keyshortcuts="?"
                onclick={send.reform(|_: MouseEvent| Msg::PressedShortcut(Shortcut::ToggleHelp))}>{ "Shortcuts" }</button>
            if let Some(note) = &clock.note {
                <p class="clock-note" role="status">{ note.clone() }</p>
            }
            if let Some(error) = &clock.seed_error {
                <p id="sim-seed-error" class="field-error" role="alert">{ error.clone() }</p>
            }
        </div>
    }
}
