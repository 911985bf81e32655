#!/usr/bin/env bash
# The classifier's ONNX model and the labelled photos its accuracy is measured on.
set -euo pipefail
bash scripts/build-model
bash scripts/fetch-datasets
