//! A seeded mutation fuzzer for the lab's text inputs: the import (the lab's envelopes
//! and Cosmos DB documents) and the share-link decoder. Each input is a valid one with
//! one to four mutations: numbers swapped for integer boundaries, years and dates
//! pushed out of range, bytes flipped, slices deleted, repeated or spliced. Whatever the
//! input, the reader must answer (accept or refuse), never panic; what it accepts is
//! folded and run a little further, which must not panic either. Used by
//! `tests/fuzz_inputs.rs` (a count the test command affords) and `examples/fuzz.rs`
//! (100,000 and more per target).
#![allow(dead_code)]

use cqrs_lab::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, VirtualMillis};
use cqrs_lab::domain::money::{Cents, Currency};
use cqrs_lab::domain::order::OrderCommand;
use cqrs_lab::domain::privacy::{KeyVault, Personal};
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::truth::StoreFold;
use cqrs_lab::engine::Engine;
use cqrs_lab::scenarios::library::Library;
use cqrs_lab::scenarios::link::{decode, encode, Shared};
use cqrs_lab::scenarios::run::Run;
use cqrs_lab::store::transfer::{export_cosmos, export_json, import_json};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Numbers at and around the integer boundaries a reader may meet.
const BOUNDARIES: [&str; 24] = [
    "0",
    "-1",
    "1",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e308",
    "0.5",
    "-0",
    "253402300800000",
];

/// Years at the edges of what a date may hold.
const YEARS: [&str; 10] = [
    "0000",
    "1969",
    "1970",
    "9999",
    "10000",
    "4294967296",
    "18446744073709551616",
    "-1",
    "+2025",
    "584554049",
];

/// A small splitmix64: the fuzzer needs no more, and its runs repeat by seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// The byte ranges of the numbers in a text (digits with an optional leading minus).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = if i > 0 && bytes[i - 1] == b'-' {
                i - 1
            } else {
                i
            };
            let mut end = i;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            found.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// The nearest char boundary at or before `i`.
fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One mutation of a text.
pub fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_owned();
    let len = out.len();
    match rng.below(8) {
        0 | 1 => {
            let found = numbers(&out);
            if let Some(&(start, end)) = found.get(rng.below(found.len())) {
                let with = BOUNDARIES[rng.below(BOUNDARIES.len())];
                out.replace_range(start..end, with);
            }
        }
        2 => {
            // A year: four digits followed by '-'.
            let years: Vec<usize> = out
                .match_indices('-')
                .map(|(i, _)| i)
                .filter(|&i| i >= 4 && out.as_bytes()[i - 4..i].iter().all(u8::is_ascii_digit))
                .collect();
            if let Some(&i) = years.get(rng.below(years.len())) {
                out.replace_range(i - 4..i, YEARS[rng.below(YEARS.len())]);
            }
        }
        3 => {
            let i = boundary(&out, rng.below(len + 1));
            let j = boundary(&out, i + rng.below(16));
            out.replace_range(i..j, "");
        }
        4 => {
            let i = boundary(&out, rng.below(len + 1));
            let j = boundary(&out, i + rng.below(64));
            let piece = out[i..j].to_owned();
            let at = boundary(&out, rng.below(len + 1));
            out.insert_str(at, &piece);
        }
        5 => {
            let i = boundary(&out, rng.below(len + 1));
            let pick = [
                "\"", "{", "}", "[", "]", ",", ":", "null", "\\u0000", "é", "\u{202e}",
            ];
            out.insert_str(i, pick[rng.below(pick.len())]);
        }
        6 => {
            let i = boundary(&out, rng.below(len));
            let j = boundary(&out, i + 1 + rng.below(4));
            if i < j {
                let flipped: String = out[i..j]
                    .bytes()
                    .map(|b| char::from((b ^ (1 << rng.below(7))) & 0x7f))
                    .collect();
                out.replace_range(i..j, &flipped);
            }
        }
        _ => {
            // A string value replaced by a long or an empty one.
            let quotes: Vec<usize> = out.match_indices('"').map(|(i, _)| i).collect();
            if quotes.len() >= 2 {
                let k = rng.below(quotes.len() - 1);
                let (i, j) = (quotes[k] + 1, quotes[k + 1]);
                let with = if rng.below(2) == 0 {
                    String::new()
                } else {
                    "x".repeat(300)
                };
                out.replace_range(i..j, &with);
            }
        }
    }
    out
}

/// One to four mutations.
pub fn mutated(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_owned();
    for _ in 0..=rng.below(4) {
        out = mutate(&out, rng);
    }
    out
}

