//! The scenario page's stage: the clock, the diagram (two, side by side, when
//! comparing) and the view the step points at.

use super::diagram;
use super::enlarge;
use super::projections_panel::rows_beside_truth;
use super::saga_panel;
use super::timeline;
use crate::app::diagram::DiagramView;
use crate::app::diagram_layout::Layout;
use crate::app::guide::{Branch, Guide};
use crate::app::privacy_view::describe;
use crate::app::saga_view::SagaView;
use crate::app::timeline::{mark, TimelineView};
use crate::domain::order::OrderState;
use crate::engine::sim::Simulation;
use crate::engine::trace::HopKind;
use crate::engine::truth::StoreFold;
use crate::engine::views::lag;
use crate::engine::views::Stream;
use crate::scenarios::library::{Panel, Scenario};
use crate::scenarios::run::Run;
use crate::scenarios::views::{costs, differences, modes, saga_differences};
use yew::prelude::*;

/// The clock, the diagram (two, side by side, when comparing) and the view the step
/// points at.
pub(super) fn stage(guide: &Guide, scenario: &Scenario, run: &Run) -> Html {
    let sim = run.sim();
    let events = sim.store.events();
    let d = DiagramView::of(
        &sim.engine,
        guide.pulse_window(),
        events,
        &StoreFold::of(events),
    );
    let show = guide
        .stage
        .step
        .checked_sub(1)
        .and_then(|i| scenario.steps.get(i))
        .map_or(
            if run.saga().is_some() {
                Panel::Saga
            } else {
                Panel::ReadModels
            },
            |s| s.show,
        );
    let this = match (&guide.custom, scenario.variants.get(guide.variant)) {
        (Some(_), _) => "As the link set it".to_owned(),
        (None, Some(v)) => v.name.clone(),
        (None, None) => "As the scenario sets it".to_owned(),
    };
    let heading = format!(
        "The lab at {} ms{}",
        sim.engine.now().0,
        if guide.moving() { " (moving…)" } else { "" }
    );
    let layout = Layout::pick(guide.stage.presenter, super::media::width());
    let lab = match &guide.stage.branch {
        None => html! {
            <section class="panel flow-panel" aria-labelledby="lab-heading">
                { enlarge::heading("lab-heading", heading, "the lab") }
                { print(run, true) }
                { figure_of("Architecture diagram", run, &d, layout) }
            </section>
        },
        Some(branch) => split(&heading, &this, run, &d, branch, guide),
    };
    html! {
        <>
            { lab }
            <section class="panel" aria-labelledby="panel-heading">
                { enlarge::heading("panel-heading", panel_title(show).into(), "this view") }
                { panel(show, run, &d) }
                if !run.notes().is_empty() {
                    <h3>{ "What was done to the system" }</h3>
                    <ul class="notes">
                        { for run.notes().iter().map(|(at, note)| html! { <li>{ format!("{} ms: {note}", at.0) }</li> }) }
                    </ul>
                }
            </section>
        </>
    }
}

/// The run's fingerprint: equal runs have equal ones.
fn print(run: &Run, long: bool) -> Html {
    let hash = run
        .saga()
        .map_or_else(|| run.sim().engine.trace().hash(), |s| s.fingerprint());
    html! {
        <p class="fingerprint" title="A digest of every hop of the run: the same scenario, configuration and step give the same one, here or from a link.">{ if long {
            format!("Run fingerprint {hash:016x}: the same scenario, configuration and step give the same one, here or from a link.")
        } else {
            format!("Run fingerprint {hash:016x}")
        } }</p>
    }
}

/// The saga's state machine in a saga scenario, else the architecture diagram.
fn figure_of(name: &str, run: &Run, d: &DiagramView, layout: Layout) -> Html {
    match run.saga() {
        Some(saga) => saga_panel::machine(
            &name.replace("Architecture diagram", "Saga state machine"),
            &SagaView::of(saga),
        ),
        None => {
            let head = run.sim().store.head().0;
            diagram::figure(name, d, head, head, None, html! {}, layout)
        }
    }
}

