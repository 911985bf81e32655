/**
 * The front's traffic: it may reach shard hosts on their gRPC port and nowhere else in the
 * namespace; shard hosts admit the front on that port and nothing else; clients reach the front
 * from the configured CIDRs only. The namespace's default deny covers everything not named here.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface FrontNetworkArgs {
  namespace: string;
  frontLabels: Record<string, string>;
  hostLabels: Record<string, string>;
  hostGrpcPort: number;
  httpPort: number;
  clientCidrs: string[];
}

export function frontNetworkPolicies(name: string, args: FrontNetworkArgs, opts: pulumi.CustomResourceOptions): void {
  const grpc = [{ protocol: "TCP", port: args.hostGrpcPort }];
  new k8s.networking.v1.NetworkPolicy(
    `${name}-to-shard-hosts`,
    {
      metadata: { name: "front-to-shard-hosts", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: args.frontLabels },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: args.hostLabels } }], ports: grpc }],
      },
    },
    opts,
  );
  new k8s.networking.v1.NetworkPolicy(
    `${name}-shard-host-ingress`,
    {
      metadata: { name: "shard-hosts-from-front", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: args.hostLabels },
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
