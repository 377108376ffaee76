//! Read models against the truth: every row is a function of the stored events taken in
//! global-position order, whatever order the bus delivered them in. The truth here is
//! this file's own fold of the stored events (it shares no code with the projections).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use cqrs_lab::app::diagram::DiagramView;
use cqrs_lab::domain::envelope::SharedEvent;
use cqrs_lab::domain::ids::{CustomerId, GlobalPosition, OrderId, VirtualMillis};
use cqrs_lab::domain::money::Cents;
use cqrs_lab::domain::order::{OrderCommand, OrderEvent, OrderStatus};
use cqrs_lab::domain::privacy::{KeyVault, Personal, Sealed};
use cqrs_lab::engine::config::{EngineConfig, LagDistribution, ProjectionMode};
use cqrs_lab::engine::projection::DAY_MS;
use cqrs_lab::engine::script::ScriptedCommand;
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::truth::{RowState, StoreFold};
use cqrs_lab::engine::Engine;
use cqrs_lab::store::{ProjectionName, StoredLine, StoredRow};
use proptest::prelude::*;

#[path = "support/faults.rs"]
mod knobs;
use knobs::{bus_faults, heal};
use std::collections::BTreeMap;
use support::*;

/// Orders created per customer and the sealed data of the newest (greatest position)
/// creation that carried some, folded straight from the stored events.
fn customers_by_fold(events: &[SharedEvent]) -> BTreeMap<CustomerId, (u64, Option<Sealed>)> {
    let mut sorted: Vec<&SharedEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.global_position);
    let mut rows: BTreeMap<CustomerId, (u64, Option<Sealed>)> = BTreeMap::new();
    for e in sorted {
        if let OrderEvent::OrderCreated {
            customer_id,
            personal,
            ..
        } = &e.event
        {
            let row = rows.entry(customer_id.clone()).or_default();
            row.0 += 1;
            if let Some(p) = personal {
                row.1 = Some(Sealed::clone(p));
            }
        }
    }
    rows
}

fn sealed_create(vault: &mut KeyVault, name: &str) -> OrderCommand {
    let personal = Personal::parse(name, "1 Main Street")
        .expect("valid")
        .expect("given");
    OrderCommand::CreateOrder {
        customer_id: customer(),
        currency: None,
        personal: Some(vault.seal(&customer(), &personal).expect("sealed")),
    }
}

/// The issue's repro: the Azure profile's lag (uniform 10–200 ms) with per-partition
/// order, two orders of one customer created 6 ms apart, each carrying a name.
fn two_named_orders(seed: u64) -> Simulation {
    let mut vault = KeyVault::new(seed);
    let script: Vec<ScriptedCommand> = vec![
        scripted(59, 1, "c-5", "o-5", sealed_create(&mut vault, "Ana Five")),
        scripted(65, 2, "c-6", "o-6", sealed_create(&mut vault, "Ana Six")),
    ];
    let mut config = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    config.bus.lag = LagDistribution::Uniform(VirtualMillis(10), VirtualMillis(200));
    config.bus.ordered_partitions = true;
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_to_idle(100_000);
    sim
}

#[test]
fn a_customer_row_keeps_the_name_of_the_order_stored_last_whatever_was_delivered_last() {
    for seed in 0..200 {
        let sim = two_named_orders(seed);
        let truth = customers_by_fold(sim.store.events());
        let projection = sim
            .engine
            .projection(ProjectionName::OrdersPerCustomer)
            .expect("a projection");
        let rows = projection.model().stored_rows();
        let shown: BTreeMap<CustomerId, (u64, Option<Sealed>)> = rows
            .into_iter()
            .filter_map(|row| match row {
                StoredRow::Customer {
                    customer_id,
                    orders,
                    personal,
                    ..
                } => Some((customer_id, (orders, personal))),
                _ => None,
            })
            .collect();
        assert_eq!(shown, truth, "seed {seed}");
    }
}

