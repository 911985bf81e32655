/**
 * A long-running search service's ops server as its container declares it: the port named `ops`
 * (workloads/shared/ops-server.ts; the operator answers the same routes itself), readiness on
 * /readyz and liveness on /healthz, both against that name, so a probe cannot point at a port
 * the container does not declare.
 */
import type * as k8s from "@pulumi/kubernetes";

type ContainerPort = k8s.types.input.core.v1.ContainerPort;
type Probe = k8s.types.input.core.v1.Probe;

export interface OpsProbePeriods {
  /** Seconds between readiness checks: how soon a pod that stops being ready stops getting traffic. */
  readinessSeconds: number;
  /** Seconds between liveness checks; three failures in a row restart the container. */
  livenessSeconds: number;
}

/** The container's `ops` port entry, and its probes to spread into the container. */
export function opsServer(
  containerPort: number,
  periods: OpsProbePeriods,
): { port: ContainerPort; probes: { readinessProbe: Probe; livenessProbe: Probe } } {
  return {
    port: { name: "ops", containerPort },
    probes: {
      readinessProbe: { httpGet: { path: "/readyz", port: "ops" }, periodSeconds: periods.readinessSeconds },
      livenessProbe: {
        httpGet: { path: "/healthz", port: "ops" },
        periodSeconds: periods.livenessSeconds,
        failureThreshold: 3,
      },
    },
  };
}
