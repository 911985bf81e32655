/**
 * Conditions in the shape every Kubernetes API uses (`type/status/reason/message/
 * lastTransitionTime/observedGeneration`): set one, keeping its transition time while its status
 * does not change, so a status write that repeats what is known changes nothing.
 */
export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  /** RFC 3339: when `status` last changed. */
  lastTransitionTime: string;
  /** The object's generation the condition was computed from. */
  observedGeneration: number;
}

export type ConditionUpdate = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/** `conditions` with `update` set: same type replaced, transition time kept unless its status changed. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  generation: number,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const previous = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    ...update,
    lastTransitionTime: previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString(),
    observedGeneration: generation,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export const findCondition = (conditions: readonly Condition[] | undefined, type: string): Condition | undefined =>
  conditions?.find((c) => c.type === type);

/** The schema of one condition, for the CRDs' status (metav1.Condition's required fields). */
export const CONDITION_SCHEMA = {
  type: "object",
  required: ["type", "status", "reason", "message", "lastTransitionTime"],
  properties: {
    type: { type: "string", maxLength: 316, pattern: "^[A-Za-z][A-Za-z0-9]*$" },
    status: { type: "string", enum: ["True", "False", "Unknown"] },
    reason: { type: "string", maxLength: 1024, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" },
    message: { type: "string", maxLength: 32768 },
    lastTransitionTime: { type: "string", format: "date-time" },
    observedGeneration: { type: "integer", format: "int64", minimum: 0 },
  },
} as const;
