//! Guards ARCHITECTURE.md's invariants: the core names no browser crate, clock or
//! randomness, and browser crates are wasm32-only dependencies.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

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
