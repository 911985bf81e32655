#!/usr/bin/env bash
# Installs the CUDA toolkit of the combination (nvcc included, for the build-time check).
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS CUDA_VERSION

mm=$(echo "$CUDA_VERSION" | cut -d. -f1,2)
pkg="cuda-toolkit-${mm/./-}"
if [ -x "/usr/local/cuda-${mm}/bin/nvcc" ]; then
  log "CUDA $mm already installed"
else
  if is_ubuntu; then pkg_install "${pkg}=${CUDA_VERSION}-1"; else pkg_install "${pkg}-${CUDA_VERSION}"; fi
  hold "$pkg"
fi
cat >/etc/profile.d/cuda.sh <<PROFILE
export PATH=/usr/local/cuda-${mm}/bin:\${PATH}
export LD_LIBRARY_PATH=/usr/local/cuda-${mm}/lib64\${LD_LIBRARY_PATH:+:\${LD_LIBRARY_PATH}}
PROFILE
log "CUDA $CUDA_VERSION ready"
