#!/usr/bin/env bash
# The CloudWatch agent with GPU metrics (per GPU index) and CPU per core (resources "*": one busy core
# must not hide in the all-core average): the idle check reads utilisation and memory of each.
set -euo pipefail
# shellcheck source=packer/scripts/lib.sh
source "$(dirname "$0")/lib.sh"
require_env BASE_OS

if [ ! -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
  if is_ubuntu; then
    tmp=$(mktemp -d)
    curl -fsSL https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb -o "$tmp/cwa.deb"
    curl -fsSL https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb.sig -o "$tmp/cwa.deb.sig"
    curl -fsSL https://amazoncloudwatch-agent.s3.amazonaws.com/assets/amazon-cloudwatch-agent.gpg -o "$tmp/cwa.gpg"
    gpg --import "$tmp/cwa.gpg"
    gpg --verify "$tmp/cwa.deb.sig" "$tmp/cwa.deb" || die "CloudWatch agent package signature does not verify"
    dpkg -i "$tmp/cwa.deb"
    rm -rf "$tmp"
  else
    pkg_install amazon-cloudwatch-agent
  fi
fi
install -d /opt/aws/amazon-cloudwatch-agent/etc
cat >/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'JSON'
{
  "agent": { "metrics_collection_interval": 60 },
  "metrics": {
    "namespace": "MLPlatform/GPU",
    "append_dimensions": { "InstanceId": "${aws:InstanceId}" },
    "metrics_collected": {
      "nvidia_gpu": {
        "measurement": ["utilization_gpu", "utilization_memory", "memory_used", "memory_total", "temperature_gpu", "power_draw"],
        "metrics_collection_interval": 60
      },
      "cpu": { "measurement": ["usage_active"], "resources": ["*"], "totalcpu": true }
    }
  }
}
JSON
systemctl enable amazon-cloudwatch-agent
log "CloudWatch agent configured with nvidia_gpu metrics"
