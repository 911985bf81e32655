#!/usr/bin/env bash
# Sourced by the embedded-Kubernetes scripts: pinned versions and where the build lands.
# The control plane is built once per machine by scripts/setup.d/50-embedded-k8s.sh.
k8s_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export K8S_VERSION=v1.36.3
# etcd as k8s.io/kubernetes pins it (its go.mod requires go.etcd.io/etcd/server/v3 at this version),
# so etcd is built in the same module graph as the API server it serves.
export ETCD_VERSION=v3.6.8
# KWOK 0.8.0 is built against the 0.36 Kubernetes libraries.
export KWOK_VERSION=v0.8.0
export K8S_TOOLS="$k8s_root/.tools/k8s-$K8S_VERSION"
export K8S_BIN="$K8S_TOOLS/bin"
export KWOK_STAGES="$K8S_TOOLS/kwok-stages"
unset k8s_root
