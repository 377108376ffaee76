#!/usr/bin/env bash
# The IndexedDB benchmark in headless Chromium: our store vs raw IndexedDB vs Dexie.
# Prints its figures; asserts nothing about speed. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
ensure_test_tools
# The test runner serves `.mjs` with a non-JavaScript type, so Dexie's ES module is
# handed to it as `.js`.
mkdir -p target/bench-vendor
cp node_modules/dexie/dist/dexie.mjs target/bench-vendor/dexie.js
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=1200
cargo test --release --locked --features idb-bench --target wasm32-unknown-unknown \
  --test idb_bench -- --nocapture 2>&1 | grep -v '^\s*$'
