//! The event store as a scrolling table over the whole log: it draws only the rows in
//! view (and a few either side), with spacers standing in for the rest, and reads the
//! events scrolled to from the store in batches. A row's button opens its JSON below.
//! At the bottom, the table follows new events; scrolled up, it stays where it is.

use crate::app::privacy_view::describe;
use crate::app::screen::{Msg, Screen, Storage, TableMsg};
use crate::domain::envelope::{EventEnvelope, SharedEvent};
use crate::domain::ids::GlobalPosition;
use crate::domain::order::OrderEvent;
use crate::domain::privacy::KeyVault;
use crate::store::transfer::cosmos_document;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Height of a row in CSS pixels (the stylesheet fixes it to this).
const ROW_H: u64 = 28;
/// Rows the scroll box shows at most (its height over `ROW_H`, rounded up).
const VIEW_ROWS: u64 = 16;
/// The rows drawn move in steps of this many: scrolling within a step changes no row
/// (the browser scrolls what is drawn), so most frames of a scroll do no work.
const CHUNK: u64 = 16;

/// The page's screen, and the generation that tells when it changed.
#[derive(Properties)]
pub struct EventTableProps {
    /// The screen model.
    pub screen: Rc<RefCell<Screen>>,
    /// Bumped by every change to the screen.
    pub generation: u64,
    /// Sends the user's actions.
    pub send: Callback<Msg>,
}

impl PartialEq for EventTableProps {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation && Rc::ptr_eq(&self.screen, &other.screen)
    }
}

/// The rows drawn: `start..end` (0-based rows; row `r` is position `r + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Drawn {
    /// The first row in view.
    top: u64,
    start: u64,
    end: u64,
    count: u64,
}

impl Drawn {
    /// The rows to draw when the first row in view is `top` (following: the newest):
    /// from a step before `top`'s to a step past the view, at most `3 × CHUNK +
    /// VIEW_ROWS` rows.
    fn new(top: u64, follow: bool, count: u64) -> Self {
        let last_top = count.saturating_sub(VIEW_ROWS);
        let top = if follow { last_top } else { top.min(last_top) };
        let step = top / CHUNK * CHUNK;
        Drawn {
            top,
            start: step.saturating_sub(CHUNK),
            end: (step + 2 * CHUNK + VIEW_ROWS).min(count),
            count,
        }
    }
}

/// The scroll box's windowing: which rows to draw, the spacers standing in for the
/// rest, and whether the box follows the newest row.
struct Window {
    drawn: Drawn,
    scroller: NodeRef,
    above: NodeRef,
    below: NodeRef,
    follow: bool,
    onscroll: Callback<Event>,
}

/// Windows a log of `count` rows: the rows in view (and a step either side) are drawn,
/// spacers keep the scroll height, and at the bottom the box follows new rows.
#[hook]
fn use_window(count: u64) -> Window {
    let scroller = use_node_ref();
    let (above, below) = (use_node_ref(), use_node_ref());
    let top = use_state_eq(|| 0_u64);
    let follow = use_mut_ref(|| true);
    // Where the box was last scrolled to, by the user or by following. A render that
    // finds the box elsewhere comes between a user's scroll and its (asynchronous)
    // scroll event, so it must not pull the box back to the newest row.
    let scrolled_to = use_mut_ref(|| None::<i32>);
    let drawn = Drawn::new(*top, *follow.borrow(), count);
    // The spacers' heights as last set. Before the rows change, each spacer grows to
    // the larger of its old and new height; after, the effect sets the new ones. So
    // the content is never shorter than its final height while it changes, and the
    // browser never clamps the scroll position (a clamp would look like the user
    // scrolling away from the newest row).
    let spacers = use_mut_ref(|| (0_u64, 0_u64));
    {
        let (old_above, old_below) = *spacers.borrow();
        set_height(&above, old_above.max(drawn.start * ROW_H));
        set_height(&below, old_below.max((drawn.count - drawn.end) * ROW_H));
    }
    {
        // Spacers stand in for the rows not drawn (set through the CSSOM, which a
        // Content-Security-Policy without inline styles allows); following, the box
        // stays scrolled to the newest row.
        let (scroller, above, below, follow, scrolled_to, spacers) = (
            scroller.clone(),
            above.clone(),
            below.clone(),
            follow.clone(),
            scrolled_to.clone(),
            spacers.clone(),
        );
        use_effect(move || {
            let heights = (drawn.start * ROW_H, (drawn.count - drawn.end) * ROW_H);
            set_height(&above, heights.0);
            set_height(&below, heights.1);
            *spacers.borrow_mut() = heights;
            if *follow.borrow() {
                if let Some(el) = scroller.cast::<Element>() {
                    let mut at = scrolled_to.borrow_mut();
                    if at.is_none_or(|at| at == el.scroll_top()) {
                        el.set_scroll_top(el.scroll_height());
                        *at = Some(el.scroll_top());
                    }
                }
            }
        });
    }
    let onscroll = {
        let (scroller, follow) = (scroller.clone(), follow.clone());
        Callback::from(move |_: Event| {
            let Some(el) = scroller.cast::<Element>() else {
                return;
            };
            *scrolled_to.borrow_mut() = Some(el.scroll_top());
            let bottom = el.scroll_top() + el.client_height();
            *follow.borrow_mut() = bottom + (ROW_H as i32) / 2 >= el.scroll_height();
            top.set(u64::try_from(el.scroll_top()).unwrap_or(0) / ROW_H);
        })
    };
    let following = *follow.borrow();
    Window {
        drawn,
        scroller,
        above,
        below,
        follow: following,
        onscroll,
    }
}

