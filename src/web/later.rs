//! A large page drawn in several tasks: each `Later` part is left out of the page's
//! first render and drawn afterwards, one part per task, so no single task builds the
//! whole page and the browser can answer input (and paint) in between. The first view
//! in the page's HTML is on screen meanwhile, so a visitor sees no gap.

use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use yew::prelude::*;

/// The parts waiting to be drawn, in the order they were mounted; how many parts were
/// made and not yet drawn (counted from their first render, before Yew runs their
/// effects, which it may leave to a later task); and whether a task to draw the next
/// one is pending.
#[derive(Default)]
struct Queue {
    waiting: Vec<UseStateSetter<bool>>,
    undrawn: usize,
    pending: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::default();
}

/// What `Later` draws.
#[derive(Debug, Clone, PartialEq, Properties)]
pub(crate) struct LaterProps {
    pub children: Html,
}

/// Its children, once its turn has come (a task of its own after the render that
/// mounted it); nothing before.
#[component]
pub(crate) fn Later(props: &LaterProps) -> Html {
    let undrawn = use_mut_ref(Undrawn::counted);
    let drawn = use_state(|| false);
    {
        let setter = drawn.setter();
        use_effect_with((), move |_| {
            QUEUE.with(|q| q.borrow_mut().waiting.push(setter));
            next_task();
        });
    }
    if *drawn {
        undrawn.borrow_mut().drawn();
        props.children.clone()
    } else {
        Html::default()
    }
}

/// Draws the next waiting part in a task of its own (Yew renders it at the end of
/// that task), unless such a task is already pending.
fn next_task() {
    let start = QUEUE.with(|q| !std::mem::replace(&mut q.borrow_mut().pending, true));
    if start {
        Timeout::new(0, draw_next).forget();
    }
}

fn draw_next() {
    let next = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.pending = false;
        (!q.waiting.is_empty()).then(|| q.waiting.remove(0))
    });
    if let Some(setter) = next {
        setter.set(true);
        next_task();
    }
}

/// A part in the count of those not drawn yet: from its first render until it renders
/// its children, or is dropped first.
struct Undrawn(bool);

impl Undrawn {
    fn counted() -> Self {
        QUEUE.with(|q| q.borrow_mut().undrawn += 1);
        Undrawn(true)
    }

    fn drawn(&mut self) {
        if std::mem::take(&mut self.0) {
            QUEUE.with(|q| q.borrow_mut().undrawn -= 1);
        }
    }
}

impl Drop for Undrawn {
    fn drop(&mut self) {
        self.drawn();
    }
}

/// Waits until every `Later` part made so far has drawn its children.
pub(crate) async fn drawn() {
    loop {
        super::wait(std::time::Duration::ZERO).await;
        if QUEUE.with(|q| q.borrow().undrawn == 0) {
            return;
        }
    }
}
