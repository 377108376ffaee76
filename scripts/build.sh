#!/usr/bin/env bash
# Installs what is missing, then writes the release build of CQRS Lab to dist/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-tools.sh
source scripts/site.sh
ensure_build_tools
build_site
echo "Built dist/: copy it to any static host."
