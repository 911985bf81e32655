/** Small lookups over a StackPlan for tests: find resources by type, name and parentage. */
import type { PlannedResource, StackPlan } from "./types";

export function ofType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** Exactly one resource of the type (and name, if given); fails with what was there instead. */
export function one(plan: StackPlan, type: string, name?: string): PlannedResource {
  const found = ofType(plan, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) {
    const names = ofType(plan, type).map((r) => r.name);
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""} in stack ${plan.stack}, found ${found.length} (${names.join(", ") || "none"})`,
    );
  }
  return found[0];
}

export function byUrn(plan: StackPlan, urn: string): PlannedResource | undefined {
  return plan.resources.find((r) => r.urn === urn);
}

/** Resources registered under `parent`, directly or through intermediate components. */
export function descendants(plan: StackPlan, parent: PlannedResource): PlannedResource[] {
  const out: PlannedResource[] = [];
  const walk = (urn: string) => {
    for (const r of plan.resources.filter((x) => x.parent === urn)) {
      out.push(r);
      walk(r.urn);
    }
  };
  walk(parent.urn);
  return out;
}

/** Parses a JSON-string input (policy documents, container definitions). */
export function jsonInput<T = unknown>(resource: PlannedResource, key: string): T {
  const value = resource.inputs[key];
  if (typeof value !== "string")
    throw new Error(`${resource.urn}: input ${key} is not a JSON string (${typeof value})`);
  return JSON.parse(value) as T;
}
