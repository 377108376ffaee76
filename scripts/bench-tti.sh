#!/usr/bin/env bash
# Time to interactive of the built app (dist/) with an empty store and with 100,000
# stored events, in headless Chromium. Prints the figures. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
source scripts/site.sh
ensure_test_tools
build_site
npx --no-install playwright test -c playwright.bench.config.ts
