/**
 * The `IndexServing` object as the controller's input and output, pure: its spec checked and turned
 * into the `ServingSpec` a round runs with (a rule the CRD schema cannot express, such as the
 * segment memory fitting under the pods' memory limit, is checked here and named by field), and the
 * status a round reports: the hosts with their ready pods, the windows each serves, and the
 * `Ready`, `Progressing` and `Degraded` conditions (crds/conditions.ts keeps a transition time
 * while a status holds, so an unchanged picture writes nothing).
 */
import { z } from "zod";
import { setCondition, findCondition, type Condition } from "../crds/conditions";
import type { HostStatus, IndexServing, IndexServingStatus } from "../crds/types";
import type { HostPlan } from "../segments/assignment";
import { quantityBytes, type ServingSpec } from "./serving-spec";

/** A spec the controller will not run: `field` is its path in the object (`spec.hostMemory`). */
export class InvalidSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, "expected a Kubernetes quantity such as 500m or 1Gi");
const memory = z.string().refine((q) => {
  try {
    return quantityBytes(q) > 0;
  } catch {
    return false;
  }
}, "expected a memory quantity such as 512Mi or 6Gi");
const resources = z.object({ cpu: quantity, memory });
/** Bytes of a quantity, or NaN (its own field reports it): the cross-field rules then pass. */
const bytes = (q: string) => {
  try {
    return quantityBytes(q);
  } catch {
    return NaN;
  }
};

const specSchema = z
  .object({
    image: z.string().regex(/^[^:@\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, "expected an image with a tag or digest"),
    replicas: z.number().int().min(1).max(100),
    retentionDays: z.number().int().min(1).max(3660),
    hostMemory: memory,
    flatMaxItems: z.number().int().min(0).max(10_000_000),
    embeddingVersions: z.array(z.string().min(1)).min(1).optional(),
    resources: z.object({ requests: resources, limits: resources }),
  })
  .refine((s) => !(bytes(s.hostMemory) >= bytes(s.resources.limits.memory)), {
    message: "must be below resources.limits.memory (the host's heap and threads need room too)",
    path: ["hostMemory"],
  })
  .refine((s) => !(bytes(s.resources.requests.memory) > bytes(s.resources.limits.memory)), {
    message: "must not exceed resources.limits.memory",
    path: ["resources", "requests", "memory"],
  });

/** The serving spec `object` asks for, or an `InvalidSpecError` naming the first bad field. */
export function servingSpecFrom(object: Pick<IndexServing, "spec">): ServingSpec {
  const parsed = specSchema.safeParse(object.spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidSpecError(["spec", ...issue.path.map(String)].join("."), issue.message);
  }
  const s = parsed.data;
  return {
    image: s.image,
    replicas: s.replicas,
    retentionDays: s.retentionDays,
    hostMemory: s.hostMemory,
    flatMaxItems: s.flatMaxItems,
    embeddingVersions: s.embeddingVersions,
    resources: s.resources,
  };
}

/** What a host Deployment reports back, by host name. */
export interface DeploymentState {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
}

export interface StatusInput {
  object: IndexServing;
  now: Date;
  /** How long a host may stay not ready before the object is `Degraded`, ms. */
  notReadyDeadlineMs: number;
  /** Set when the spec was refused: nothing was applied, the rest of the status is kept. */
  invalid?: InvalidSpecError;
  /** The round's hosts, and their Deployments read back after the apply. */
  hosts?: HostPlan[];
  deployments?: ReadonlyMap<string, DeploymentState>;
  replicas?: number;
  /** Pointers or host ConfigMaps the round could not read. */
  unreadable?: string[];
}

/** The status the object should carry after a round. */
export function servingStatus(input: StatusInput): IndexServingStatus {
  const { object, now } = input;
  const generation = object.metadata.generation ?? 0;
  const before = object.status ?? {};
  let conditions: Condition[] = [...(before.conditions ?? [])];
  const set = (type: string, status: Condition["status"], reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status, reason, message }, generation, now);
  };
  if (input.invalid) {
    set("Degraded", "True", "InvalidSpec", input.invalid.message);
    return { ...before, observedGeneration: generation, conditions };
  }
  const plans = input.hosts ?? [];
  const deployments = input.deployments ?? new Map<string, DeploymentState>();
  const replicas = input.replicas ?? object.spec.replicas;
  const hosts: HostStatus[] = plans.map((h) => ({
    name: h.name,
    segments: h.segments.length,
    vectors: h.segments.reduce((n, s) => n + s.itemCount, 0),
    readyReplicas: deployments.get(h.name)?.readyReplicas ?? 0,
  }));
  const notReady = hosts.filter((h) => h.readyReplicas < replicas).map((h) => h.name);
  const rolling = plans
    .map((h) => h.name)
    .filter((name) => {
      const d = deployments.get(name);
      return !d || d.observedGeneration < d.generation || d.updatedReplicas < d.replicas;
    });
  const newGeneration = before.observedGeneration !== generation;

  set(
    "Ready",
    notReady.length === 0 ? "True" : "False",
    notReady.length === 0 ? "HostsReady" : "HostsNotReady",
    notReady.length === 0
      ? `${hosts.length} host(s) with ${replicas} ready replica(s) each`
      : `fewer than ${replicas} ready replica(s): ${notReady.join(", ")}`,
  );
  set(
    "Progressing",
    rolling.length > 0 || newGeneration ? "True" : "False",
    rolling.length > 0 ? "RollingOut" : newGeneration ? "NewGeneration" : "RolledOut",
    rolling.length > 0
      ? `rolling out: ${rolling.join(", ")}`
      : newGeneration
        ? `generation ${generation} applied`
        : "every host runs the current spec",
  );
  const readySince = findCondition(conditions, "Ready");
  const lateMs = readySince ? now.getTime() - Date.parse(readySince.lastTransitionTime) : 0;
  const unreadable = input.unreadable ?? [];
  if (unreadable.length > 0)
    set("Degraded", "True", "PointerUnreadable", `not readable, nothing pruned: ${unreadable.join(", ")}`);
  else if (notReady.length > 0 && lateMs > input.notReadyDeadlineMs)
    set(
      "Degraded",
      "True",
      "HostsNotReady",
      `not ready for over ${Math.round(input.notReadyDeadlineMs / 1000)} s: ${notReady.join(", ")}`,
    );
  else set("Degraded", "False", "AsExpected", "serving as specified");
  return {
    observedGeneration: generation,
    conditions,
    hosts,
    windowsServed: plans.flatMap((h) => h.segments.map((s) => ({ tier: s.tier, window: s.window, host: h.name }))),
  };
}
