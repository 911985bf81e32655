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
  # hnswlib-node compiles at install (node-gyp), against the headers of the Node that runs it; offline
  # node-gyp cannot download them. npm 11 warns about every `npm_config_<key>` it does not know,
  # nodedir included, so the headers go to node-gyp through its own prefix
  # (npm_package_config_node_gyp_<key>, which node-gyp prefers), and a nodedir from the user's npm
  # config, which would name another Node's headers, is not handed on.
  if [ -n "${PROJECT_NODE_HEADERS:-}" ]; then
    export npm_package_config_node_gyp_nodedir="$PROJECT_NODE_HEADERS"
    unset npm_config_nodedir
  fi
  # npm 11 still reads a nodedir from the user's own npm config and warns about it on every
  # command; say once where it comes from, since only its owner can remove it.
  userconfig=${npm_config_userconfig:-$HOME/.npmrc}
  if grep -qs '^ *nodedir *=' "$userconfig"; then
    echo "setup: $userconfig sets nodedir, which npm 11 no longer knows (hence its warning); the project hands node-gyp the headers itself, so the line can go" >&2
  fi
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
