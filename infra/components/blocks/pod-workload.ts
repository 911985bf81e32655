/**
 * What every platform pod workload on EKS is given the same way. Its container environment: the
 * service's own environment, written by the workload's `environmentFor` from typed settings (one
 * env contract per service), after the variables the AWS SDK reads, which no service schema owns.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

type EnvVar = k8s.types.input.core.v1.EnvVar;

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
