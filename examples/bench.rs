//! Benchmark (run with `cargo run --profile perf --example bench`): prints, on one run,
//! 1. the full pipeline rate: command → handler → store → outbox → bus → 3 projections,
//!    with handling that takes no virtual time (the bus carries batches) and 5 ms (not);
//! 2. a rebuild of all 3 read models from a 1M-event store through the engine;
//! 3. the baseline: a plain fold of the same 1M events into the 3 read models;
//! 4. the 0 ms pipeline on each transport at its documented defaults, as a ratio to a
//!    run of the lab's bus in the same process (`-- transports` runs only these).
//!
//! Wall-clock timing lives here only; the simulation itself never reads a clock.
//! The 0 ms pipeline runs 5 times, each in a process of its own, and the median is
//! reported with every run. `-- pipeline` runs only part 1, `-- batches` only one run
//! of its first line, `-- rebuild` only parts 2 and 3 (for profiling).

use cqrs_lab::domain::ids::{
    CommandId, CorrelationId, CustomerId, EventId, OrderId, ProductId, SchemaVersion,
    StreamVersion, VirtualMillis,
};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{decide, evolve, OrderCommand, OrderState};
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::projection::ReadModel;
use cqrs_lab::engine::rebuild::RebuildStrategy;
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::transport::choice::TransportKind;
use cqrs_lab::engine::transport::Transport;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::{AppendRequest, MemoryStore, NewEvent, ProjectionName};
use std::hint::black_box;
use std::time::Instant;

const PIPELINE_ORDERS: u64 = 50_000;
const STORE_ORDERS: u64 = 100_000; // x 10 events = 1M
const PRODUCTS: u64 = 7;
/// Runs of the 0 ms pipeline whose median is reported.
const REPEATS: usize = 5;

fn id<T>(parse: fn(&str) -> Result<T, cqrs_lab::domain::ids::IdError>, text: &str) -> T {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// One order's life: create, add `PRODUCTS` items, submit, pay (10 events).
fn order_commands(order: u64) -> Vec<OrderCommand> {
    let mut commands = vec![OrderCommand::CreateOrder {
        customer_id: id(CustomerId::parse, &format!("cust-{}", order % 1000)),
        currency: None,
        personal: None,
    }];
    commands.extend((0..PRODUCTS).map(|p| OrderCommand::AddItem {
        product_id: id(ProductId::parse, &format!("p{p}")),
        product_name: "Thing".into(),
        unit_price: Cents(100 + p as i64),
        quantity: 1,
    }));
    commands.push(OrderCommand::SubmitOrder);
    commands.push(OrderCommand::ReceivePayment {
        amount: Cents((0..PRODUCTS as i64).map(|p| 100 + p).sum()),
        payment_method: "card".into(),
        transaction_id: "t".into(),
    });
    commands
}

/// Runs every order through the engine with handling taking `handling` virtual ms.
/// With none, what a millisecond appends is published together and each subscription
/// receives it as one batch; with 5 ms, each relay run carries one event.
fn pipeline(handling: VirtualMillis, transport: Transport) -> (u64, f64) {
    let mut script = Vec::new();
    for order in 0..PIPELINE_ORDERS {
        let order_id = id(OrderId::parse, &format!("o-{order}"));
        for (i, command) in order_commands(order).into_iter().enumerate() {
            let n = order * 100 + i as u64;
            script.push(ScriptedCommand {
                at: VirtualMillis(order),
                client: ClientId((order % 8) as u32),
                command_id: CommandId::numbered("cmd", n),
                correlation_id: CorrelationId::numbered("corr", n),
                order_id: order_id.clone(),
                command,
            });
        }
    }
    let mut config = EngineConfig {
        queue_capacity: 1_000_000,
        handlers: 1,
        handling_time: handling,
        trace_limit: 0,
        ..EngineConfig::default()
    };
    config.bus.transport = transport;
    let mut sim = Simulation::new(Engine::new(config, script));
    let start = Instant::now();
    sim.run_to_idle(u64::MAX);
    let seconds = start.elapsed().as_secs_f64();
    let events = sim.store.head().0;
    for p in sim.engine.projections() {
        assert_eq!(p.checkpoint().0, events, "{:?} caught up", p.name);
    }
    (events, seconds)
}

/// The same orders as the pipeline, decided and appended directly (no engine).
fn filled_store() -> MemoryStore {
    let mut store = MemoryStore::new();
    let mut n = 0;
    for order in 0..STORE_ORDERS {
        let mut state = OrderState::default();
        let mut events = Vec::new();
        for command in order_commands(order) {
            let decided = decide(&state, &command).unwrap_or_else(|r| panic!("{r}"));
            state = decided.iter().fold(state, evolve);
            events.extend(decided);
        }
        let new_events = events
            .into_iter()
            .map(|event| {
                n += 1;
                NewEvent {
                    event_id: EventId::numbered("evt", n),
                    schema_version: SchemaVersion(1),
                    recorded_at: VirtualMillis(n * 100),
                    correlation_id: CorrelationId::numbered("corr", order),
                    causation_id: CommandId::numbered("cmd", order),
                    event,
                }
            })
            .collect();
        store
            .append(AppendRequest {
                stream_id: id(OrderId::parse, &format!("o-{order}")),
                expected_version: StreamVersion(0),
                events: new_events,
                command_id: CommandId::numbered("cmd", order),
                with_outbox: false,
            })
            .unwrap_or_else(|e| panic!("append: {e}"));
    }
    store
}

fn rebuild(store: MemoryStore) -> f64 {
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), Vec::new()));
    sim.store = store;
    let start = Instant::now();
    for name in ProjectionName::ALL {
        sim.engine.start_rebuild(name, RebuildStrategy::InPlace);
    }
    sim.run_to_idle(u64::MAX);
    let seconds = start.elapsed().as_secs_f64();
    for p in sim.engine.projections() {
        assert_eq!(p.checkpoint(), sim.store.head(), "{:?} rebuilt", p.name);
    }
    seconds
}