/// A valid log to start from: orders with items, payments, a v2 creation with a
/// currency, sealed personal data, a cancellation.
pub fn sample_log() -> Simulation {
    let mut vault = KeyVault::new(5);
    let customer = CustomerId::parse("cust-1").expect("valid");
    let personal = Personal::parse("Ana", "1 Main St")
        .expect("valid")
        .expect("given");
    let commands = [
        OrderCommand::CreateOrder {
            customer_id: customer.clone(),
            currency: None,
            personal: Some(vault.seal(&customer, &personal).expect("sealed")),
        },
        OrderCommand::AddItem {
            product_id: cqrs_lab::domain::ids::ProductId::parse("p-1").expect("valid"),
            product_name: "Thing".into(),
            unit_price: Cents(1250),
            quantity: 2,
        },
        OrderCommand::SubmitOrder,
        OrderCommand::ReceivePayment {
            amount: Cents(2500),
            payment_method: "card".into(),
            transaction_id: "t-1".into(),
        },
        OrderCommand::CreateOrder {
            customer_id: customer,
            currency: Some(Currency::usd()),
            personal: None,
        },
        OrderCommand::CancelOrder {
            reason: "changed mind".into(),
            cancelled_by: "customer".into(),
        },
    ];
    let script = commands.into_iter().enumerate().map(|(i, command)| {
        let order = if i < 4 { "o-1" } else { "o-2" };
        ScriptedCommand {
            at: VirtualMillis(i as u64 * 1_000),
            client: ClientId(1),
            command_id: CommandId::numbered("cmd", i as u64),
            correlation_id: CorrelationId::numbered("corr", i as u64),
            order_id: OrderId::parse(order).expect("valid"),
            command,
        }
    });
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), script));
    sim.run_to_idle(10_000);
    sim
}

/// What a fuzz run found: inputs tried, accepted, and the first panic's input.
#[derive(Debug, Default)]
pub struct Found {
    /// Inputs tried.
    pub tried: u64,
    /// Inputs the reader accepted.
    pub accepted: u64,
    /// Inputs that panicked (the first few kept).
    pub panics: Vec<String>,
}

fn guard(found: &mut Found, input: &str, f: impl FnOnce() -> bool) {
    found.tried += 1;
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(true) => found.accepted += 1,
        Ok(false) => {}
        Err(_) => {
            if found.panics.len() < 5 {
                found.panics.push(input.chars().take(2_000).collect());
            }
        }
    }
}

/// Imports `count` mutations of a valid export in each format.
pub fn fuzz_import(count: u64, seed: u64) -> Found {
    let sim = sample_log();
    let events = sim.store.events();
    let bases = [export_json(events), export_cosmos(events), {
        // A plain Cosmos DB export: no positions, so they come from the times.
        let mut docs: serde_json::Value =
            serde_json::from_str(&export_cosmos(events)).expect("valid");
        if let Some(docs) = docs.as_array_mut() {
            for d in docs.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                d.remove("globalPosition");
            }
        }
        docs.to_string()
    }];
    let mut rng = Rng::new(seed);
    let mut found = Found::default();
    for n in 0..count {
        let input = mutated(&bases[n as usize % bases.len()], &mut rng);
        guard(&mut found, &input, || match import_json(&input) {
            Ok(events) => {
                let shared: Vec<_> = events.into_iter().map(std::rc::Rc::new).collect();
                StoreFold::of(&shared).head().0 == shared.len() as u64
            }
            Err(e) => {
                // Its message is built too: that must not panic either.
                let _ = e.to_string();
                false
            }
        });
    }
    found
}

/// Decodes `count` mutations of valid share links (the JSON mutated then encoded, or
/// the encoded text mutated); a lab that decodes runs its first second.
pub fn fuzz_links(count: u64, seed: u64) -> Found {
    let library = Library::parse(include_str!("../../static/scenarios.json")).expect("valid");
    let links: Vec<String> = (0..library.scenarios.len())
        .map(|i| {
            let scenario = &library.scenarios[i];
            let lab = scenario.lab_of(0);
            serde_json::to_string(&Shared::new(&scenario.id, 0, 1, lab)).expect("valid")
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut found = Found::default();
    for n in 0..count {
        let json = &links[n as usize % links.len()];
        let fragment = if rng.below(4) == 0 {
            mutated(
                &encode(&serde_json::from_str(json).expect("valid")),
                &mut rng,
            )
        } else {
            use base64::Engine as _;
            format!(
                "lab={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mutated(json, &mut rng))
            )
        };
        guard(&mut found, &fragment, || match decode(&fragment) {
            Some(Ok(shared)) => {
                let mut run = Run::new(shared.lab);
                run.advance_to(VirtualMillis(1_000));
                true
            }
            Some(Err(e)) => {
                let _ = e.to_string();
                false
            }
            None => false,
        });
    }
    found
}
