/**
 * Test helper: builds small plans and runs them through `evaluatePlans` with the pack loaded by
 * `loadPack`, exactly as `npm run policy` does, so a policy test exercises the gate's code path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** A fresh directory for each test of the enclosing `describe` (named `prefix…`), removed after it. */
export function tempDirPerTest(prefix: string): () => string {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

export interface ResourceOptions {
  parent?: string | null;
  dependencies?: string[];
  stack?: string;
  /** Component type(s) above the resource, outermost first: they prefix its URN's type chain (`A$B$type`). */
  components?: string[];
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
    urn: `urn:pulumi:${stack}::ml-platform::${[...(opts.components ?? []), type].join("$")}::${name}`,
    parent: opts.parent ?? null,
    inputs,
    dependencies: opts.dependencies ?? [],
  };
}

/**
 * A maker of one resource whose `inputs` pass every policy: each call may change some of them (a
 * table row changes one thing; `undefined` unsets an input).
 */
export const compliant =
  (type: string, name: string, inputs: Record<string, unknown> = {}) =>
  (change: Record<string, unknown> = {}): PlanResource =>
    res(type, name, { ...inputs, ...change });

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

/** The account the test stacks deploy into (their provider's allowedAccountIds). */
export const OWN_ACCOUNT = "111111111111";

/** A tagged AWS provider in OWN_ACCOUNT, so required-tags and "own account" are settled for a test stack. */
export function provider(stack = TEST_STACK): PlanResource {
  return res(
    "pulumi:providers:aws",
    "account",
    { region: "us-east-1", allowedAccountIds: [OWN_ACCOUNT], defaultTags: { tags: { Owner: "team", Project: "p" } } },
    { stack },
  );
}

/** An IAM policy document as the programs write it (a JSON string). */
export const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/**
 * The policies (sorted, each once) that fire on `resources` in a stack with `provider()`: what a
 * table-driven test compares, so a case that trips a second policy fails too.
 */
export async function fired(resources: PlanResource[], config: PackConfig = {}): Promise<string[]> {
  const found = await violations([provider(), ...resources], undefined, config);
  return [...new Set(found.map((v) => v.policy))].sort();
}

/** One row of a table-driven policy test: what changed, the resources, the policies expected to fire. */
export type Case = [string, PlanResource[], string[]];
