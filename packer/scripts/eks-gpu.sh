#!/usr/bin/env bash
# EKS variant only: the node joins through nodeadm (the EKS-optimized base image's own), so this
# checks nodeadm is there and readies the GPU for the kubelet's first start: the NVIDIA modules load
# at boot and persistence mode keeps the driver initialised between pods. containerd's nvidia
# runtime becomes the default at boot: nodeadm does that on GPU instance types when the runtime is here.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS

if [ "$BASE_OS" != "al2023-eks" ]; then
  log "not an EKS image; skipping"
  exit 0
fi
command -v nodeadm >/dev/null || die "nodeadm not found: the base is not an EKS-optimized AL2023 image"
command -v nvidia-container-runtime >/dev/null || die "nvidia-container-runtime not found: the container toolkit step did not run"
printf '%s\n' nvidia nvidia_uvm >/etc/modules-load.d/nvidia.conf
if systemctl list-unit-files nvidia-persistenced.service >/dev/null 2>&1; then
  systemctl enable nvidia-persistenced.service
fi
log "EKS GPU node ready for nodeadm (nodeadm $(nodeadm --version 2>/dev/null || echo unknown))"
