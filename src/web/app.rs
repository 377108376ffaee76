//! The root component: owns the screen model and lays out the panels.

use super::{command_panel, event_table, journal, write_model};
use crate::app::screen::{Msg, Screen};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The screen model behind one `RefCell`, mutated in place by `reduce` so an action costs
/// O(change), not a copy of the event log; `generation` tells Yew a new state exists.
struct Model {
    screen: Rc<RefCell<Screen>>,
    generation: u64,
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        self.screen.borrow_mut().update(msg);
        Rc::new(Model {
            screen: Rc::clone(&self.screen),
            generation: self.generation.wrapping_add(1),
        })
    }
}

/// The whole lab page.
#[component]
pub fn App() -> Html {
    let model = use_reducer(|| Model {
        screen: Rc::new(RefCell::new(Screen::default())),
        generation: 0,
    });
    let send: Callback<Msg> = {
        let model = model.clone();
        Callback::from(move |msg| model.dispatch(msg))
    };
    let screen = model.screen.borrow();
    html! {
        <div class="page">
            <header class="masthead">
                <h1>{ "CQRS Lab" }</h1>
                <p class="tagline">
                    { "Send commands to an event-sourced Order aggregate and watch the event store grow." }
                </p>
            </header>
            <main class="workbench">
                <section class="panel commands" aria-labelledby="commands-heading">
                    <h2 id="commands-heading">{ "Commands" }</h2>
                    { command_panel::view(&screen, &send) }
                </section>
                <div class="results">
                    { journal::feedback(&screen.feedback) }
                    <section class="panel" aria-labelledby="write-model-heading">
                        <h2 id="write-model-heading">{ "Write model" }</h2>
                        { write_model::view(&screen, &send) }
                    </section>
                    <section class="panel" aria-labelledby="events-heading">
                        <h2 id="events-heading">
                            { "Event store " }
                            <span class="count">{ event_count(screen.lab.events().len()) }</span>
                        </h2>
                        { event_table::view(&screen, &send) }
                    </section>
                    <section class="panel" aria-labelledby="journal-heading">
                        <h2 id="journal-heading">{ "Command log" }</h2>
                        { journal::view(&screen.lab) }
                    </section>
                </div>
            </main>
        </div>
    }
}

fn event_count(n: usize) -> String {
    match n {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    }
}
