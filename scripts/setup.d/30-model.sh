#!/usr/bin/env bash
# The labelled photos, then the classifier's ONNX model (its food head is trained on them).
set -euo pipefail
bash scripts/fetch-datasets
bash scripts/build-model
