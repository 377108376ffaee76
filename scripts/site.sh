#!/usr/bin/env bash
# The release build of the static site, in dist/: the workbench (index.html) at the
# root and the scenario page (guide.html) in dist/scenarios/, each with its own wasm;
# each page's first view rendered into its HTML (scripts/prerender.mjs, in Chromium);
# then the parts that depend on both (Content-Security-Policy, service worker, Azure
# Static Web Apps headers, precompressed .gz and .br copies: scripts/postbuild.mjs).
# Source it and call build_site; the
# tools must be on PATH (scripts/ensure-tools.sh).
build_site() {
  trunk build --release
  trunk build guide.html --release --dist dist/scenarios
  node scripts/prerender.mjs dist
  node scripts/postbuild.mjs dist
}
