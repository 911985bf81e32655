/**
 * The `search` namespace and its baseline: PodSecurity `restricted` enforced (and audited and
 * warned, so a rejected controller's pods show up in both), all traffic denied unless a policy
 * allows it, and DNS to the cluster's resolver allowed for every pod.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface SearchNamespaceArgs {
  /** Namespace name. */
  name: string;
  /** Kubernetes minor of the cluster (1.33): the PodSecurity standard's version, pinned to it. */
  kubernetesVersion: string;
}

export class SearchNamespace extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  /** The namespace name, known before deployment (objects in it are named statically). */
  readonly name: string;

  constructor(name: string, args: SearchNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SearchNamespace", name, {}, opts);
    const child = { parent: this };
    this.name = args.name;
    const version = `v${args.kubernetesVersion}`;
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
      labels[`pod-security.kubernetes.io/${mode}`] = "restricted";
      labels[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    this.namespace = new k8s.core.v1.Namespace(name, { metadata: { name: args.name, labels } }, child);
    const inNamespace = { ...child, dependsOn: [this.namespace] };
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: { name: "default-deny", namespace: args.name },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      inNamespace,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-dns`,
      {
        metadata: { name: "allow-dns", namespace: args.name },
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
              ],
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
          ],
        },
      },
      inNamespace,
    );
    this.registerOutputs({ namespace: args.name });
  }
}
