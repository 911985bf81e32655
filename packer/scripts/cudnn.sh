#!/usr/bin/env bash
# Installs cuDNN built for the combination's CUDA major version.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS CUDA_VERSION CUDNN_VERSION

cuda_major=${CUDA_VERSION%%.*}
cudnn_major=${CUDNN_VERSION%%.*}
if is_ubuntu; then
  pkg_install "cudnn${cudnn_major}-cuda-${cuda_major}=${CUDNN_VERSION}-1" "libcudnn${cudnn_major}-cuda-${cuda_major}=${CUDNN_VERSION}-1" \
    "libcudnn${cudnn_major}-dev-cuda-${cuda_major}=${CUDNN_VERSION}-1"
  hold "cudnn${cudnn_major}-cuda-${cuda_major}" "libcudnn${cudnn_major}-cuda-${cuda_major}"
else
  pkg_install "cudnn${cudnn_major}-cuda-${cuda_major}-${CUDNN_VERSION}"
  hold "cudnn${cudnn_major}-cuda-${cuda_major}"
fi
log "cuDNN $CUDNN_VERSION ready"
