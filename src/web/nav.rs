//! What both pages have around their content: the links between them and the list
//! of keyboard shortcuts.

use crate::app::keys::SHORTCUTS;
use crate::app::screen::SHORTCUTS_DIALOG;
use yew::prelude::*;

/// The links between the lab's two pages, the current one marked.
pub(crate) fn pages(guide: bool) -> Html {
    let (workbench, scenarios) = if guide {
        ("../", "./")
    } else {
        ("./", "scenarios/")
    };
    html! {
        <nav class="pages" aria-label="Pages">
            <a href={workbench} aria-current={(!guide).then_some("page")}>{ "Workbench" }</a>
            <a href={scenarios} aria-current={guide.then_some("page")}>{ "Scenarios and study" }</a>
        </nav>
    }
}

/// The list of keyboard shortcuts, as a modal dialog; `close` closes it.
pub(crate) fn shortcuts_dialog(close: Callback<MouseEvent>) -> Html {
    html! {
        <div class="overlay">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-heading"
                id={SHORTCUTS_DIALOG} tabindex="-1">
                <h2 id="shortcuts-heading">{ "Keyboard shortcuts" }</h2>
                <table class="shortcuts">
                    <tbody>
                        { for SHORTCUTS.iter().map(|(key, what)| html! {
                            <tr>
                                <th scope="row"><kbd>{ *key }</kbd></th>
                                <td>{ *what }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <p class="hint">{ "Shortcuts work when the focus is not in a field, a slider, the tab list or a box that scrolls, which keep their own keys." }</p>
                <button type="button" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
