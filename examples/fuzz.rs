//! Fuzzes the importer (both formats) and the share-link decoder with mutated input:
//! `cargo run --profile fuzz --example fuzz [inputs per target] [seed]` (default
//! 100,000 and 1). The `fuzz` profile keeps overflow checks on; a panic is counted and
//! its input printed, and the exit status is 1 if any.

#[path = "../tests/support/fuzz.rs"]
mod fuzz;

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let count = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    // Panics are caught and reported below; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for (name, run) in [
        (
            "import (envelopes, Cosmos DB documents)",
            fuzz::fuzz_import as fn(u64, u64) -> fuzz::Found,
        ),
        ("share links", fuzz::fuzz_links),
    ] {
        let started = Instant::now();
        let found = run(count, seed);
        println!(
            "{name}: {} inputs, {} accepted, {} panics, {:.1} s",
            found.tried,
            found.accepted,
            found.panics.len(),
            started.elapsed().as_secs_f64()
        );
        for input in &found.panics {
            println!("  panicked on: {input}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