/// The table and the open event's JSON, or a hint when the store is empty.
#[component]
pub fn EventTable(props: &EventTableProps) -> Html {
    let screen = props.screen.borrow();
    let count = screen.log.count();
    let window = use_window(count);
    let drawn = window.drawn;
    // Rows get one callback for the whole life of the table, so a row whose event
    // and state did not change is not drawn again (the page's `send` is new on every
    // render of the page).
    let latest_send = use_mut_ref(|| props.send.clone());
    *latest_send.borrow_mut() = props.send.clone();
    let on_open = {
        let latest = latest_send.clone();
        use_callback((), move |position: GlobalPosition, _| {
            latest
                .borrow()
                .emit(Msg::Table(TableMsg::ClickedEvent(position)));
        })
    };
    // Rows in view the page does not hold are read from the store.
    let missing =
        (drawn.start..drawn.end).any(|r| screen.event_at(GlobalPosition(r + 1)).is_none());
    {
        let send = props.send.clone();
        use_effect_with(
            (drawn.start, drawn.end, missing),
            move |(start, end, missing)| {
                if *missing {
                    send.emit(Msg::Table(TableMsg::ScrolledEvents {
                        first: GlobalPosition(start + 1),
                        last: GlobalPosition(*end),
                    }));
                }
            },
        );
    }
    if count == 0 {
        return empty(screen.data.storage == Storage::Opening);
    }
    let selected = screen.selected_event().map(|e| e.global_position);
    let shown_first = drawn.top + 1;
    let shown_last = (drawn.top + VIEW_ROWS).min(count);
    html! {
        <>
            <p class="where">{ format!(
                "{count} event{} stored · positions {shown_first}–{shown_last} in view{}",
                if count == 1 { "" } else { "s" },
                if window.follow { " · following the newest" } else { "" }
            ) }</p>
            <div class="event-scroll" ref={window.scroller} onscroll={window.onscroll} tabindex="0" role="region"
                aria-label="Events in position order (scroll for older ones)">
                <table class="events" aria-rowcount={(count + 1).to_string()}>
                    // Every child keyed, so a step of scrolling adds one chunk and
                    // drops another, and moves or rebuilds nothing else.
                    { head() }
                    <tbody key="above" class="spacer" aria-hidden="true">
                        <tr ref={window.above}><td colspan="9"></td></tr>
                    </tbody>
                    { for (drawn.start / CHUNK..drawn.end.div_ceil(CHUNK)).map(|chunk| {
                        let rows = (chunk * CHUNK..((chunk + 1) * CHUNK).min(count))
                            .map(|r| (GlobalPosition(r + 1), screen.event_at(GlobalPosition(r + 1)).cloned()))
                            .collect::<Vec<_>>();
                        let open = selected.filter(|p| rows.iter().any(|(at, _)| at == p));
                        html! { <RowChunk key={format!("chunk-{chunk}")} {rows} {open} on_open={on_open.clone()} /> }
                    }) }
                    <tbody key="below" class="spacer" aria-hidden="true">
                        <tr ref={window.below}><td colspan="9"></td></tr>
                    </tbody>
                </table>
            </div>
            if let Some(event) = screen.selected_event() {
                { detail(event, &screen.privacy.vault) }
            }
        </>
    }
}

/// What the table says when the store holds no event (yet).
fn empty(opening: bool) -> Html {
    html! {
        <p class="empty">{ if opening {
            "Opening the event store: its newest events and how many it holds show here in a moment."
        } else {
            "No events yet. Create an order to record the first one."
        } }</p>
    }
}

