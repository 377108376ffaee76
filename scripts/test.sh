#!/usr/bin/env bash
# Installs what is missing, then runs every check and test suite of CQRS Lab:
# formatting, clippy (native and wasm32), native tests, browser tests in headless
# Chromium (wasm-bindgen-test), Playwright end-to-end tests against dist/, the load
# budget, and a Lighthouse audit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-tools.sh
source scripts/site.sh
ensure_test_tools

export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT=60
logs="$(mktemp -d)"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Sums the "N passed" of cargo's "test result:" lines or Playwright's closing line.
passed() { grep -oE "$2" "$1" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native)"
cargo clippy --locked --all-targets -- -D warnings

step "cargo clippy (wasm32)"
cargo clippy --locked --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests (cargo test)"
cargo test --locked 2>&1 | tee "$logs/native.log"

step "browser tests (wasm-bindgen-test in headless Chromium)"
cargo test --locked --target wasm32-unknown-unknown --test browser --test golden_json --test idb_store 2>&1 |
  tee "$logs/wasm.log"

step "release build (trunk: the workbench, then the scenario page)"
build_site

step "load budget (each page's first load after gzip: the page with its inlined stylesheet and first view, wasm, JS and, for the scenario page, the scenarios it fetches; at most 400 KB = 400,000 bytes)"
for page in dist dist/scenarios; do
  total=0
  first=("$page"/index.html "$page"/*.wasm "$page"/*.js)
  if [ "$page" = dist/scenarios ]; then first+=("$page/scenarios.json"); fi
  for f in "${first[@]}"; do
    size=$(gzip -9 -c "$f" | wc -c)
    printf '  %-55s %8d bytes raw, %7d gzip\n' "${f#dist/}" "$(wc -c <"$f")" "$size"
    total=$((total + size))
  done
  echo "  ${page#dist}/ total after gzip: $total bytes"
  if [ "$total" -gt 400000 ]; then
    echo "${page} is over the 400 KB budget" >&2
    exit 1
  fi
done

step "end-to-end tests (Playwright, Debian's Chromium)"
npx --no-install playwright test 2>&1 | tee "$logs/e2e.log"

step "Lighthouse, both pages served gzipped (desktop: performance, accessibility, best practices each at least 95; mobile: largest paint within 1.2 s, bars in scripts/lighthouse.mjs)"
node scripts/lighthouse.mjs

native=$(passed "$logs/native.log" 'test result: ok\. [0-9]+ passed')
wasm=$(passed "$logs/wasm.log" 'test result: ok\. [0-9]+ passed')
e2e=$(passed "$logs/e2e.log" '^ *[0-9]+ passed')
if [ "$wasm" -eq 0 ] || [ "$e2e" -eq 0 ] || [ "$native" -eq 0 ]; then
  echo "A suite ran no test (native $native, wasm $wasm, e2e $e2e)" >&2
  exit 1
fi
printf '\nnative: %s passed, wasm (headless Chromium): %s passed, e2e (Playwright): %s passed\n' \
  "$native" "$wasm" "$e2e"
echo "total: $((native + wasm + e2e)) passed, 0 failed"
