#!/usr/bin/env bash
# Adds NVIDIA's CUDA package repository, trusting only its known signing key (fingerprint pinned).
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS

# NVIDIA's CUDA repository signing key (3bf863cc, "cudatools <cudatools@nvidia.com>").
readonly KEY_FPR="EB693B3035CD5710E231E123A4B469963BF863CC"

if is_ubuntu; then
  repo="https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64"
  keyring=/usr/share/keyrings/nvidia-cuda.gpg
  if [ ! -s "$keyring" ]; then
    tmp=$(mktemp -d)
    curl -fsSL "$repo/3bf863cc.pub" -o "$tmp/key.pub"
    got=$(gpg --show-keys --with-colons "$tmp/key.pub" | awk -F: '/^fpr/ {print $10; exit}')
    [ "$got" = "$KEY_FPR" ] || die "NVIDIA repository key fingerprint $got is not the pinned $KEY_FPR"
    gpg --dearmor <"$tmp/key.pub" >"$keyring"
    rm -rf "$tmp"
  fi
  echo "deb [signed-by=$keyring] $repo /" >/etc/apt/sources.list.d/nvidia-cuda.list
  apt-get update -y
  pkg_install gcc make "linux-headers-$(uname -r)" dkms
else
  repo="https://developer.download.nvidia.com/compute/cuda/repos/amzn2023/x86_64"
  rpm --import "$repo/D42D0685.pub"
  dnf config-manager --add-repo "$repo/cuda-amzn2023.repo"
  dnf install -y 'dnf-command(versionlock)' gcc make dkms "kernel-devel-$(uname -r)" "kernel-modules-extra-$(uname -r)"
fi
log "NVIDIA repository configured"
