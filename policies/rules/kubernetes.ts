/**
 * Kubernetes workloads (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, Pod, as
 * @pulumi/kubernetes registers them): PodSecurity "restricted" and then some. Every container
 * (init and ephemeral too) is judged with its pod's securityContext as the default its own
 * overrides. hostPath is its own policy so the exemption list can waive it alone (the NVIDIA
 * device plugin). Workloads inside Helm charts or YAML components are children the offline plan
 * cannot see; a real preview checks them.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { exemptionFor } from "../exemptions";
import { containersOf, hostPathsOf, podSpecOf, WORKLOAD_TYPES } from "./k8s-pods";
import { asArray, forTypes, isRecord, type Props } from "./util";

export const HOST_PATH_POLICY = "k8s-no-host-path";

const record = (v: unknown): Props => (isRecord(v) ? v : {});

/** A container setting, falling back to the pod's securityContext (the only fields that exist at both levels). */
function effective(pod: Props, container: Props, key: "runAsNonRoot" | "runAsUser"): unknown {
  const own = record(container.securityContext)[key];
  return own !== undefined ? own : record(pod.securityContext)[key];
}

/** An image reference pinned to a tag other than `latest`, or to a digest. */
export function imagePinned(image: unknown): boolean {
  if (typeof image !== "string" || image === "") return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon <= lastSlash) return false;
  const tag = image.slice(colon + 1);
  return tag !== "" && tag !== "latest";
}

function eachWorkload(
  check: (
    pod: Props,
    props: Props,
    report: (m: string) => void,
    type: string,
    args: { urn: string; name: string },
  ) => void,
): ResourceValidationPolicy["validateResource"] {
  return forTypes(WORKLOAD_TYPES, (props, args, report) => {
    const pod = podSpecOf(args.type, props);
    if (!pod) return report("workload has no pod spec where its kind keeps one");
    check(pod, props, report, args.type, args);
  });
}

const RUN_AS_NON_ROOT_POLICY = "k8s-run-as-non-root";

export const kubernetesPolicies: ResourceValidationPolicy[] = [
  {
    name: "k8s-pod-security",
    description:
      "Kubernetes workloads: no privileged containers, no host network/PID/IPC, allowPrivilegeEscalation false, capabilities drop ALL and add none, readOnlyRootFilesystem true.",
    validateResource: eachWorkload((pod, _props, report) => {
      for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (pod[ns] === true) report(`${ns} is true: the pod shares the node's namespace`);
      }
      for (const { label, spec } of containersOf(pod)) {
        const sc = record(spec.securityContext);
        if (sc.privileged === true) report(`${label} is privileged`);
        if (sc.allowPrivilegeEscalation !== false)
          report(`${label}: securityContext.allowPrivilegeEscalation must be false`);
        const caps = record(sc.capabilities);
        if (!asArray<unknown>(caps.drop).some((c) => String(c).toUpperCase() === "ALL"))
          report(`${label}: securityContext.capabilities.drop must include ALL`);
        const added = asArray<unknown>(caps.add);
        if (added.length > 0) report(`${label} adds capabilities ${added.join(", ")}`);
        if (sc.readOnlyRootFilesystem !== true) report(`${label}: securityContext.readOnlyRootFilesystem must be true`);
      }
    }),
  },
  {
    // Its own policy so that an exemption entry could waive running as root alone, never the rest.
    name: RUN_AS_NON_ROOT_POLICY,
    description:
      "Kubernetes containers run as non-root: runAsNonRoot true and runAsUser not 0 (the container's setting, else the pod's).",
    validateResource: eachWorkload((pod, props, report, type, args) => {
      const subject = { type, urn: args.urn, name: args.name, props, dependencies: [] };
      if (exemptionFor(RUN_AS_NON_ROOT_POLICY, subject)) return;
      for (const { label, spec } of containersOf(pod)) {
        if (effective(pod, spec, "runAsNonRoot") !== true)
          report(`${label}: runAsNonRoot must be true (container or pod securityContext)`);
        const uid = effective(pod, spec, "runAsUser");
        if (uid === 0 || uid === "0") report(`${label}: runAsUser is 0 (root)`);
      }
    }),
  },
  {
    name: HOST_PATH_POLICY,
    description:
      "Kubernetes workloads mount no hostPath volume, except as the exemption list allows (the NVIDIA device plugin's socket directory).",
    validateResource: forTypes(WORKLOAD_TYPES, (props, args, report) => {
      const pod = podSpecOf(args.type, props);
      const paths = pod ? hostPathsOf(pod) : [];
      if (paths.length === 0) return;
      const subject = { type: args.type, urn: args.urn, name: args.name, props, dependencies: [] };
      if (exemptionFor(HOST_PATH_POLICY, subject)) return;
      report(`mounts host path(s) ${paths.join(", ")}`);
    }),
  },
  {
    name: "k8s-resources-bounded",
    description: "Every container of a Kubernetes workload requests and limits both cpu and memory.",
    validateResource: eachWorkload((pod, _props, report) => {
      for (const { label, spec } of containersOf(pod)) {
        const res = record(spec.resources);
        for (const kind of ["requests", "limits"] as const) {
          const set = record(res[kind]);
          const missing = ["cpu", "memory"].filter((k) => set[k] === undefined || set[k] === "");
          if (missing.length > 0) report(`${label}: resources.${kind} missing ${missing.join(", ")}`);
        }
      }
    }),
  },
  {
    name: "k8s-image-pinned",
    description: "Kubernetes containers use images pinned to a tag other than latest, or to a digest.",
    validateResource: eachWorkload((pod, _props, report) => {
      for (const { label, spec } of containersOf(pod)) {
        if (!imagePinned(spec.image))
          report(`${label}: image ${JSON.stringify(spec.image ?? null)} is untagged or :latest`);
      }
    }),
  },
];