fn plain_fold(store: &MemoryStore) -> f64 {
    let start = Instant::now();
    let mut models = ProjectionName::ALL.map(ReadModel::empty);
    for e in store.events() {
        for model in &mut models {
            model.apply(e);
        }
    }
    black_box(&models);
    start.elapsed().as_secs_f64()
}

/// Runs the 0 ms pipeline `REPEATS` times, each in a fresh process (a later run in the
/// same one reuses memory the first had to fault in, and runs a few percent faster),
/// and prints every rate and their median: on a shared machine one run can be a third
/// slower than the next.
fn report_median_of_runs(note: &str) {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("this program's path: {e}"));
    // The first number after each marker in a run's line: its events, then its rate.
    let number_after = |text: &str, marker: &str| -> Option<u64> {
        let rest = text.split(marker).nth(1)?;
        rest.split(' ').next()?.parse().ok()
    };
    let runs: Vec<(u64, u64)> = (0..REPEATS)
        .map(|_| {
            let out = std::process::Command::new(&exe)
                .arg("batches")
                .output()
                .unwrap_or_else(|e| panic!("running {}: {e}", exe.display()));
            let text = String::from_utf8_lossy(&out.stdout);
            number_after(&text, "): ")
                .zip(number_after(&text, "= "))
                .unwrap_or_else(|| {
                    let errors = String::from_utf8_lossy(&out.stderr);
                    panic!(
                        "a run ({}) printed no events and rate: {text}{errors}",
                        out.status
                    )
                })
        })
        .collect();
    let each: Vec<String> = runs.iter().map(|(_, rate)| rate.to_string()).collect();
    let mut rates: Vec<u64> = runs.iter().map(|(_, rate)| *rate).collect();
    rates.sort_unstable();
    println!(
        "pipeline, 0 ms handling ({note}): {} events (command -> store -> bus -> 3 projections), median of {REPEATS} runs = {} events/s (runs: {})",
        runs.first().map_or(0, |(events, _)| *events),
        rates[REPEATS / 2],
        each.join(", ")
    );
}

/// The 0 ms pipeline on each transport at its documented defaults, one run each, beside a
/// run of the lab's bus in the same process (the ratio is what the transport costs).
fn transport_rows() {
    let (events, lab) = pipeline(VirtualMillis(0), Transport::Lab);
    let lab_rate = events as f64 / lab;
    println!("transport lab bus: {events} events in {lab:.3} s = {lab_rate:.0} events/s (1.00 of the lab bus)");
    for kind in TransportKind::ALL.into_iter().skip(1) {
        let (events, seconds) = pipeline(VirtualMillis(0), kind.transport());
        let rate = events as f64 / seconds;
        println!(
            "transport {}: {events} events in {seconds:.3} s = {rate:.0} events/s ({:.2} of the lab bus)",
            kind.key(),
            rate / lab_rate
        );
    }
}

fn main() {
    // `-- pipeline` / `-- batches` / `-- rebuild` run only that part (for profiling).
    let only_batches = std::env::args().any(|a| a == "batches");
    let only_pipeline = only_batches || std::env::args().any(|a| a == "pipeline");
    let only_rebuild = std::env::args().any(|a| a == "rebuild");
    let only_transports = std::env::args().any(|a| a == "transports");
    if !only_rebuild && !only_transports {
        let runs = [(0, "batches on the bus"), (5, "no batching")];
        let runs = if only_batches { &runs[..1] } else { &runs[..] };
        for &(handling, note) in runs {
            if handling == 0 && !only_batches {
                report_median_of_runs(note);
                continue;
            }
            let (events, seconds) = pipeline(VirtualMillis(handling), Transport::Lab);
            println!(
                "pipeline, {handling} ms handling ({note}): {events} events (command -> store -> bus -> 3 projections) in {seconds:.3} s = {:.0} events/s",
                events as f64 / seconds
            );
        }
    }
    if only_pipeline {
        return;
    }
    transport_rows();
    if only_transports {
        return;
    }
    let store = filled_store();
    let total = store.head().0;
    let fold = plain_fold(&store);
    let replay = rebuild(store);
    println!(
        "rebuild: {total} events into 3 read models through the engine in {replay:.3} s = {:.0} events/s",
        total as f64 / replay
    );
    println!(
        "baseline: plain fold of the same {total} events into 3 read models in {fold:.3} s = {:.0} events/s",
        total as f64 / fold
    );
    println!(
        "replay rate / plain-fold rate = {:.1}%",
        100.0 * fold / replay
    );
}
