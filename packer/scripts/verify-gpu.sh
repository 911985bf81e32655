#!/usr/bin/env bash
# Fails the build unless the GPU stack works here, on the GPU builder: the driver sees the GPU at
# the expected version, CUDA and cuDNN are the expected versions, a CUDA program runs on the
# device, and a container sees the GPU.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env DRIVER_VERSION CUDA_VERSION CUDNN_VERSION

mm=$(echo "$CUDA_VERSION" | cut -d. -f1,2)
export PATH="/usr/local/cuda-${mm}/bin:$PATH"

gpus=$(nvidia-smi --query-gpu=name --format=csv,noheader | wc -l)
[ "$gpus" -ge 1 ] || die "nvidia-smi sees no GPU"
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n1)
[ "$driver" = "$DRIVER_VERSION" ] || die "driver is $driver, expected $DRIVER_VERSION"

nvcc_version=$(nvcc --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
[ "$nvcc_version" = "$mm" ] || die "nvcc is CUDA $nvcc_version, expected $mm"

header=$(find /usr/include /usr/local/cuda-"$mm"/include -name 'cudnn_version*.h' 2>/dev/null | head -n1)
[ -n "$header" ] || die "cuDNN headers not found"
cudnn=$(awk '/#define CUDNN_MAJOR/ {a=$3} /#define CUDNN_MINOR/ {b=$3} /#define CUDNN_PATCHLEVEL/ {c=$3} END {print a"."b"."c}' "$header")
[ "${CUDNN_VERSION#"$cudnn"}" != "$CUDNN_VERSION" ] || die "cuDNN is $cudnn, expected $CUDNN_VERSION"

work=$(mktemp -d)
nvcc -o "$work/cuda-check" /tmp/cuda-check.cu
"$work/cuda-check" || die "the CUDA check program failed on the device"
rm -rf "$work"

if command -v docker >/dev/null; then
  docker run --rm --gpus all --entrypoint nvidia-smi "nvidia/cuda:${CUDA_VERSION}-base-ubuntu22.04" -L | grep -q '^GPU 0' || die "a container does not see the GPU"
else
  nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml
  nvidia-ctk cdi list | grep -q 'nvidia.com/gpu=0' || die "the container toolkit does not expose the GPU"
fi
log "GPU verified: $gpus GPU(s), driver $driver, CUDA $nvcc_version, cuDNN $cudnn"
