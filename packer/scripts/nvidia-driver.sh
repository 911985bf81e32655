#!/usr/bin/env bash
# Installs the NVIDIA driver at exactly the combination's version and holds it there.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS DRIVER_VERSION DRIVER_BRANCH

if command -v nvidia-smi >/dev/null && [ "$(cat /sys/module/nvidia/version 2>/dev/null)" = "$DRIVER_VERSION" ]; then
  log "driver $DRIVER_VERSION already installed"
  exit 0
fi
if is_ubuntu; then
  pkg_install "cuda-drivers-${DRIVER_BRANCH}=${DRIVER_VERSION}-1"
  hold "cuda-drivers-${DRIVER_BRANCH}"
else
  dnf module install -y "nvidia-driver:${DRIVER_BRANCH}-dkms"
  hold nvidia-driver
fi
log "driver $DRIVER_VERSION installed (reboot follows)"
