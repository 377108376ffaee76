//! The list of views below the diagram (the WAI-ARIA tabs pattern: arrow keys, Home
//! and End move along the list and open the tab they reach).

use crate::app::screen::{Msg, Screen};
use crate::app::tabs::Tab;
use yew::prelude::*;

/// The tab list; the chosen tab is the only one in the Tab order.
pub fn view(screen: &Screen, send: &Callback<Msg>) -> Html {
    html! {
        <div class="tabs" role="tablist" aria-label="Views">
            { for Tab::ALL.iter().map(|&tab| {
                let chosen = screen.tab == tab;
                let onclick = send.reform(move |_: MouseEvent| Msg::ChoseTab(tab));
                let onkeydown = {
                    let send = send.clone();
                    move |e: KeyboardEvent| {
                        let to = match e.key().as_str() {
                            "ArrowRight" => tab.moved(1),
                            "ArrowLeft" => tab.moved(-1),
                            "Home" => Tab::ALL[0],
                            "End" => Tab::ALL[Tab::ALL.len() - 1],
                            _ => return,
                        };
                        e.prevent_default();
                        send.emit(Msg::MovedTab(to));
                    }
                };
                html! {
                    <button type="button" role="tab" id={tab.tab_id()}
                        aria-selected={if chosen { "true" } else { "false" }}
                        aria-controls={tab.panel_id()}
                        tabindex={if chosen { "0" } else { "-1" }}
                        {onclick} {onkeydown}>
                        { tab.title() }
                        { badge(screen, tab) }
                    </button>
                }
            }) }
        </div>
    }
}

/// A count that deserves attention, beside a tab's name (hidden from the accessible
/// name, which stays the tab's title; the panel says the same in words).
fn badge(screen: &Screen, tab: Tab) -> Html {
    let n: u64 = match (tab, &screen.controls.diagram) {
        (Tab::ReadModels, Some(d)) => d
            .lanes
            .iter()
            .map(|l| l.dead_letters + l.wrong_count as u64)
            .sum(),
        _ => 0,
    };
    if n == 0 {
        return Html::default();
    }
    html! { <span class="tab-badge" aria-hidden="true">{ n }</span> }
}

/// The chosen tab's panel around `content`.
pub fn panel(tab: Tab, content: Html) -> Html {
    html! {
        <section class="tab-panel" role="tabpanel" id={tab.panel_id()}
            aria-labelledby={tab.tab_id()} tabindex="0">
            { content }
        </section>
    }
}
