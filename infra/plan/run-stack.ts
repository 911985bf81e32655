/**
 * Child-process entry of the offline plan: runs one stack's program under the plan mocks and
 * writes its StackPlan. One process per stack, because the Pulumi runtime is process-global.
 *
 *   node --import tsx infra/plan/run-stack.ts <job.json>
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../config/load";
import { accountOfArn } from "./identifiers";
import { captureRegistrations } from "./capture";
import { PlanMocks } from "./mocks";
import { toPlainJson } from "./plain-json";
import type { StackPlan } from "./types";

export interface PlanJob {
  stack: string;
  config: Record<string, unknown>;
  stackOutputs: Record<string, Record<string, unknown>>;
  program: string;
  out: string;
}

const PLACEHOLDER_SECRET = "offline-plan-placeholder-secret";

function flattenConfig(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      values[key] = PLACEHOLDER_SECRET;
      secretKeys.push(key);
    } else {
      values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { values, secretKeys };
}

async function resolve(value: unknown): Promise<unknown> {
  const resolved = await new Promise<unknown>((done) =>
    (pulumi.output(value as pulumi.Input<object>) as pulumi.Output<unknown>).apply((v) => done(v)),
  );
  return toPlainJson(resolved);
}

async function run(job: PlanJob): Promise<StackPlan> {
  const { values, secretKeys } = flattenConfig(job.config);
  pulumi.runtime.setAllConfig(values, secretKeys);
  const allowed = job.config["aws:allowedAccountIds"];
  const account =
    Array.isArray(allowed) && typeof allowed[0] === "string" ? allowed[0] : accountOfArn(job.config["aws:assumeRole"]);
  const region = typeof job.config["aws:region"] === "string" ? job.config["aws:region"] : undefined;
  await pulumi.runtime.setMocks(
    new PlanMocks({ account, region, stackOutputs: job.stackOutputs }),
    PROJECT,
    job.stack,
    false,
  );
  const registrations = captureRegistrations();
  // A failed registration leaves the outputs that depend on it unresolved forever, and the
  // process would simply run out of work: report the registration errors instead.
  process.once("beforeExit", () => {
    const why =
      registrations.errors.length > 0
        ? registrations.errors.join("\n")
        : rejected !== undefined
          ? describeError(rejected)
          : "an output never resolved";
    process.stderr.write(`the program did not finish: ${why}\n`);
    process.exit(1);
  });

  const program = (await import(job.program)) as { default?: unknown };
  const exported: unknown = program.default ?? program;
  const value: unknown = typeof exported === "function" ? (exported as () => unknown)() : exported;
  const outputs = (await resolve(await value)) as Record<string, unknown>;
  // Drains registrations that nothing exported depends on.
  await pulumi.runtime.disconnect();
  await registrations.settled();
  if (registrations.errors.length > 0) throw new Error(registrations.errors.join("\n"));
  if (pulumi.log.hasErrors()) throw new Error("the program logged errors (see above)");
  return { stack: job.stack, resources: registrations.resources, outputs: outputs ?? {} };
}

/** The first error an apply callback or registration threw that nothing awaited. */
let rejected: unknown;

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as PlanJob;
  process.on("unhandledRejection", (reason) => {
    rejected ??= reason;
  });
  try {
    const plan = await run(job);
    if (rejected !== undefined) throw rejected;
    writeFileSync(job.out, JSON.stringify(plan, null, 2));
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    process.exit(1);
  }
}

void main();
