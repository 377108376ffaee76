#!/usr/bin/env bash
# Installs what is missing, then builds and serves CQRS Lab at http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-tools.sh
ensure_build_tools
echo "Serving CQRS Lab at http://127.0.0.1:8080/ (Ctrl+C to stop)"
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}"
