#!/usr/bin/env bash
# Time to interactive of the built app (dist/) with an empty store and with 100,000
# stored events, in headless Chromium. Prints the figures. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
ensure_test_tools
trunk build --release
npx --no-install playwright test -c playwright.bench.config.ts
