#!/usr/bin/env bash
# Installs the NVIDIA container toolkit and wires it into the container runtime(s) present.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS NCT_VERSION

if is_ubuntu; then
  pkg_install "nvidia-container-toolkit=${NCT_VERSION}-1" "nvidia-container-toolkit-base=${NCT_VERSION}-1" docker.io
else
  pkg_install "nvidia-container-toolkit-${NCT_VERSION}"
fi
hold nvidia-container-toolkit
if command -v docker >/dev/null; then
  nvidia-ctk runtime configure --runtime=docker
  systemctl restart docker
fi
if command -v containerd >/dev/null; then
  nvidia-ctk runtime configure --runtime=containerd
  systemctl restart containerd || true
fi
log "container toolkit $NCT_VERSION ready"
