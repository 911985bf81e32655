#!/usr/bin/env bash
# Sourced by the Packer scripts: the project-local Packer toolchain, built from the Go module
# proxy by scripts/setup.d/40-packer.sh, with plugins and config kept out of $HOME.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PACKER_VERSION=v1.14.3
export PACKER_AMAZON_VERSION=v1.3.2
export PACKER_TOOLS="$root/.tools/packer-$PACKER_VERSION"
export PACKER_BIN="$PACKER_TOOLS/bin/packer"
export PACKER_PLUGIN_PATH="$PACKER_TOOLS/plugins"
export PACKER_CONFIG_DIR="$PACKER_TOOLS/config"
export CHECKPOINT_DISABLE=1
