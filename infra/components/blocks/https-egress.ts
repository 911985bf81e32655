/**
 * A NetworkPolicy that lets the selected pods open HTTPS connections (AWS APIs, S3, the Kubernetes
 * API) and nothing else beyond what other policies allow; the instance metadata address is
 * excluded, so a pod cannot reach the node's credentials even where the hop limit would let it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const IMDS_CIDR = "169.254.169.254/32";

export interface HttpsEgressArgs {
  namespace: string;
  /** The NetworkPolicy's name. */
  name: string;
  /** Labels the allowed pods carry. */
  podLabels: Record<string, string>;
}

export class HttpsEgress extends pulumi.ComponentResource {
  readonly policy: k8s.networking.v1.NetworkPolicy;

  constructor(name: string, args: HttpsEgressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:HttpsEgress", name, {}, opts);
    this.policy = new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
          podSelector: { matchLabels: args.podLabels },
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [IMDS_CIDR] } }],
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        },
      },
      { parent: this },
    );
    this.registerOutputs({ policy: args.name });
  }
}
