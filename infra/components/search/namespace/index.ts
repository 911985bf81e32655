/**
 * The `search` namespace and its baseline: PodSecurity `restricted` enforced (and audited and
 * warned, so a rejected controller's pods show up in both), all traffic denied unless a policy
 * allows it, DNS to the cluster's resolver allowed for every pod, and, where a scraper is named,
 * its pods admitted to every pod's ops port (/metrics, probes) and to nothing else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface SearchNamespaceArgs {
  /** Namespace name. */
  name: string;
  /** Kubernetes minor of the cluster (1.33): the PodSecurity standard's version, pinned to it. */
  kubernetesVersion: string;
  /**
   * The metrics scraper (e.g. Prometheus): pods in `namespace` carrying `podLabels` (every pod there when empty)
   * may reach the port named `ops` of every pod here. Omitted: nothing may, the default deny stands.
   */
  metricsScrapers?: MetricsScrapers;
}

export interface MetricsScrapers {
  namespace: string;
  podLabels: Record<string, string>;
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
    if (args.metricsScrapers) {
      const { namespace, podLabels } = args.metricsScrapers;
      new k8s.networking.v1.NetworkPolicy(
        `${name}-metrics`,
        {
          metadata: { name: "allow-metrics-scrape", namespace: args.name },
          spec: {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
              {
                // One peer with both selectors: the scraper's pods in its namespace, not every pod there or anywhere.
                from: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
                    podSelector: { matchLabels: podLabels },
                  },
                ],
                // By name: each service's container declares its ops port as `ops`, whatever its number.
                ports: [{ protocol: "TCP", port: "ops" }],
              },
            ],
          },
        },
        inNamespace,
      );
    }
    this.registerOutputs({ namespace: args.name });
  }
}
