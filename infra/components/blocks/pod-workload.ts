/**
 * What every platform pod workload on EKS is given the same way, so a component cannot forget one:
 * its service account with AWS credentials through Pod Identity (a role with the workload's
 * statements only), a NetworkPolicy letting its pods out on HTTPS (not to IMDS), the restricted
 * pod and container security contexts (`workloads/shared/pod-security.ts`, which the segment
 * controller also writes into the shard hosts' pods), and its container environment: the
 * service's own, written by the workload's `environmentFor` from typed settings (one env contract
 * per service), after the variables the AWS SDK reads, which no service schema owns.
 *
 * A function, not a component: the identity and the egress policy stay children of the calling
 * component, as they were when each component declared them itself.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HttpsEgress } from "./https-egress";
import { PodIdentity } from "./pod-identity";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../../workloads/shared/pod-security";
import type { RoleStatement } from "./service-role";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Where a workload runs: the cluster (for its Pod Identity association), its account and namespace. */
export interface WorkloadPlacement {
  clusterName: string;
  /** The cluster's account (aws:SourceAccount in the pod role's trust). */
  accountId: string;
  namespace: string;
}

/** A container's CPU and memory, as Kubernetes quantities ("250m", "512Mi"); a type, so it fits Kubernetes' string maps. */
export type CpuMemory = { cpu: string; memory: string };

/** A container's requests and limits: the policy pack wants both, on CPU and memory, for every container. */
export interface ContainerResources {
  requests: CpuMemory;
  limits: CpuMemory;
}

export interface PodWorkloadArgs {
  /** Where it runs: its identity's cluster and account, and the namespace of its account and egress policy. */
  placement: WorkloadPlacement;
  /** The service account's name; its pods run as it. */
  serviceAccount: string;
  /** Labels of the service account, and the pods the egress policy selects. */
  labels: Record<string, string>;
  /** What the pods may do in AWS. */
  statements: RoleStatement[];
  /** The role's description: what the workload is and may do. */
  description: string;
  /** Name of the NetworkPolicy that lets the pods open HTTPS connections. */
  egressPolicy: string;
}

export interface PodWorkload {
  identity: PodIdentity;
  egress: HttpsEgress;
  /** The pod spec's identity and security: its service account, token mount, restricted context as `uid`. */
  pod(
    uid: number,
    options: { automountToken: boolean },
  ): { serviceAccountName: string; automountServiceAccountToken: boolean; securityContext: PodSecurityContext };
  /** Every container's (and init container's) security context. */
  containerSecurityContext: SecurityContext;
}

/** Declares the workload's identity and HTTPS egress under `opts.parent` (named `name`, `${name}-egress`). */
export function podWorkload(name: string, args: PodWorkloadArgs, opts: pulumi.ComponentResourceOptions): PodWorkload {
  const identity = new PodIdentity(
    name,
    {
      ...args.placement,
      serviceAccount: args.serviceAccount,
      labels: args.labels,
      description: args.description,
      statements: args.statements,
    },
    opts,
  );
  const egress = new HttpsEgress(
    `${name}-egress`,
    { namespace: args.placement.namespace, name: args.egressPolicy, podLabels: args.labels },
    opts,
  );
  return {
    identity,
    egress,
    pod: (uid, { automountToken }) => ({
      serviceAccountName: args.serviceAccount,
      automountServiceAccountToken: automountToken,
      securityContext: restrictedPodSecurityContext(uid),
    }),
    containerSecurityContext: restrictedContainerSecurityContext(),
  };
}

/** Variables a container gets besides its service's own: the AWS SDK reads them, the service never does. */
export const SDK_ENVIRONMENT = ["AWS_REGION"] as const;

/** A container's `env`: AWS_REGION, then `environment` (the service's `environmentFor` output) in its order. */
export function containerEnv(
  region: string,
  environment: pulumi.Input<Record<string, string>>,
): pulumi.Output<EnvVar[]> {
  return pulumi
    .output(environment)
    .apply((env) => Object.entries({ AWS_REGION: region, ...env }).map(([name, value]) => ({ name, value })));
}
