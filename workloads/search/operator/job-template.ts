/**
 * What the operator makes a build's Job from. Per tier, the Job's limits and the name of the
 * tier's PodTemplate (passed as JSON in the operator's environment, BUILD_JOBS, and checked at
 * start); the pod itself (the build image, its environment, resources, placement and volumes) is
 * a `core/v1 PodTemplate` the search stack declares, so the policy pack sees it in the plan, and
 * the operator reads it through the API for each build. The operator adds the window's command
 * line, its labels and the owner reference.
 */
import type * as k8s from "@kubernetes/client-node";
import { z } from "zod";
import { TIERS } from "../crds/types";

/** The container the build program runs in; the operator gives it `--tier T --window W [--force]`. */
export const BUILD_CONTAINER = "build";

const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes name");

const TierJob = z.strictObject({
  /** The PodTemplate (in the operator's namespace) whose `template` is this tier's build pod. */
  podTemplate: k8sName,
  /** Seconds a build may run before the Job is failed (reason DeadlineExceeded). */
  activeDeadlineSeconds: z.int().min(1),
  /** Pod retries before the Job is failed (reason BackoffLimitExceeded). */
  backoffLimit: z.int().min(0).max(10),
  /** Seconds a finished Job (and its pods) is kept; the SegmentBuild keeps the record. */
  ttlSecondsAfterFinished: z.int().min(0),
  /**
   * Builds of this tier running at once; more wait, Pending (reason WaitingForTier). The hourly
   * build's image cache is one ReadWriteOnce volume, and a compaction reads what the one before wrote.
   */
  maxConcurrent: z.int().min(1).max(1000),
});

export const BuildJobs = z.strictObject({
  /** The asset repository the builds publish to, `s3://bucket/`: a SegmentBuild naming another is refused. */
  source: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/$/, "expected s3://bucket/"),
  tiers: z
    .record(z.enum(TIERS), TierJob)
    .refine((t) => TIERS.every((tier) => t[tier]), { message: `needs every tier: ${TIERS.join(", ")}` }),
});
export type BuildJobs = z.infer<typeof BuildJobs>;
export type TierJob = z.infer<typeof TierJob>;

/** The Job settings from their JSON text; the error names the field. */
export function parseBuildJobs(text: string): BuildJobs {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`BUILD_JOBS is not JSON: ${(err as Error).message}`);
  }
  const parsed = BuildJobs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`BUILD_JOBS ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** A build pod as read from its PodTemplate: the labels of the Job and its pods, and the pod spec. */
export interface BuildPod {
  /** The PodTemplate's name, for messages. */
  name: string;
  labels: Record<string, string>;
  spec: k8s.V1PodSpec;
}

const securityContext = z.looseObject({
  privileged: z.literal(false).optional(),
  allowPrivilegeEscalation: z.literal(false, "must be false"),
  runAsNonRoot: z.literal(true).optional(),
  runAsUser: z.int().min(1, "must not be 0 (root)").optional(),
  capabilities: z.looseObject({
    drop: z.array(z.string()).refine((d) => d.includes("ALL"), "must drop ALL"),
    add: z
      .array(z.string())
      .refine((a) => a.every((c) => c === "NET_BIND_SERVICE"), "may add NET_BIND_SERVICE only")
      .optional(),
  }),
});
const seccomp = z.looseObject({ type: z.enum(["RuntimeDefault", "Localhost"]) });

/**
 * A pod spec PodSecurity `restricted` admits, checked before a Job is made from it (the namespace's
 * admission would refuse the pods later, and only as events on the Job): the build container is
 * there; no host namespaces or host paths; every container drops ALL, cannot escalate, runs as a
 * non-root user (on the container or the pod) under a RuntimeDefault/Localhost seccomp profile.
 */
const RestrictedPod = z
  .looseObject({
    hostNetwork: z.literal(false).optional(),
    hostPID: z.literal(false).optional(),
    hostIPC: z.literal(false).optional(),
    securityContext: z
      .looseObject({
        runAsNonRoot: z.boolean().optional(),
        runAsUser: z.int().min(1, "must not be 0 (root)").optional(),
        seccompProfile: seccomp.optional(),
      })
      .optional(),
    volumes: z
      .array(z.looseObject({ name: z.string() }).refine((v) => !("hostPath" in v), "hostPath volumes are refused"))
      .optional(),
    containers: z.array(z.looseObject({ name: z.string(), image: z.string(), securityContext })).min(1),
    initContainers: z.array(z.looseObject({ name: z.string(), securityContext })).optional(),
  })
  .superRefine((pod, ctx) => {
    if (!pod.containers.some((c) => c.name === BUILD_CONTAINER))
      ctx.addIssue({ code: "custom", path: ["containers"], message: `needs a container named ${BUILD_CONTAINER}` });
    const all = [...pod.containers, ...(pod.initContainers ?? [])];
    all.forEach((c) => {
      const sc = c.securityContext as Record<string, unknown> & { seccompProfile?: unknown };
      if ((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) !== true)
        ctx.addIssue({ code: "custom", message: `container ${c.name}: runAsNonRoot must be true` });
      if (!seccomp.safeParse(sc.seccompProfile ?? pod.securityContext?.seccompProfile).success)
        ctx.addIssue({ code: "custom", message: `container ${c.name}: seccompProfile must be RuntimeDefault` });
    });
  });

/**
 * The build pod of a PodTemplate as the API server returns it; refused (the error names the
 * template and the field) unless PodSecurity `restricted` would admit it and it has the build container.
 */
export function buildPodFrom(template: k8s.V1PodTemplate): BuildPod {
  const name = template.metadata?.name ?? "(unnamed)";
  const spec = template.template?.spec;
  if (!spec) throw new Error(`PodTemplate ${name} has no template.spec`);
  const parsed = RestrictedPod.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.length > 0 ? ` template.spec.${issue.path.join(".")}:` : "";
    throw new Error(`PodTemplate ${name} is not PodSecurity restricted-compatible:${at} ${issue.message}`);
  }
  return { name, labels: { ...(template.template?.metadata?.labels ?? {}) }, spec };
}
