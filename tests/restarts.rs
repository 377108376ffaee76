//! Page restarts as the page does them (`Session::restart_on` on the store's kept
//! projections, head, outbox and newest event), any number of times, with the outbox
//! on or off: event time never runs backwards in global position, and a clock that
//! cannot move says so.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::app::session::{run_in_memory, run_until_in_memory, Session};
use cqrs_lab::domain::ids::{CustomerId, OrderId, VirtualMillis};
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::knobs::{Knobs, Lag};
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::{ClockBlocked, Engine};
use cqrs_lab::store::{MemoryStore, ProjectionName, StoredProjection};
use proptest::prelude::*;

/// A new session on what the store holds, as the page starts one.
fn restart(store: &MemoryStore, knobs: Knobs, seed: u64, n: usize) -> Session {
    let mut session = Session::seeded(&format!("tab{n}"), seed);
    knobs.apply(session.engine_mut());
    let kept: Vec<(ProjectionName, StoredProjection)> = ProjectionName::ALL
        .into_iter()
        .filter_map(|name| Some((name, store.stored_projection(name)?)))
        .collect();
    let newest = store
        .events()
        .last()
        .map_or(VirtualMillis(0), |e| e.recorded_at);
    let restarted = session.restart_on(&kept, store.head(), store.oldest_unpublished(), newest);
    assert_eq!(restarted, Ok(()), "a new session can always resume");
    session
}

fn lag() -> impl Strategy<Value = Lag> {
    prop::sample::select(Lag::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn event_time_never_runs_backwards_across_restarts(
        seed in any::<u64>(),
        outbox in any::<bool>(),
        reorder in any::<bool>(),
        lag in lag(),
        runs in prop::collection::vec((0u64..400, 0u8..3), 1..8),
    ) {
        let knobs = Knobs { outbox, reorder, lag, ..Knobs::default() };
        let mut store = MemoryStore::new();
        let mut session = restart(&store, knobs, seed, 0);
        for (n, (run_for, scripts)) in runs.into_iter().enumerate() {
            for _ in 0..scripts {
                session.run_script();
            }
            let until = VirtualMillis(session.engine().now().0 + run_for);
            run_until_in_memory(&mut session, &mut store, until);
            // The page closes here, whatever is in flight.
            session = restart(&store, knobs, seed, n + 1);
            session.send(
                OrderId::parse(&format!("after-{n}")).expect("valid"),
                OrderCommand::CreateOrder {
                    customer_id: CustomerId::parse("cust-1").expect("valid"),
                    currency: None,
                    personal: None,
                },
            );
        }
        run_in_memory(&mut session, &mut store);
        for pair in store.events().windows(2) {
            prop_assert!(
                pair[0].recorded_at <= pair[1].recorded_at,
                "position {} at {} ms after position {} at {} ms",
                pair[1].global_position, pair[1].recorded_at,
                pair[0].global_position, pair[0].recorded_at
            );
        }
    }
}

#[test]
fn a_clock_that_cannot_move_says_why() {
    let late = ScriptedCommand {
        at: VirtualMillis(50),
        client: ClientId(1),
        command_id: cqrs_lab::domain::ids::CommandId::parse("c-1").expect("valid"),
        correlation_id: cqrs_lab::domain::ids::CorrelationId::parse("k-1").expect("valid"),
        order_id: OrderId::parse("o-1").expect("valid"),
        command: OrderCommand::SubmitOrder,
    };
    let mut engine = Engine::new(EngineConfig::default(), vec![late]);
    let blocked = engine.advance_to(VirtualMillis(100));
    assert_eq!(
        blocked,
        Err(ClockBlocked {
            now: VirtualMillis(0),
            wanted: VirtualMillis(100),
            due: VirtualMillis(50),
        })
    );
    assert_eq!(engine.now(), VirtualMillis(0), "the clock stayed");
    assert_eq!(
        blocked.map_err(|b| b.to_string()),
        Err("virtual time cannot move from 0 ms to 100 ms: a task is due at 50 ms".to_owned())
    );
    assert_eq!(engine.advance_to(VirtualMillis(50)), Ok(()));
    assert_eq!(engine.now(), VirtualMillis(50));
}
