#!/usr/bin/env bash
# Shared helpers for the provisioning scripts (sourced, not run).

log() { printf '[gpu-ami] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_env() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || die "environment variable $name is required"
  done
}

is_ubuntu() { [ "${BASE_OS}" = "ubuntu22" ]; }

pkg_install() {
  if is_ubuntu; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  else
    dnf install -y "$@"
  fi
}

# Refuses a package once installed at another version: reruns converge, they never drift.
hold() {
  if is_ubuntu; then apt-mark hold "$@" >/dev/null; else dnf versionlock add "$@" >/dev/null 2>&1 || true; fi
}
