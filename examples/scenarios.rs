//! For scenario authors: runs every scenario of `static/scenarios.json` (each variant)
//! and prints what the lab shows at each step, to check the steps' text against it.
//! `cargo run --example scenarios [id]`

use cqrs_lab::domain::ids::VirtualMillis;
use cqrs_lab::scenarios::library::Library;
use cqrs_lab::scenarios::run::Run;
use cqrs_lab::store::ProjectionName;

fn main() {
    let library = match Library::parse_with_questions(
        include_str!("../static/scenarios.json"),
        include_str!("../static/questions.json"),
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let only = std::env::args().nth(1);
    for s in &library.scenarios {
        if only.as_ref().is_some_and(|id| *id != s.id) {
            continue;
        }
        for v in 0..s.variants.len().max(1) {
            println!("\n=== {} · variant {}", s.title, v + 1);
            let mut run = Run::new(s.lab_of(v));
            for (i, step) in s.steps.iter().enumerate() {
                run.advance_to(VirtualMillis(step.at));
                if let Some(saga) = run.saga() {
                    println!("-- step {} at {} ms: {}", i + 1, step.at, step.title);
                    let view = cqrs_lab::app::saga_view::SagaView::of(saga);
                    for i in &view.instances {
                        let steps: Vec<String> = i
                            .steps
                            .iter()
                            .map(|(s, st)| format!("{s}={}", st.label()))
                            .collect();
                        println!(
                            "   {} {} paid {} · {}",
                            i.order_id,
                            i.phase,
                            i.net_charged,
                            steps.join(" · ")
                        );
                    }
                    println!(
                        "   stock {:?} · {:?} · violations {:?}",
                        view.stock, view.counts_of_run, view.violations
                    );
                    if std::env::var("HOPS").is_ok() && i + 1 == s.steps.len() {
                        for r in saga.log() {
                            println!("   {} {} {}", r.at.0, r.stream, r.fact.event_type());
                        }
                    }
                    continue;
                }
                let sim = run.sim();
                let m = sim.engine.metrics();
                println!("-- step {} at {} ms: {}", i + 1, step.at, step.title);
                println!(
                    "   store {} events · accepted {} rejected {} refused {} dup-cmd {} conflicts {} · published {} applied {} ignored {} dead {} · queued cmds {:?}",
                    sim.store.head().0, m.commands_accepted, m.commands_rejected, m.commands_refused,
                    m.commands_duplicate, m.conflicts, m.events_published, m.applied, m.ignored,
                    m.dead_lettered, sim.engine.queue_depths()
                );
                for name in ProjectionName::ALL {
                    if let Some(p) = sim.engine.projection(name) {
                        let wrong = p.divergence(sim.store.events()).len();
                        println!(
                            "   {:?} cp {} wrong {} rows {:?}",
                            name,
                            p.checkpoint().0,
                            wrong,
                            p.model().rows()
                        );
                    }
                }
                for (at, note) in run.notes() {
                    println!("   note at {}: {note}", at.0);
                }
            }
            let hops: Vec<String> = run
                .sim()
                .engine
                .trace()
                .hops()
                .filter(|h| h.at.0 <= s.steps.last().map_or(0, |l| l.at))
                .map(|h| format!("{}:{:?}", h.at.0, h.kind))
                .collect();
            if std::env::var("HOPS").is_ok() {
                for h in hops {
                    println!("   {h}");
                }
            }
        }
    }
}
