//! The Azure mapping: each component of the diagram with the service it stands for.

use crate::app::azure::mapping;
use crate::app::screen::Screen;
use crate::engine::config::page_config;
use yew::prelude::*;

/// The mapping as a table, with the lab's current settings.
pub fn view(screen: &Screen) -> Html {
    let mut config = page_config();
    screen.controls.knobs.configure(&mut config);
    html! {
        <>
        <div class="table-scroll">
            <table class="azure">
                <thead>
                    <tr>
                        <th scope="col">{ "Component" }</th>
                        <th scope="col">{ "Azure service" }</th>
                        <th scope="col">{ "Defaults that matter" }</th>
                        <th scope="col">{ "In the lab" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for mapping(&config).into_iter().map(|m| html! {
                        <tr>
                            <th scope="row">{ m.component }</th>
                            <td>{ m.service }</td>
                            <td><ul>{ for m.defaults.into_iter().map(|d| html! { <li>{ d }</li> }) }</ul></td>
                            <td>{ m.in_the_lab }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
        { super::transport_panel::table(&config.bus) }
        </>
    }
}
