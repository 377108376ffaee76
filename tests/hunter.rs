//! The counterexample hunter: it finds a failure where one exists (a naive projection
//! under duplicate delivery, a failing projection, a lost publication…), shrinks it to a
//! handful of commands that still fail, and finds nothing where the design is sound.

use cqrs_lab::app::hunter::{broken, script_for, Hunt, Phase};
use cqrs_lab::engine::config::ProjectionMode;
use cqrs_lab::engine::knobs::{Knobs, Lag};
use cqrs_lab::store::ProjectionName;

fn hunt(knobs: Knobs, seeds: u64) -> Hunt {
    let mut hunt = Hunt::new(knobs, 1, seeds);
    let mut slices = 0;
    while !hunt.is_done() {
        hunt.work(7);
        slices += 1;
        assert!(slices < 10_000, "the hunt ends");
    }
    hunt
}

fn naive_with_duplicates() -> Knobs {
    Knobs {
        duplicate_percent: 30,
        lag: Lag::LongTail,
        reorder: true,
        modes: [ProjectionMode::Naive; 3],
        ..Knobs::default()
    }
}

#[test]
fn a_naive_projection_under_duplicates_fails_and_shrinks_to_at_most_five_commands() {
    let hunt = hunt(naive_with_duplicates(), 200);
    let Phase::Found { first, shrunk } = hunt.phase() else {
        panic!("a failure is found: {:?}", hunt.phase());
    };
    assert!(
        shrunk.script.len() <= 5,
        "{} commands: {:?} {}",
        shrunk.script.len(),
        shrunk
            .script
            .iter()
            .map(|c| (
                c.at.0,
                c.order_id.to_string(),
                c.command.name(),
                c.command_id.to_string()
            ))
            .collect::<Vec<_>>(),
        shrunk.broken
    );
    assert!(shrunk.script.len() <= first.script.len());
    assert!(!shrunk.script.is_empty());
    // The shrunk case really fails, and says how.
    assert_eq!(
        broken(&shrunk.knobs, shrunk.seed, &shrunk.script).as_deref(),
        Some(shrunk.broken.as_str())
    );
    assert!(shrunk.broken.contains("reads"), "{}", shrunk.broken);
    // The knobs that did not matter were made harmless; duplicates and naivety stay.
    assert!(!shrunk.knobs.reorder);
    assert!(shrunk.knobs.duplicate_percent > 0);
    assert!(shrunk.knobs.modes.contains(&ProjectionMode::Naive));
    // Without duplicates the same script passes: the duplicates are the cause.
    let healed = Knobs {
        duplicate_percent: 0,
        ..shrunk.knobs
    };
    assert_eq!(broken(&healed, shrunk.seed, &shrunk.script), None);
}

#[test]
fn idempotent_projections_with_ordered_partitions_pass_every_seed_under_duplicates() {
    let knobs = Knobs {
        modes: [ProjectionMode::Idempotent; 3],
        reorder: false,
        ..naive_with_duplicates()
    };
    let hunt = hunt(knobs, 150);
    assert_eq!(hunt.phase(), &Phase::Passed);
    assert_eq!(hunt.progress(), (150, 150));
}

#[test]
fn a_failing_projection_is_found_as_dead_letters_and_nothing_else_matters() {
    let knobs = Knobs {
        failing: Some(ProjectionName::RevenuePerDay),
        ..Knobs::default()
    };
    let hunt = hunt(knobs, 20);
    let Phase::Found { first, shrunk } = hunt.phase() else {
        panic!("found");
    };
    assert_eq!(first.seed, 1, "the first seed fails already");
    assert!(shrunk.broken.contains("dead-lettered"), "{}", shrunk.broken);
    assert_eq!(
        shrunk.script.len(),
        1,
        "one event is enough: {:?}",
        shrunk.script
    );
}

#[test]
fn the_hunt_is_deterministic_and_works_in_slices() {
    let a = hunt(naive_with_duplicates(), 200);
    let mut b = Hunt::new(naive_with_duplicates(), 1, 200);
    while !b.is_done() {
        b.work(1);
    }
    assert_eq!(a.phase(), b.phase());
    assert_eq!(a.runs(), b.runs());
    assert_eq!(script_for(9), script_for(9));
    assert_ne!(script_for(9), script_for(10));
}

#[test]
fn generated_scripts_are_valid_journeys() {
    for seed in 0..300 {
        let script = script_for(seed);
        assert!(!script.is_empty());
        assert!(script.windows(2).all(|w| w[0].at <= w[1].at), "time order");
        // With a sound design nothing breaks, whatever the script.
        assert_eq!(
            broken(&Knobs::default(), seed, &script),
            None,
            "seed {seed}"
        );
    }
}

#[test]
fn reordering_across_partitions_is_no_failure_for_idempotent_projections() {
    // An item that arrives before its order is deferred until the order is applied
    // (as a Service Bus receiver defers it), never dead-lettered for waiting: with
    // idempotent projections, reordering alone breaks nothing in 200 seeds.
    let knobs = Knobs {
        modes: [ProjectionMode::Idempotent; 3],
        duplicate_percent: 0,
        ..naive_with_duplicates()
    };
    assert!(knobs.reorder, "reordering on");
    let hunt = hunt(knobs, 200);
    assert_eq!(hunt.phase(), &Phase::Passed, "{:?}", hunt.phase());
}
