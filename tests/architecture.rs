//! Guards ARCHITECTURE.md's invariants: the core names no browser crate, clock or
//! randomness, browser crates are wasm32-only dependencies, and the layers point one
//! way: domain → collections → store → engine → scenarios → app → web. Each source
//! file's `crate::…` and `super::…` paths are read; a file may use its own layer and the
//! layers below it, never one above, and no files depend on each other in a circle. A
//! failure names the files.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const LAYERS: [&str; 7] = [
    "domain",
    "collections",
    "store",
    "engine",
    "scenarios",
    "app",
    "web",
];

type Module = Vec<String>;

/// Every module file under `src/` (the binaries' and the crate's roots aside), by its path.
fn modules(dir: &Path, path: &[String], found: &mut BTreeMap<Module, String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            let mut sub = path.to_vec();
            sub.push(name);
            modules(&p, &sub, found);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let mut module = path.to_vec();
            if path.is_empty() && matches!(stem, "lib" | "main" | "guide_main") {
                continue;
            }
            if stem != "mod" {
                module.push(stem.to_owned());
            }
            let text = fs::read_to_string(&p).unwrap_or_default();
            found.insert(module, text);
        }
    }
}

/// The source without its comments (a doc comment may name any path).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b`, `super::c` (with braces opened a level).
fn paths(text: &str) -> Vec<(bool, Vec<String>)> {
    let code = code(text);
    let mut out = Vec::new();
    for (start, lead) in [("crate::", true), ("super::", false)] {
        for (at, _) in code.match_indices(start) {
            if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            {
                continue;
            }
            let rest = &code[at + start.len()..];
            let mut segments = Vec::new();
            let mut supers = 0;
            let mut s = rest;
            while let Some(r) = s.strip_prefix("super::") {
                supers += 1;
                s = r;
            }
            loop {
                let ident: String = s
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if ident.is_empty() {
                    if let Some(inner) = s.strip_prefix('{') {
                        let group = &inner[..inner.find('}').unwrap_or(inner.len())];
                        for item in group.split(',') {
                            let first: String = item
                                .trim()
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            if !first.is_empty() {
                                let mut p = vec!["super".to_owned(); supers];
                                p.extend(segments.iter().cloned());
                                p.push(first);
                                out.push((lead, p));
                            }
                        }
                    }
                    break;
                }
                s = &s[ident.len()..];
                segments.push(ident);
                match s.strip_prefix("::") {
                    Some(r) => s = r,
                    None => break,
                }
            }
            if !segments.is_empty() && !s.starts_with('{') {
                let mut p = vec!["super".to_owned(); supers];
                p.extend(segments);
                out.push((lead, p));
            }
        }
    }
    out
}

/// The module file a path names: its longest prefix that is one.
fn resolve(
    from: &Module,
    crate_path: bool,
    path: &[String],
    known: &BTreeMap<Module, String>,
) -> Option<Module> {
    let mut base: Module = if crate_path {
        Vec::new()
    } else {
        // `super` of a file is its folder's module; of a `mod.rs`, the one above.
        let mut b = from.clone();
        b.pop();
        b
    };
    let mut rest = path;
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    let mut full = base;
    full.extend(rest.iter().cloned());
    (1..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|m| known.contains_key(m))
}

fn layer(m: &Module) -> usize {
    m.first()
        .and_then(|f| LAYERS.iter().position(|l| l == f))
        .unwrap_or(usize::MAX)
}

/// The module's file, as a reader would look for it.
fn file(m: &Module, known: &BTreeMap<Module, String>) -> String {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(m.join("/"));
    match (known.contains_key(m), folder.join("mod.rs").exists()) {
        (_, true) => format!("src/{}/mod.rs", m.join("/")),
        _ => format!("src/{}.rs", m.join("/")),
    }
}

/// Which module files each one uses.
fn graph() -> (BTreeMap<Module, String>, BTreeMap<Module, BTreeSet<Module>>) {
    let mut known = BTreeMap::new();
    modules(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &[],
        &mut known,
    );
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, text) in &known {
        let used = edges.entry(m.clone()).or_default();
        for (crate_path, p) in paths(text) {
            if let Some(target) = resolve(m, crate_path, &p, &known) {
                // A module and the folder module holding it are one unit.
                if target != *m && !m.starts_with(&target) {
                    used.insert(target);
                }
            }
        }
    }
    (known, edges)
}

#[test]
fn no_file_uses_a_layer_above_its_own() {
    let (known, edges) = graph();
    assert!(known.len() > 50, "found {} modules", known.len());
    let mut upward = Vec::new();
    for (m, used) in &edges {
        for t in used {
            if layer(t) > layer(m) {
                upward.push(format!("{} uses {}", file(m, &known), file(t, &known)));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "upward dependencies:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_files_depend_on_each_other_in_a_circle() {
    let (known, edges) = graph();
    let mut circles = Vec::new();
    for (m, used) in &edges {
        for t in used {
            // A path back from t to m closes a circle.
            let mut seen = BTreeSet::new();
            let mut stack = vec![(t.clone(), vec![t.clone()])];
            while let Some((at, trail)) = stack.pop() {
                if at == *m {
                    let names: Vec<String> = std::iter::once(m)
                        .chain(&trail)
                        .map(|x| file(x, &known))
                        .collect();
                    circles.push(names.join(" → "));
                    break;
                }
                if !seen.insert(at.clone()) {
                    continue;
                }
                for next in edges.get(&at).into_iter().flatten() {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    circles.sort();
    circles.dedup();
    assert!(
        circles.is_empty(),
        "circular dependencies:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_sees_uses_in_every_form() {
    let text = "use crate::engine::sim::Simulation;\nuse super::{lab, library::Library};\nfn f() { crate::domain::ids::OrderId::new(); }\n// crate::web::x in a comment\n";
    let found: Vec<String> = paths(text)
        .into_iter()
        .map(|(c, p)| format!("{}{}", if c { "crate::" } else { "super::" }, p.join("::")))
        .collect();
    assert_eq!(
        found,
        vec![
            "crate::engine::sim::Simulation",
            "crate::domain::ids::OrderId::new",
            "super::lab",
            "super::library",
        ]
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_core_uses_no_browser_crate_clock_or_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = [
        "yew",
        "web_sys",
        "js_sys",
        "wasm_bindgen",
        "gloo",
        "std::time",
        "Instant",
        "SystemTime",
        "thread_rng",
        // Hashing is fine for lookups, but only through `collections` (fixed hasher).
        "HashMap",
        "HashSet",
        "RandomState",
    ];
    for folder in ["domain", "app", "engine", "store", "scenarios"] {
        for file in rust_files(&root.join(folder)) {
            let text = fs::read_to_string(&file).expect("readable file");
            for word in forbidden {
                assert!(
                    !text.contains(word),
                    "{} mentions `{word}`: the core must stay pure",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn browser_crates_are_wasm32_only_dependencies() {
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("readable Cargo.toml");
    let (shared, _) = manifest
        .split_once("[target.")
        .expect("target-specific sections follow the shared ones");
    for krate in ["yew", "web-sys", "wasm-bindgen", "js-sys", "gloo"] {
        assert!(
            !shared.contains(&format!("\n{krate} =")),
            "{krate} must be under [target.'cfg(target_arch = \"wasm32\")'.dependencies]"
        );
    }
}
