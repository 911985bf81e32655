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
    // Namespace-wide policies: every pod here, one direction each.
    type Rules = Pick<k8s.types.input.networking.v1.NetworkPolicySpec, "ingress" | "egress">;
    const everyPod = (suffix: string, policy: string, policyTypes: string[], rules: Rules = {}) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${suffix}`,
        { metadata: { name: policy, namespace: args.name }, spec: { podSelector: {}, policyTypes, ...rules } },
        inNamespace,
      );
    /** Pods of namespace `ns` that carry `podLabels`: one peer with both selectors, not either alone. */
    const podsIn = (ns: string, podLabels: Record<string, string>) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
      podSelector: { matchLabels: podLabels },
    });
    everyPod("default-deny", "default-deny", ["Ingress", "Egress"]);
    everyPod("dns", "allow-dns", ["Egress"], {
      egress: [
        {
          to: [podsIn("kube-system", { "k8s-app": "kube-dns" })],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
    if (args.metricsScrapers) {
      const { namespace, podLabels } = args.metricsScrapers;
      everyPod("metrics", "allow-metrics-scrape", ["Ingress"], {
        // By name: each service's container declares its ops port as `ops`, whatever its number.
        ingress: [{ from: [podsIn(namespace, podLabels)], ports: [{ protocol: "TCP", port: "ops" }] }],
      });
    }
    this.registerOutputs({ namespace: args.name });
  }
}
