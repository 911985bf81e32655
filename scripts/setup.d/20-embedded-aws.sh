#!/usr/bin/env bash
# The project-local Python virtualenv that holds moto server (the embedded AWS).
set -euo pipefail
bash scripts/embedded-aws/ctl install
