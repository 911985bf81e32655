#!/usr/bin/env bash
# ECS variant only: turn on the agent's GPU support so tasks can reserve GPUs.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS

if [ "$BASE_OS" != "al2023" ]; then
  log "not an ECS image; skipping"
  exit 0
fi
install -d /etc/ecs
touch /etc/ecs/ecs.config
grep -q '^ECS_ENABLE_GPU_SUPPORT=true$' /etc/ecs/ecs.config || echo 'ECS_ENABLE_GPU_SUPPORT=true' >>/etc/ecs/ecs.config
log "ECS GPU support enabled"