/// Two runs side by side, and every figure where they differ.
fn split(
    heading: &str,
    this: &str,
    run: &Run,
    d: &DiagramView,
    branch: &Branch,
    guide: &Guide,
) -> Html {
    let layout = Layout::pick(guide.stage.presenter, super::media::width());
    let other = branch.run().sim();
    let od = DiagramView::of(
        &other.engine,
        guide.pulse_window(),
        other.store.events(),
        &StoreFold::of(other.store.events()),
    );
    let all = match (run.saga(), branch.run().saga()) {
        (Some(a), Some(b)) => saga_differences(a, b),
        _ => differences(run.sim(), other),
    };
    let same = all.iter().filter(|x| !x.differs()).count();
    let differ: Vec<_> = all.into_iter().filter(|x| x.differs()).collect();
    let side = |name: &str, r: &Run, d: &DiagramView| {
        html! {
            <div class="side-run">
                <h3>{ name.to_owned() }</h3>
                { print(r, false) }
                { figure_of(&format!("Architecture diagram: {name}"), r, d, layout) }
                if !r.notes().is_empty() {
                    <ul class="notes">
                        { for r.notes().iter().map(|(at, note)| html! { <li>{ format!("{} ms: {note}", at.0) }</li> }) }
                    </ul>
                }
            </div>
        }
    };
    html! {
        <section class="panel flow-panel split" aria-labelledby="lab-heading">
            { enlarge::heading("lab-heading", heading.to_owned(), "the comparison") }
            <div class="side-by-side">
                { side(this, run, d) }
                { side(&branch.label, branch.run(), &od) }
            </div>
            <table class="lab-facts differences">
                <caption>{ if differ.is_empty() { format!("No difference yet ({same} figures compared)") } else { format!("{} difference(s); {same} other figures the same", differ.len()) } }</caption>
                <thead><tr><th scope="col">{ "Figure" }</th><th scope="col">{ this.to_owned() }</th><th scope="col">{ branch.label.clone() }</th></tr></thead>
                <tbody>
                    { for differ.iter().map(|x| html! {
                        <tr class="differs"><th scope="row">{ format!("≠ {}", x.what) }</th><td>{ x.a.clone() }</td><td>{ x.b.clone() }</td></tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

fn panel_title(show: Panel) -> &'static str {
    match show {
        Panel::ReadModels => "Read models beside the truth",
        Panel::Lag => "Lag",
        Panel::Timeline => "Timeline",
        Panel::DeadLetters => "Dead letters",
        Panel::Stream => "The order's stream",
        Panel::Log => "What the system said",
        Panel::Modes => "CRUD, CQRS only, CQRS + Event Sourcing",
        Panel::Costs => "What it costs",
        Panel::Saga => "The fulfilment saga",
    }
}

fn panel(show: Panel, run: &Run, d: &DiagramView) -> Html {
    let sim = run.sim();
    let now = sim.engine.now();
    match show {
        Panel::Saga => match run.saga() {
            Some(saga) => saga_panel::details(&SagaView::of(saga)),
            None => html! { <p>{ "This scenario runs no saga." }</p> },
        },
        Panel::ReadModels => html! {
            <div class="lanes">
                { for d.lanes.iter().map(|lane| html! {
                    <div class="lane-check">
                        <h3>{ format!("{} ({}) · checkpoint {}", lane.name.title(), mode_name(lane.mode), lane.checkpoint.0) }</h3>
                        { rows_beside_truth(lane, run.vault()) }
                    </div>
                }) }
            </div>
        },
        Panel::Lag => html! {
            <table class="lab-facts">
                <thead><tr><th scope="col">{ "Projection" }</th><th scope="col">{ "Checkpoint" }</th><th scope="col">{ "Events behind" }</th><th scope="col">{ "ms behind" }</th></tr></thead>
                <tbody>
                    { for d.lanes.iter().map(|lane| {
                        let l = lag(sim.store.events(), lane.checkpoint, now);
                        html! { <tr><th scope="row">{ lane.name.title() }</th><td>{ lane.checkpoint.0 }</td><td>{ l.events_behind }</td><td>{ l.ms_behind.0 }</td></tr> }
                    }) }
                </tbody>
            </table>
        },
        Panel::Timeline => timeline::chart(&TimelineView::of(&sim.engine)),
        Panel::DeadLetters => html! {
            <ul class="notes">
                { for d.lanes.iter().map(|lane| html! {
                    <li>{ format!("{}: {} dead letter(s){}", lane.name.title(), lane.dead_letters,
                        lane.dead.first().map(|x| format!(", e.g. position {} ({} on {}): {}", x.position.0, x.event_type, x.stream, x.reason)).unwrap_or_default()) }</li>
                }) }
            </ul>
        },
        Panel::Stream => stream(run),
        Panel::Log => log(sim),
        Panel::Modes => modes_table(sim),
        Panel::Costs => costs_table(sim),
    }
}

/// The run's counts and the notable hops, newest last.
fn log(sim: &Simulation) -> Html {
    let said: Vec<String> = sim
        .engine
        .trace()
        .hops()
        .filter_map(|h| {
            mark(h)
                .filter(|m| m.kind != crate::app::diagram::PulseKind::Normal)
                .map(|m| format!("{} ms · {}: {}", h.at.0, m.component.title(), m.text))
        })
        .collect();
    let shown = said.len().saturating_sub(30);
    html! {
        <>
            <p>{ format!("{} events stored; {} refused, {} rejected, {} duplicate command(s), {} conflict(s).",
                sim.store.head().0, sim.engine.metrics().commands_refused, sim.engine.metrics().commands_rejected,
                sim.engine.metrics().commands_duplicate, sim.engine.metrics().conflicts) }</p>
            <p>{ waits(sim.engine.metrics()) }</p>
            <ol class="notes">{ for said[shown..].iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ol>
        </>
    }
}

/// The architectures side by side: what each stores and can do.
fn modes_table(sim: &Simulation) -> Html {
    html! {
        <table class="lab-facts modes">
            <thead><tr>
                <th scope="col">{ "Architecture" }</th><th scope="col">{ "Stores" }</th><th scope="col">{ "Knows of the order" }</th>
                <th scope="col">{ "Audit trail" }</th><th scope="col">{ "Rebuild read models" }</th><th scope="col">{ "Time travel" }</th>
                <th scope="col">{ "Reads scale apart" }</th><th scope="col">{ "Reads its own writes" }</th>
            </tr></thead>
            <tbody>
                { for modes(sim).into_iter().map(|row| {
                    let c = row.capabilities;
                    html! {
                        <tr>
                            <th scope="row">{ row.mode.label() }</th>
                            <td>{ row.stores }</td>
                            <td>{ row.history }</td>
                            { for [c.audit_trail, c.rebuild_read_models, c.time_travel, c.independent_read_scaling, c.read_your_writes].into_iter().map(|cap| html! {
                                <td title={cap.why}>{ if cap.available { "✓ yes" } else { "✗ no" } }<span class="why">{ cap.why }</span></td>
                            }) }
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// What the workload cost with CQRS and Event Sourcing, and with CRUD.
fn costs_table(sim: &Simulation) -> Html {
    let c = costs(sim);
    let records: u64 = c.records.iter().map(|(_, n)| n).sum();
    html! {
        <table class="lab-facts">
            <thead><tr><th scope="col">{ "For this workload" }</th><th scope="col">{ "CQRS + Event Sourcing" }</th><th scope="col">{ "CRUD" }</th></tr></thead>
            <tbody>
                <tr><th scope="row">{ "Commands handled" }</th><td>{ c.commands }</td><td>{ c.commands }</td></tr>
                <tr><th scope="row">{ "Components to run" }</th><td>{ c.components }</td><td>{ "1 database" }</td></tr>
                <tr><th scope="row">{ "Messages moved" }</th><td>{ c.messages }</td><td>{ "0" }</td></tr>
                <tr><th scope="row">{ "Records kept" }</th>
                    <td>{ format!("{records}: {}", c.records.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")) }</td>
                    <td>{ format!("{} row(s)", c.crud_rows) }</td></tr>
                <tr><th scope="row">{ "A write visible to every read after" }</th>
                    <td>{ format!("{} ms on average, {} ms at worst ({} events)", c.stale.1, c.stale.2, c.stale.0) }</td>
                    <td>{ "at once" }</td></tr>
            </tbody>
        </table>
    }
}

/// How long payments and other commands waited for their outcome.
fn waits(m: &crate::engine::trace::Metrics) -> String {
    let one = |what: &str, l: &crate::engine::trace::Latency| match l.count {
        0 => format!("no {what} handled yet"),
        n => format!(
            "{n} {what} waited {} ms on average, {} ms at most",
            l.mean_ms(),
            l.max_ms
        ),
    };
    format!(
        "From first send to outcome: {}; {}.",
        one("payment(s)", &m.critical_latency),
        one("other command(s)", &m.bulk_latency)
    )
}

fn mode_name(mode: crate::engine::config::ProjectionMode) -> &'static str {
    match mode {
        crate::engine::config::ProjectionMode::Naive => "naive",
        crate::engine::config::ProjectionMode::Idempotent => "idempotent",
    }
}

/// The first order's stream: its events, the snapshot kept and what loading it costs.
fn stream(run: &Run) -> Html {
    let sim = run.sim();
    let Some(id) = sim.store.stream_ids().first().map(|id| (*id).clone()) else {
        return html! { <p class="empty">{ "No order yet." }</p> };
    };
    let s = Stream::read_from(&sim.store, &id);
    let personal = match &s.state {
        OrderState::Created(order) => describe(order.personal.as_ref(), run.vault()),
        OrderState::NotCreated => None,
    };
    let cost = match s.snapshot {
        Some(v) => format!("A handler loads the snapshot at v{} and replays {} event(s) after it, instead of all {}.", v.0, s.replay_cost(), s.version.0),
        None => format!("No snapshot yet: a handler replays all {} event(s).", s.version.0),
    };
    let last_load = sim.engine.trace().hops().rev().find_map(|h| match &h.kind {
        HopKind::AggregateLoaded { command_id, stream_id, snapshot, replayed } if *stream_id == id => Some(match snapshot {
            Some(v) => format!("The last command, {command_id}, started from the snapshot at v{} and replayed {replayed} event(s).", v.0),
            None => format!("The last command, {command_id}, had no snapshot and replayed {replayed} event(s)."),
        }),
        _ => None,
    });
    html! {
        <>
            <p>{ format!("{id} at version {} (snapshot every {} events). {cost}", s.version.0, run.knobs().snapshot_every) }</p>
            if let Some(personal) = personal {
                <p class="personal-line"><strong>{ "Customer's name and address, opened with their key: " }</strong><span class="personal">{ personal }</span></p>
            }
            if let Some(text) = last_load {
                <p>{ text }</p>
            }
            <table class="lab-facts">
                <thead><tr><th scope="col">{ "Version" }</th><th scope="col">{ "Position" }</th><th scope="col">{ "Event" }</th><th scope="col">{ "Command" }</th></tr></thead>
                <tbody>
                    { for s.history.iter().map(|e| html! {
                        <tr class={classes!((s.snapshot == Some(e.stream_version)).then_some("snapshot"))}>
                            <td>{ format!("{}{}", e.stream_version.0, if s.snapshot == Some(e.stream_version) { " ◆ snapshot" } else { "" }) }</td>
                            <td>{ e.global_position.0 }</td>
                            <td>{ e.event_type() }</td>
                            <td>{ e.causation_id().to_string() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
