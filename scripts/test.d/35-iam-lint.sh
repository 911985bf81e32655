#!/usr/bin/env bash
# Parliament over every policy document of every stack's offline plan; a finding fails unless
# scripts/iam-lint/allow-list.json lists it with its reason.
set -euo pipefail
[ -x .venv/bin/parliament ] || bash scripts/setup.d/25-iam-lint.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tsx infra/plan/cli.ts --out "$out" >/dev/null
tsx scripts/iam-lint/run.ts --plan "$out" --parliament .venv/bin/parliament
