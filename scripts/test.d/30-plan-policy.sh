#!/usr/bin/env bash
# The offline gate CI applies to every change: plan every stack under mocks, then run the
# CrossGuard pack over the plan. A mandatory violation fails the build.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tsx infra/plan/cli.ts --out "$out"
tsx policies/gate/cli.ts --plan "$out"
