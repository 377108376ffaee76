#!/usr/bin/env bash
# Installs what is missing, then builds and serves CQRS Lab at http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-tools.sh
source scripts/site.sh
ensure_build_tools
# Both pages (the workbench and scenarios/) come from one site build, so the site is
# built and served as it will be deployed.
build_site
echo "Serving CQRS Lab at http://127.0.0.1:${PORT:-8080}/ (Ctrl+C to stop)"
exec python3 -m http.server "${PORT:-8080}" --bind 127.0.0.1 --directory dist
