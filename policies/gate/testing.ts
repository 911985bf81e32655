/**
 * Test helper: builds small plans and runs them through `evaluatePlans` with the pack loaded by
 * `loadPack`, exactly as `npm run policy` does, so a policy test exercises the gate's code path.
 */
import * as path from "node:path";
import type { PackConfig } from "./config";
import { evaluatePlans, type Violation } from "./evaluate";
import { loadPack, type LoadedPack } from "./load-pack";
import type { PlanFile, PlanResource } from "./plan-files";

export const TEST_STACK = "test";
let ours: Promise<LoadedPack> | undefined;

export function ourPack(): Promise<LoadedPack> {
  ours ??= loadPack(path.resolve(__dirname, ".."));
  return ours;
}

export interface ResourceOptions {
  parent?: string | null;
  dependencies?: string[];
  stack?: string;
}

/** A plan resource with a URN in the plan writer's format. */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown> = {},
  opts: ResourceOptions = {},
): PlanResource {
  const stack = opts.stack ?? TEST_STACK;
  return {
    type,
    name,
    urn: `urn:pulumi:${stack}::ml-platform::${type}::${name}`,
    parent: opts.parent ?? null,
    inputs,
    dependencies: opts.dependencies ?? [],
  };
}

export function plan(resources: PlanResource[], stack = TEST_STACK): PlanFile {
  return { stack, resources, outputs: {} };
}

/** Violations of `policy` (or all, when omitted) over a one-stack plan of `resources`. */
export async function violations(
  resources: PlanResource[],
  policy?: string,
  config: PackConfig = {},
): Promise<Violation[]> {
  const found = await evaluatePlans(await ourPack(), [plan(resources)], config);
  return policy ? found.filter((v) => v.policy === policy) : found;
}
