#!/usr/bin/env bash
# Packer templates and provisioning scripts, offline: formatting, `packer validate` of every
# combination with the current Packer and amazon plugin, the version matrix, and shellcheck.
set -euo pipefail
# shellcheck source=scripts/packer-env.sh
source "$(dirname "$0")/../packer-env.sh"

"$PACKER_BIN" fmt -check -diff -recursive packer/
tsx packer/matrix.ts >/dev/null
for vars in packer/versions/*.pkrvars.hcl; do
  echo "validate $(basename "$vars")"
  "$PACKER_BIN" validate -var-file="$vars" -var skip_credential_validation=true packer/
done
shellcheck -x packer/scripts/*.sh scripts/packer-build scripts/packer-env.sh scripts/setup scripts/with-node scripts/test scripts/run scripts/lib/*.sh scripts/setup.d/*.sh scripts/test.d/*.sh
