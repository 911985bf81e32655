#!/usr/bin/env bash
# A current Packer and its amazon plugin, built from source through the Go module proxy into
# .tools/ (Debian's packer 1.6.6 predates required_plugins), plus shellcheck for the scripts.
# Both modules carry `replace` directives, so `go install pkg@version` refuses them: each is
# built inside its own module source, where its go.mod applies in full.
set -euo pipefail
# shellcheck source=scripts/packer-env.sh
source "$(dirname "$0")/../packer-env.sh"

build() { # module version output
  local module=$1 version=$2 out=$3 dir src
  dir=$(GOFLAGS=-mod=mod go mod download -json "$module@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  src=$(mktemp -d)
  cp -r "$dir/." "$src"
  chmod -R u+w "$src"
  (cd "$src" && GOFLAGS="-mod=mod -trimpath" go build -ldflags="-s -w" -o "$out" .)
  rm -rf "$src"
}

# The proxy serves these modules but not their checksum-database entries.
export GONOSUMDB="github.com/hashicorp/packer,github.com/hashicorp/packer-plugin-amazon,github.com/nywilken/go-cty"
export GOFLAGS=-buildvcs=false
mkdir -p "$PACKER_TOOLS/bin"
if [ ! -x "$PACKER_BIN" ]; then
  echo "setup: building packer $PACKER_VERSION from the Go module proxy"
  build github.com/hashicorp/packer "$PACKER_VERSION" "$PACKER_BIN"
fi
plugin="$PACKER_TOOLS/bin/packer-plugin-amazon"
if [ ! -x "$plugin" ]; then
  echo "setup: building packer-plugin-amazon $PACKER_AMAZON_VERSION"
  build github.com/hashicorp/packer-plugin-amazon "$PACKER_AMAZON_VERSION" "$plugin"
fi
if ! "$PACKER_BIN" plugins installed 2>/dev/null | grep -q "amazon_${PACKER_AMAZON_VERSION}_"; then
  "$PACKER_BIN" plugins install --path "$plugin" github.com/hashicorp/amazon
fi
echo "setup: $("$PACKER_BIN" version | sed -n 1p), amazon plugin $PACKER_AMAZON_VERSION"

if ! command -v shellcheck >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi
