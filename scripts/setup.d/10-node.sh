#!/usr/bin/env bash
# Node dependencies exactly as locked. onnxruntime-node's CUDA download stays off (.npmrc and env).
set -euo pipefail
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "setup: node_modules is current"
else
  npm ci --no-audit --no-fund
fi
