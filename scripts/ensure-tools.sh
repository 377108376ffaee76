#!/usr/bin/env bash
# Installs, when missing, every tool the build and the tests need, and nothing else.
# Idempotent: each step checks first, so a second run takes a second or two.
# Sourced by scripts/serve.sh and scripts/test.sh (it also exports PATH additions).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"     # 0.22 needs rustc >= 1.96.1 (see shared/TOOLCHAIN.md)
BINARYEN_VERSION="132"      # must match Trunk.toml [tools] wasm_opt = "version_132"

log() { printf '\033[1m[ensure-tools]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$ROOT/Cargo.lock"
}

ensure_rust_target() {
  if ! rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    log "adding rustup target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      log "adding rustup component $component"
      rustup component add "$component"
    fi
  done
}

ensure_trunk() {
  if trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then return; fi
  log "installing trunk $TRUNK_VERSION (several minutes on a cold machine)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if [ -z "$want" ]; then
    log "Cargo.lock has no wasm-bindgen entry; run 'cargo generate-lockfile' first" >&2
    exit 1
  fi
  if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want" &&
     command -v wasm-bindgen-test-runner >/dev/null; then return; fi
  # --locked fails for 0.2.130: a pinned dependency is missing from the registry.
  log "installing wasm-bindgen-cli $want (about 2.5 minutes)"
  CARGO_PROFILE_RELEASE_LTO=off cargo install wasm-bindgen-cli --version "$want" --force
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  log "installing Debian's chromium and chromium-driver"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
}

ensure_node_modules() {
  # package-lock.json pins playwright-core and binaryen; reinstall only when it changed.
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/package-lock.json" ] &&
     [ -x "$ROOT/node_modules/.bin/wasm-opt" ]; then return; fi
  log "installing node packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
}

ensure_build_tools() {
  ensure_rust_target
  ensure_node_modules
  ensure_trunk
  ensure_wasm_bindgen
  # The build renders each page's first view in Chromium (scripts/prerender.mjs).
  ensure_chromium
  # Trunk uses the wasm-opt on PATH only when its version matches Trunk.toml.
  export PATH="$ROOT/node_modules/.bin:$PATH"
  if ! wasm-opt --version | grep -q "version $BINARYEN_VERSION"; then
    log "wasm-opt on PATH is not binaryen $BINARYEN_VERSION" >&2
    exit 1
  fi
}

ensure_test_tools() {
  ensure_build_tools
}
