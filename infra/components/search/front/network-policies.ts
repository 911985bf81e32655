/**
 * The front's traffic: it may reach index services on their gRPC port and nowhere else in the
 * namespace; index services admit the front on that port and nothing else; clients reach the front
 * from the configured CIDRs only. The namespace's default deny covers everything not named here.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface FrontNetworkArgs {
  namespace: string;
  frontLabels: Record<string, string>;
  indexLabels: Record<string, string>;
  indexGrpcPort: number;
  httpPort: number;
  clientCidrs: string[];
}

export function frontNetworkPolicies(name: string, args: FrontNetworkArgs, opts: pulumi.CustomResourceOptions): void {
  const grpc = [{ protocol: "TCP", port: args.indexGrpcPort }];
  new k8s.networking.v1.NetworkPolicy(
    `${name}-to-index`,
    {
      metadata: { name: "front-to-index-services", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: args.frontLabels },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: args.indexLabels } }], ports: grpc }],
      },
    },
    opts,
  );
  new k8s.networking.v1.NetworkPolicy(
    `${name}-index-ingress`,
    {
      metadata: { name: "index-services-from-front", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: args.indexLabels },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: args.frontLabels } }], ports: grpc }],
      },
    },
    opts,
  );
  new k8s.networking.v1.NetworkPolicy(
    `${name}-clients`,
    {
      metadata: { name: "front-from-clients", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: args.frontLabels },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: args.clientCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: "TCP", port: args.httpPort }],
          },
        ],
      },
    },
    opts,
  );
}