/// Every read model as this file folds it from the stored events (position order,
/// each once), row by row: the summary, the customers and the days.
fn fold_rows(events: &[SharedEvent]) -> BTreeMap<String, StoredRow> {
    let mut sorted: Vec<&SharedEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.global_position);
    let mut orders: BTreeMap<OrderId, (Option<OrderStatus>, Vec<StoredLine>)> = BTreeMap::new();
    let mut days: BTreeMap<u64, i64> = BTreeMap::new();
    for e in &sorted {
        let (status, lines) = orders.entry(e.stream_id.clone()).or_default();
        match &e.event {
            OrderEvent::OrderCreated { .. } => *status = Some(OrderStatus::Draft),
            OrderEvent::ItemAdded {
                product_id,
                unit_price,
                quantity,
                ..
            } => match lines.iter_mut().find(|l| l.product_id == *product_id) {
                Some(line) => line.quantity += u64::from(*quantity),
                None => lines.push(StoredLine {
                    product_id: product_id.clone(),
                    unit_price: *unit_price,
                    quantity: u64::from(*quantity),
                }),
            },
            OrderEvent::ItemRemoved { product_id } => lines.retain(|l| l.product_id != *product_id),
            OrderEvent::OrderSubmitted { .. } => *status = Some(OrderStatus::Submitted),
            OrderEvent::PaymentReceived { amount, .. } => {
                *status = Some(OrderStatus::Paid);
                *days.entry(e.recorded_at.0 / DAY_MS).or_default() += amount.0;
            }
            OrderEvent::OrderShipped { .. } => *status = Some(OrderStatus::Shipped),
            OrderEvent::OrderCancelled { .. } => *status = Some(OrderStatus::Cancelled),
        }
    }
    let mut rows = BTreeMap::new();
    for (order_id, (status, mut lines)) in orders {
        lines.sort_by(|a, b| a.product_id.cmp(&b.product_id));
        let row = StoredRow::Order {
            order_id,
            status,
            currency: None,
            lines,
        };
        rows.insert(format!("summary/{}", row.key().label()), row);
    }
    let mut personal_at: BTreeMap<CustomerId, GlobalPosition> = BTreeMap::new();
    for e in &sorted {
        if let OrderEvent::OrderCreated {
            customer_id,
            personal: Some(_),
            ..
        } = &e.event
        {
            personal_at.insert(customer_id.clone(), e.global_position);
        }
    }
    for (customer_id, (orders, personal)) in customers_by_fold(events) {
        let row = StoredRow::Customer {
            personal_at: personal_at.get(&customer_id).copied().unwrap_or_default(),
            customer_id,
            orders,
            personal,
        };
        rows.insert(format!("customers/{}", row.key().label()), row);
    }
    for (day, revenue) in days {
        let row = StoredRow::Day {
            day,
            revenue: Cents(revenue),
        };
        rows.insert(format!("days/{}", row.key().label()), row);
    }
    rows
}

/// The prefix `fold_rows` gives a projection's rows.
fn prefix(name: ProjectionName) -> &'static str {
    match name {
        ProjectionName::OrderSummary => "summary/",
        ProjectionName::OrdersPerCustomer => "customers/",
        ProjectionName::RevenuePerDay => "days/",
    }
}

fn command() -> impl Strategy<Value = (u8, u8, OrderCommand)> {
    let command = prop_oneof![
        2 => (0u8..2, any::<bool>()).prop_map(|(c, named)| OrderCommand::CreateOrder {
            customer_id: CustomerId::parse(&format!("cust-{c}")).expect("valid"),
            currency: None,
            // Sealed in `script` (the key needs the vault).
            personal: named.then(|| Sealed {
                key_id: CustomerId::parse(&format!("cust-{c}")).expect("valid"),
                nonce: String::new(),
                ciphertext: String::new(),
            }),
        }),
        4 => (0u8..3, 1i64..3).prop_map(|(p, quantity)| OrderCommand::AddItem {
            product_id: product(&format!("p{p}")),
            product_name: "Thing".into(),
            unit_price: Cents(100),
            quantity,
        }),
        1 => (0u8..3).prop_map(|p| OrderCommand::RemoveItem { product_id: product(&format!("p{p}")) }),
        2 => Just(OrderCommand::SubmitOrder),
        2 => (1i64..7).prop_map(|n| pay(n * 100)),
        1 => Just(OrderCommand::CancelOrder { reason: "r".into(), cancelled_by: "t".into() }),
    ];
    (0u8..5, 0u8..3, command)
}

