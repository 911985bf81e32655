#!/usr/bin/env bash
# Parliament (IAM policy linter) in the project virtualenv, for scripts/test.d/35-iam-lint.sh.
set -euo pipefail
venv=.venv
req=scripts/iam-lint/requirements.txt
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.iam-lint.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$want" >"$stamp"
fi
echo "iam-lint: $("$venv/bin/parliament" --version 2>&1 | tail -1) in $venv"
