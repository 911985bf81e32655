#!/usr/bin/env bash
# The embedded Kubernetes control plane, built once per machine from the Go module proxy into
# .tools/k8s-<version>/: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and
# KWOK, plus KWOK's stage files. scripts/embedded-k8s/ctl runs them on 127.0.0.1.
#
# k8s.io/kubernetes replaces its ./staging modules in its own go.mod, so `go install mod@version`
# refuses it. The build happens in a wrapper main module generated here: it requires
# k8s.io/kubernetes and repeats each of those replaces against the published staging module
# (k8s.io/X v0.<minor>.<patch>), then builds the commands. Nothing of it is committed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/embedded-k8s/env.sh
source "$here/embedded-k8s/env.sh"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
stages=(node/fast node/heartbeat-with-lease pod/fast)

built() {
  local b s
  for b in "${binaries[@]}"; do [ -x "$K8S_BIN/$b" ] || return 1; done
  for s in "${stages[@]}"; do compgen -G "$KWOK_STAGES/${s//\//-}/*.yaml" >/dev/null || return 1; done
}

if built; then
  echo "setup: embedded Kubernetes $K8S_VERSION (etcd $ETCD_VERSION, kwok $KWOK_VERSION) in $K8S_TOOLS"
  exit 0
fi

mkdir -p "$K8S_TOOLS"
# .tools is shared by every checkout on the machine: one build at a time, the others wait for it.
exec 9>"$K8S_TOOLS.lock"
flock 9
if built; then
  echo "setup: embedded Kubernetes $K8S_VERSION built by another checkout meanwhile"
  exit 0
fi

export CGO_ENABLED=0 GOFLAGS="-mod=mod -trimpath -buildvcs=false"
# The proxy can fetch a newer toolchain a dependency asks for; k8s 1.36 needs Go >= 1.26.0.
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

moddir() { go mod download -json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Dir"] if "Dir" in d else sys.exit(d.get("Error", "no Dir")))'; }
gomod() { go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])'; }

# --- Kubernetes and etcd: one wrapper module -------------------------------------------------
minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
staging="v0.${K8S_VERSION#v1.}"
k8s_gomod=$(gomod "k8s.io/kubernetes@$K8S_VERSION")
{
  echo "module embedded-k8s"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$k8s_gomod")"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes $K8S_VERSION"
  echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  echo ")"
  echo
  echo "replace ("
  # Every `k8s.io/X => ./staging/src/k8s.io/X` becomes `k8s.io/X => k8s.io/X <staging version>`;
  # the sample modules are not needed and some of their versions are not served.
  awk '$2 == "=>" && $3 ~ /^\.\/staging\// && $1 !~ /^k8s.io\/sample-/ { print "\t" $1 " => " $1 " '"$staging"'" }' "$k8s_gomod"
  echo ")"
} >"$work/go.mod"
cat >"$work/tools.go" <<'EOF'
//go:build tools

// Records the commands built from this module so `go mod tidy` keeps their dependencies.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
echo "setup: resolving k8s.io/kubernetes $K8S_VERSION ($(grep -c ' => ' "$work/go.mod") staging modules at $staging) and etcd $ETCD_VERSION"
(cd "$work" && go mod tidy)
t_mod=$(date +%s)

# Without these the binaries report v0.0.0-master.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
echo "setup: building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and etcd"
(cd "$work" && go build -ldflags "$ldflags" -o "$work/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
(cd "$work" && go build -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3)
t_k8s=$(date +%s)

# --- KWOK: its own module has no replaces, so a plain install works ------------------------------
echo "setup: building kwok $KWOK_VERSION"
GOBIN="$work/bin" go install -ldflags "-s -w" \
  "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
kwok_src=$(moddir "sigs.k8s.io/kwok@$KWOK_VERSION")
mkdir -p "$work/stages"
for s in "${stages[@]}"; do
  mkdir -p "$work/stages/${s//\//-}"
  for f in "$kwok_src/kustomize/stage/$s/"*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] || cp "$f" "$work/stages/${s//\//-}/"
  done
done
chmod -R u+w "$work/stages"
t_kwok=$(date +%s)

mkdir -p "$K8S_BIN"
rm -rf "$KWOK_STAGES"
mv "$work/stages" "$KWOK_STAGES"
for b in "${binaries[@]}"; do mv -f "$work/bin/$b" "$K8S_BIN/$b"; done
cp "$work/go.mod" "$K8S_TOOLS/wrapper.go.mod"

echo "setup: timings: modules $((t_mod - start)) s, kubernetes + etcd $((t_k8s - t_mod)) s, kwok $((t_kwok - t_k8s)) s, total $((t_kwok - start)) s"
"$K8S_BIN/kube-apiserver" --version
# sed reads the whole output: `head` would close the pipe early, and under pipefail a SIGPIPE fails setup.
"$K8S_BIN/etcd" --version | sed -n 1p
echo "setup: kwok $("$K8S_BIN/kwok" --version 2>&1 | sed -n 1p)"