/// Commands over five orders of two customers from three clients, the creations with
/// a name sealed for real.
fn script() -> impl Strategy<Value = Vec<ScriptedCommand>> {
    prop::collection::vec((0u64..300, command()), 1..40).prop_map(|rows| {
        let mut vault = KeyVault::new(11);
        rows.into_iter()
            .enumerate()
            .map(|(i, (at, (order, client, command)))| {
                let command = match command {
                    OrderCommand::CreateOrder {
                        customer_id,
                        personal: Some(_),
                        currency,
                    } => {
                        let name = Personal::parse(&format!("Name {i}"), "1 Main St")
                            .expect("valid")
                            .expect("given");
                        OrderCommand::CreateOrder {
                            personal: Some(vault.seal(&customer_id, &name).expect("sealed")),
                            customer_id,
                            currency,
                        }
                    }
                    other => other,
                };
                scripted(
                    at,
                    u32::from(client),
                    &format!("c-{i}"),
                    &format!("o-{order}"),
                    command,
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whatever the lag, duplicates, reordering, failures and crashes: once healed,
    /// every idempotent read model equals the fold of the store row by row, and the
    /// view flags a row current exactly when it equals the fold (any model).
    #[test]
    fn healed_idempotent_read_models_equal_the_fold_and_the_view_says_which_rows_do(
        seed in any::<u64>(),
        bus in bus_faults(),
        script in script(),
        crash_at in prop::option::of(0u64..300),
    ) {
        let config = EngineConfig { seed, bus, outbox: true, ..EngineConfig::default() };
        let mut sim = Simulation::new(Engine::new(config, script));
        if let Some(t) = crash_at {
            sim.run_until(VirtualMillis(t));
            sim.engine.crash();
            sim.engine.recover();
        }
        sim.run_to_idle(1_000_000);
        heal(&mut sim);
        let truth = fold_rows(sim.store.events());
        let view = DiagramView::of(
            &sim.engine,
            VirtualMillis(100),
            sim.store.events(),
            &StoreFold::of(sim.store.events()),
        );
        for projection in sim.engine.projections() {
            let prefix = prefix(projection.name);
            let model: BTreeMap<String, StoredRow> = projection
                .model()
                .sorted_rows()
                .into_iter()
                .map(|row| (format!("{prefix}{}", row.key().label()), row))
                .collect();
            let expected: BTreeMap<String, StoredRow> = truth
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if projection.mode == ProjectionMode::Idempotent {
                prop_assert_eq!(&model, &expected, "{:?}", projection.name);
            }
            let lane = view.lanes.iter().find(|l| l.name == projection.name).expect("a lane");
            for check in &lane.checks {
                let key = format!("{prefix}{}", check.key);
                let equal = model.get(&key) == expected.get(&key);
                prop_assert_eq!(
                    check.state == RowState::Current,
                    equal,
                    "{:?} {:?}", projection.name, check
                );
                prop_assert!(
                    matches!(check.state, RowState::Current | RowState::Wrong),
                    "healed, nothing is stale: {:?}", check
                );
            }
        }
    }
}

#[test]
fn divergence_ignores_lag_and_the_fold_of_the_whole_log_does_not() {
    let mut config = EngineConfig::default();
    config.bus.lag = LagDistribution::Fixed(VirtualMillis(500));
    let script = vec![create_order(0, "c-1", "o-1")];
    let mut sim = Simulation::new(Engine::new(config, script));
    sim.run_until(VirtualMillis(100));
    let summary = sim
        .engine
        .projection(ProjectionName::OrderSummary)
        .expect("a projection");
    assert!(
        summary.divergence(sim.store.events()).is_empty(),
        "it applied nothing wrong"
    );
    let fold = StoreFold::of(sim.store.events());
    assert_eq!(
        fold.differing_rows(summary).len(),
        1,
        "o-1 is not there yet"
    );
    sim.run_to_idle(10_000);
    let summary = sim
        .engine
        .projection(ProjectionName::OrderSummary)
        .expect("a projection");
    assert!(StoreFold::of(sim.store.events())
        .differing_rows(summary)
        .is_empty());
}

#[test]
fn the_fold_reads_past_a_record_set_aside_and_counts_it() {
    let sim = two_named_orders(1);
    let events = sim.store.events();
    let mut fold = StoreFold::new();
    // Position 1 unreadable: a reader of the store gets 2 onwards.
    fold.extend_over_gaps(&events[1..]);
    assert_eq!(fold.head(), sim.store.head());
    assert_eq!(fold.left_out(), 1);
    // Events handed on as they are appended never skip: a gap stops them.
    let mut waiting = StoreFold::new();
    assert!(!waiting.extend(&events[1..]));
    assert_eq!(waiting.head(), GlobalPosition(0));
}

#[test]
fn a_customer_row_saved_before_positions_were_kept_reads_as_current() {
    let sim = two_named_orders(3);
    let fold = StoreFold::of(sim.store.events());
    let projection = sim
        .engine
        .projection(ProjectionName::OrdersPerCustomer)
        .expect("a projection");
    // The row as an older build saved it: no personalAt.
    let saved: Vec<StoredRow> = projection
        .model()
        .sorted_rows()
        .into_iter()
        .map(|row| match row {
            StoredRow::Customer {
                customer_id,
                orders,
                personal,
                ..
            } => StoredRow::Customer {
                customer_id,
                orders,
                personal,
                personal_at: GlobalPosition(0),
            },
            other => other,
        })
        .collect();
    let mut old = cqrs_lab::engine::projection::ReadModel::empty(ProjectionName::OrdersPerCustomer);
    for row in saved {
        old.restore_row(row);
    }
    let key = cqrs_lab::store::RowKey::Customer(customer());
    assert!(old.same_row(fold.model(ProjectionName::OrdersPerCustomer, false), &key));
}
