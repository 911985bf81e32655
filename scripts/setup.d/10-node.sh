#!/usr/bin/env bash
# Node dependencies exactly as locked, installed by Node 24's npm (scripts/lib/node.sh).
set -euo pipefail
# shellcheck source=scripts/lib/node.sh
source "$(dirname "$0")/../lib/node.sh"
stamp=node_modules/.installed-with
want="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "setup: node_modules is current ($(node --version))"
else
  # hnswlib-node compiles at install: against the headers of the Node that runs it.
  if [ -n "${PROJECT_NODE_HEADERS:-}" ]; then export npm_config_nodedir="$PROJECT_NODE_HEADERS"; fi
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