/// The table's header row (keyed, like the chunks).
fn head() -> Html {
    html! {
        <thead key="head">
            <tr aria-rowindex="1">
                <th scope="col" class="num pos">{ "Position" }</th>
                <th scope="col" class="stream">{ "Stream" }</th>
                <th scope="col" class="num ver">{ "Version" }</th>
                <th scope="col" class="type">{ "Type" }</th>
                <th scope="col" class="num schema">{ "Schema" }</th>
                <th scope="col" class="num time">{ "Time" }</th>
                <th scope="col" class="id">{ "Correlation" }</th>
                <th scope="col" class="id">{ "Causation" }</th>
                <th scope="col" class="open"><span class="visually-hidden">{ "Details" }</span></th>
            </tr>
        </thead>
    }
}

/// Sets an element's height through the CSSOM.
fn set_height(node: &NodeRef, px: u64) {
    if let Some(el) = node.cast::<HtmlElement>() {
        // Only fails on a read-only declaration, which a row's style is not.
        let _ = el.style().set_property("height", &format!("{px}px"));
    }
}

/// The open event as the lab stores it and as a Cosmos DB document.
fn detail(event: &EventEnvelope, vault: &KeyVault) -> Html {
    let personal = match &event.event {
        OrderEvent::OrderCreated { personal, .. } => describe(personal.as_deref(), vault),
        _ => None,
    };
    html! {
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
            if let Some(personal) = personal {
                <p class="personal-line">
                    <strong>{ "Personal data, opened with the customer's key: " }</strong>
                    <span class="personal">{ personal }</span>
                    { " (the stored event holds only the sealed ciphertext above)" }
                </p>
            }
        </div>
    }
}

/// A step of `CHUNK` rows in its own `tbody`: when the table scrolls by a step, one
/// chunk comes and one goes, and the others are neither drawn again nor moved.
#[derive(Properties)]
struct RowChunkProps {
    /// Each row's position and its event, if held.
    rows: Vec<(GlobalPosition, Option<SharedEvent>)>,
    /// The open event, if it is in this chunk.
    open: Option<GlobalPosition>,
    on_open: Callback<GlobalPosition>,
}

impl PartialEq for RowChunkProps {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &Option<SharedEvent>, b: &Option<SharedEvent>| match (a, b) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        self.open == other.open
            && self.on_open == other.on_open
            && self.rows.len() == other.rows.len()
            && self
                .rows
                .iter()
                .zip(&other.rows)
                .all(|((p, a), (q, b))| p == q && same(a, b))
    }
}

#[component]
fn RowChunk(props: &RowChunkProps) -> Html {
    html! {
        <tbody>
            { for props.rows.iter().map(|(position, event)| match event {
                Some(e) => html! {
                    <EventRow key={position.0} event={Rc::clone(e)}
                        open={props.open == Some(*position)} on_open={props.on_open.clone()} />
                },
                None => loading(*position),
            }) }
        </tbody>
    }
}

/// One event's row.
#[derive(Properties)]
struct EventRowProps {
    event: SharedEvent,
    open: bool,
    on_open: Callback<GlobalPosition>,
}

impl PartialEq for EventRowProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.event, &other.event)
            && self.open == other.open
            && self.on_open == other.on_open
    }
}

#[component]
fn EventRow(props: &EventRowProps) -> Html {
    let event = &props.event;
    let position = event.global_position;
    let open = props.open;
    let onclick = props.on_open.reform(move |_: MouseEvent| position);
    html! {
        <tr aria-rowindex={(position.0 + 1).to_string()}
            class={classes!(open.then_some("selected"))}>
            <td class="num">{ position.0 }</td>
            <td>{ event.stream_id.as_str() }</td>
            <td class="num">{ event.stream_version.0 }</td>
            <td><span class="event-type">{ event.event_type() }</span></td>
            <td class="num">{ format!("v{}", event.schema_version.0) }</td>
            <td class="num">{ format!("{} ms", event.recorded_at.0) }</td>
            <td class="id">{ event.correlation_id.as_str() }</td>
            <td class="id">{ event.causation_id().as_str() }</td>
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

/// A row whose event is being read from the store.
fn loading(position: GlobalPosition) -> Html {
    html! {
        <tr key={position.0} aria-rowindex={(position.0 + 1).to_string()} class="loading">
            <td class="num">{ position.0 }</td>
            <td colspan="8">{ "reading…" }</td>
        </tr>
    }
}
