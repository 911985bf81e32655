/**
 * The segment operator's Deployment: two replicas, one leading through its Lease and the other
 * passive until the Lease is free, so a node drain or a crash costs a lease duration, not a
 * build. It needs no AWS identity (the builds report through their pods' termination messages),
 * only its Kubernetes RBAC (rbac.ts) and HTTPS to the API server.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor } from "../../../../workloads/search/operator/config";
import { HttpsEgress } from "../../blocks/https-egress";
import { containerEnv, type ContainerResources } from "../../blocks/pod-workload";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../../../workloads/shared/pod-security";
import { operatorRules } from "../../../../workloads/search/operator/config";
import { boundRole } from "./role";
import { opsServer } from "../ops-server";

export interface SegmentOperatorArgs extends ContainerResources {
  namespace: string;
  region: string;
  /** Pinned image of the operator (workloads/search/operator), which also runs the CronJobs' create step. */
  image: string;
  /** Non-root uid of its pods. */
  uid: number;
  /** Port of /healthz and /readyz. */
  opsPort: number;
  /** Replicas; one leads, the others stand by. */
  replicas: number;
  /** The builds' Job settings naming each tier's PodTemplate, JSON (workloads/search/operator/job-template.ts). */
  buildJobs: pulumi.Input<string>;
  labels: Record<string, string>;
}

export const OPERATOR = "segment-operator";
export const LEASE = "segment-operator";

export class SegmentOperator extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly role: k8s.rbac.v1.Role;

  constructor(name: string, args: SegmentOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SegmentOperator", name, {}, opts);
    const child = { parent: this };
    const ns = args.namespace;
    const account = new k8s.core.v1.ServiceAccount(
      name,
      { metadata: { name: OPERATOR, namespace: ns, labels: args.labels }, automountServiceAccountToken: false },
      child,
    );
    this.role = boundRole(
      name,
      { namespace: ns, roleName: OPERATOR, labels: args.labels, rules: operatorRules(LEASE) },
      { ...child, dependsOn: [account] },
    );
    new HttpsEgress(`${name}-egress`, { namespace: ns, name: `${OPERATOR}-https`, podLabels: args.labels }, child);
    const environment = pulumi
      .output(args.buildJobs)
      .apply((buildJobs) => environmentFor({ namespace: ns, opsPort: args.opsPort, leaseName: LEASE, buildJobs }));
    const ops = opsServer(args.opsPort, { readinessSeconds: 10, livenessSeconds: 20 });
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: OPERATOR, namespace: ns, labels: args.labels },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: args.labels },
          template: {
            metadata: { labels: args.labels },
            spec: {
              serviceAccountName: OPERATOR,
              // It talks to the API server: it needs its token.
              automountServiceAccountToken: true,
              securityContext: restrictedPodSecurityContext(args.uid),
              containers: [
                {
                  name: "operator",
                  image: args.image,
                  ports: [ops.port],
                  env: containerEnv(args.region, environment),
                  ...ops.probes,
                  securityContext: restrictedContainerSecurityContext(),
                  resources: { requests: args.requests, limits: args.limits },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            },
          },
        },
      },
      { ...child, dependsOn: [this.role] },
    );
    this.registerOutputs({ deployment: OPERATOR, lease: LEASE });
  }
}
