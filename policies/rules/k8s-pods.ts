/**
 * Where a Kubernetes workload keeps its pod: the @pulumi/kubernetes type token says which path
 * (`spec.template.spec` for controllers, `spec.jobTemplate.spec.template.spec` for a CronJob,
 * `spec` for a bare Pod, `template.spec` for a PodTemplate, which an operator turns into pods at run
 * time, so the gate sees those pods in the plan). Shared by the Kubernetes rules and the exemption list.
 */
import { asArray, isRecord, type Props } from "./util";

const TEMPLATE: string[] = ["spec", "template", "spec"];

/** Workload type tokens and the path to their pod spec. */
export const WORKLOADS: Record<string, string[]> = {
  "kubernetes:apps/v1:Deployment": TEMPLATE,
  "kubernetes:apps/v1:DaemonSet": TEMPLATE,
  "kubernetes:apps/v1:StatefulSet": TEMPLATE,
  "kubernetes:apps/v1:ReplicaSet": TEMPLATE,
  "kubernetes:core/v1:ReplicationController": TEMPLATE,
  "kubernetes:batch/v1:Job": TEMPLATE,
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:core/v1:PodTemplate": ["template", "spec"],
};

export const WORKLOAD_TYPES = Object.keys(WORKLOADS);

/** The pod spec of a workload's props, or undefined when the path is missing. */
export function podSpecOf(type: string, props: Props): Props | undefined {
  const path = WORKLOADS[type];
  if (!path) return undefined;
  let at: unknown = props;
  for (const key of path) at = isRecord(at) ? at[key] : undefined;
  return isRecord(at) ? at : undefined;
}

export interface NamedContainer {
  /** `containers[0] (app)`, `initContainers[1] (setup)`. */
  label: string;
  spec: Props;
}

/** Every container of a pod spec: regular, init and ephemeral. */
export function containersOf(pod: Props): NamedContainer[] {
  return ["containers", "initContainers", "ephemeralContainers"].flatMap((field) =>
    asArray<unknown>(pod[field]).map((c, i) => {
      const spec = isRecord(c) ? c : {};
      const name = typeof spec.name === "string" ? ` (${spec.name})` : "";
      return { label: `${field}[${i}]${name}`, spec };
    }),
  );
}

/** Host paths the pod mounts as volumes. */
export function hostPathsOf(pod: Props): string[] {
  return asArray<unknown>(pod.volumes)
    .filter(isRecord)
    .map((v) => (isRecord(v.hostPath) ? v.hostPath.path : undefined))
    .filter((p): p is string => typeof p === "string")
    .concat(
      asArray<unknown>(pod.volumes)
        .filter(isRecord)
        .filter((v) => isRecord(v.hostPath) && typeof v.hostPath.path !== "string")
        .map(() => "(unreadable hostPath)"),
    );
}

/** The workload's own metadata (namespace, annotations). */
export const metadataOf = (props: Props): Props => (isRecord(props.metadata) ? props.metadata : {});
