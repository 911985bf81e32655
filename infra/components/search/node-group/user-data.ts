/**
 * nodeadm user data for nodes on the platform's own EKS AMI (a custom AMI: EKS then writes no
 * bootstrap of its own). nodeadm joins the node from the cluster facts given here, without calling
 * the EKS API. On GPU instance types nodeadm itself makes the NVIDIA container runtime (installed
 * by the Packer build) containerd's default, which the device plugin needs.
 */
import { stringify } from "yaml";

export interface NodeadmCluster {
  name: string;
  endpoint: string;
  /** Base64 PEM of the cluster CA. */
  certificateAuthority: string;
  /** The Service CIDR. */
  serviceCidr: string;
}

export interface NodeTaint {
  key: string;
  value: string;
  /** As the EKS API spells it. */
  effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE";
}

const KUBELET_EFFECT: Record<NodeTaint["effect"], string> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

const BOUNDARY = "ml-platform-nodeadm";

/** The MIME multi-part document EC2 hands to nodeadm (content type application/node.eks.aws). */
export function nodeadmUserData(cluster: NodeadmCluster, labels: Record<string, string>, taints: NodeTaint[]): string {
  const flags: string[] = [];
  const labelList = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  if (labelList.length > 0) flags.push(`--node-labels=${labelList.join(",")}`);
  // Registered tainted from the start: no window in which a CPU pod lands on a GPU node before EKS taints it.
  if (taints.length > 0)
    flags.push(
      `--register-with-taints=${taints.map((t) => `${t.key}=${t.value}:${KUBELET_EFFECT[t.effect]}`).join(",")}`,
    );
  const nodeConfig = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: {
      cluster: {
        name: cluster.name,
        apiServerEndpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority,
        cidr: cluster.serviceCidr,
      },
      kubelet: { flags },
    },
  };
  return [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    "",
    `--${BOUNDARY}`,
    "Content-Type: application/node.eks.aws",
    "",
    "---",
    stringify(nodeConfig).trimEnd(),
    "",
    `--${BOUNDARY}--`,
    "",
  ].join("\n");
}
