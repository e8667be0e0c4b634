#!/usr/bin/env bash
# Re-fetches the vendored NL Design System CSS of the default theme from npm.
#
#   themes/update-vendor.sh           reinstall the pinned versions, rebuild the bundle
#   themes/update-vendor.sh --latest  move every package to its newest version first
#
# Writes themes/default/static/utrecht-components.css, themes/default/VENDORED.md
# and themes/default/licenses/EUPL-1.2.md (see themes/vendor/bundle.mjs).
# Needs node and npm; the binary embeds the result at the next cargo build.
set -euo pipefail
cd "$(dirname "$0")/vendor"
if [ "${1:-}" = "--latest" ]; then
  mapfile -t pkgs < <(node -p 'Object.keys(require("./package.json").dependencies).map(p => p + "@latest").join("\n")')
  npm install --ignore-scripts --save-exact --no-audit --no-fund "${pkgs[@]}"
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--latest]" >&2
  exit 2
else
  npm ci --ignore-scripts --no-audit --no-fund
fi
node bundle.mjs
