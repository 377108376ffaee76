//! "Run script" after a reload: the number it takes is one whose orders the stored log
//! does not hold, found in a few reads.
#![cfg(not(target_arch = "wasm32"))]

use cqrs_lab::app::script_number::ScriptSearch;
use cqrs_lab::app::session::{script_orders, Session};
use cqrs_lab::store::MemoryStore;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Runs the search against a set of used numbers; the number found and the reads made.
fn search(from: u64, used: &BTreeSet<u64>) -> (u64, usize) {
    let mut search = ScriptSearch::from(from);
    let mut reads = 0;
    while let Some(number) = search.probe() {
        reads += 1;
        assert!(reads < 200, "the search does not end");
        search.answer(number, used.contains(&number));
    }
    (search.found().expect("an answer once probes end"), reads)
}

#[test]
fn an_empty_log_takes_the_number_asked_in_one_read() {
    assert_eq!(search(1, &BTreeSet::new()), (1, 1));
    assert_eq!(search(7, &BTreeSet::new()), (7, 1));
}

#[test]
fn after_a_reload_the_first_number_past_the_stored_run_is_taken() {
    let used: BTreeSet<u64> = (1..=1_000).collect();
    let (found, reads) = search(1, &used);
    assert_eq!(found, 1_001);
    assert!(reads <= 2 * 11, "{reads} reads for 1,000 stored scripts");
}

proptest! {
    #[test]
    fn the_number_found_is_free_and_not_below_the_start(
        from in 1u64..50,
        run in 0u64..3_000,
        scattered in proptest::collection::btree_set(1u64..5_000, 0..20),
    ) {
        // Scripts numbered in order (a run from 1), and a few numbers another tab took.
        let used: BTreeSet<u64> = (1..=run).chain(scattered).collect();
        let (found, _) = search(from, &used);
        prop_assert!(found >= from);
        prop_assert!(!used.contains(&found));
        // With nothing scattered past the run, it is the first free number.
        if used.iter().all(|n| *n <= run) {
            prop_assert_eq!(found, from.max(run + 1));
        }
    }
}

#[test]
fn a_script_numbered_past_a_stored_log_is_accepted_whole() {
    let mut store = MemoryStore::new();
    let mut first = Session::new("tab-one");
    first.run_script();
    cqrs_lab::app::session::run_in_memory(&mut first, &mut store);
    let stored = store.events().len();
    assert!(stored > 0);
    // A reloaded page starts counting at 1 again: its first script would reuse the
    // orders of the stored one, and every command would be refused.
    let mut second = Session::new("tab-two");
    assert_eq!(second.next_script(), 1);
    let used: BTreeSet<u64> = (1..=5)
        .filter(|n| {
            script_orders(*n)
                .iter()
                .any(|order| store.stream_version(order).0 > 0)
        })
        .collect();
    let (next, _) = search(second.next_script(), &used);
    assert_eq!(next, 2);
    second.number_scripts_from(next);
    let [a, b] = second.run_script();
    assert_eq!(
        [a.as_str(), b.as_str()],
        script_orders(2).each_ref().map(|o| o.as_str())
    );
    cqrs_lab::app::session::run_in_memory(&mut second, &mut store);
    let outcomes = second.take_outcomes();
    assert!(!outcomes.is_empty());
    // The script's one deliberate rejection aside, every command was accepted.
    let refused: Vec<String> = outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .map(|o| o.describe())
        .collect();
    assert!(
        refused.iter().all(|r| !r.contains("already exists")),
        "{refused:?}"
    );
    assert!(store.events().len() > stored);
}
