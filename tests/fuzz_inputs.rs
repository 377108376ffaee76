//! The importer (both formats) and the share-link decoder under mutated input, in the
//! test build (overflow checks on): every input is answered, none panics. The test
//! command runs 100,000 inputs per target; `cargo run --profile fuzz --example fuzz`
//! runs any count and seed (see the README).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/fuzz.rs"]
mod fuzz;

use fuzz::{fuzz_import, fuzz_links};

/// Inputs per target in the test command.
const COUNT: u64 = 100_000;

#[test]
fn no_mutated_import_panics() {
    let found = fuzz_import(COUNT, 0x1a90);
    assert!(found.panics.is_empty(), "panicked on: {:?}", found.panics);
    assert_eq!(found.tried, COUNT);
    assert!(found.accepted > 0, "some mutations keep the file valid");
}

#[test]
fn no_mutated_share_link_panics() {
    let found = fuzz_links(COUNT, 0x11ce);
    assert!(found.panics.is_empty(), "panicked on: {:?}", found.panics);
    assert_eq!(found.tried, COUNT);
    assert!(found.accepted > 0, "some mutations keep the link valid");
}

/// Found by the fuzzer: a saga order the Order aggregate would reject (a unit price
/// over $1,000,000) passed the lab's check, then tripped an assertion in the run.
#[test]
fn a_saga_order_the_aggregate_would_reject_is_refused_by_the_lab_check() {
    use cqrs_lab::domain::money::Cents;
    use cqrs_lab::scenarios::library::Library;
    let library = Library::parse(include_str!("../static/scenarios.json")).expect("valid");
    let scenario = library
        .scenarios
        .iter()
        .find(|s| s.lab.saga.is_some())
        .expect("a saga scenario");
    let mut lab = scenario.lab.clone();
    if let Some(saga) = lab.saga.as_mut() {
        saga.orders[0].unit_price = Cents(2_147_483_648);
    }
    let refused = lab.check().map_err(|e| e.to_string());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("would be rejected") && e.contains("unit price")),
        "{refused:?}"
    );
}
