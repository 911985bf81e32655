/**
 * The offline plan: builds a stack's program under Pulumi's unit-test mocks (no CLI, no
 * credentials, no network) and returns every registered resource with its resolved inputs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { PlanJob } from "./run-stack";
import { listStacks, orderStacks, readStackConfig } from "./stack-files";
import { REPO_ROOT } from "../../workloads/shared/repo-root";
import type { StackPlan } from "./types";

export type { PlannedResource, StackPlan } from "./types";

export interface PlanOptions {
  /** Overrides on top of the stack file's config; a null value removes the key. */
  config?: Record<string, unknown>;
  /** Outputs of earlier stacks, for this stack's StackReferences, by stack name. */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Where the stack files are (default: the repository root). */
  root?: string;
  /** The Pulumi program (default: infra/index.ts); tests plan fixture programs with it. */
  program?: string;
}

export class PlanError extends Error {
  constructor(
    readonly stack: string,
    readonly detail: string,
  ) {
    super(`stack "${stack}": ${detail}`);
    this.name = "PlanError";
  }
}

const run = promisify(execFile);
const DEFAULT_PROGRAM = path.join(REPO_ROOT, "infra", "index.ts");

export async function planStack(stack: string, options: PlanOptions = {}): Promise<StackPlan> {
  const config: Record<string, unknown> = { ...readStackConfig(stack, options.root) };
  for (const [key, value] of Object.entries(options.config ?? {})) {
    if (value === null) delete config[key];
    else config[key] = value;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
  try {
    const job: PlanJob = {
      stack,
      config,
      stackOutputs: options.stackOutputs ?? {},
      program: path.resolve(options.program ?? DEFAULT_PROGRAM),
      out: path.join(dir, "plan.json"),
    };
    writeFileSync(path.join(dir, "job.json"), JSON.stringify(job));
    try {
      await run(
        process.execPath,
        ["--import", "tsx", path.join(__dirname, "run-stack.ts"), path.join(dir, "job.json")],
        {
          cwd: REPO_ROOT,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    } catch (err) {
      const stderr = ((err as { stderr?: string }).stderr ?? "").trim();
      throw new PlanError(stack, stderr || String(err));
    }
    return JSON.parse(readFileSync(job.out, "utf8")) as StackPlan;
  } finally {
    if (!process.env.PLAN_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

export interface PlanAllResult {
  /** Plans in layer order, by stack name. */
  plans: Map<string, StackPlan>;
  /** One message per stack that could not be read or planned. */
  failures: string[];
}

/**
 * Plans every stack in layer order, feeding each stack's outputs to the StackReferences of the
 * stacks after it: what `npm run plan` does, and what graph tests across stacks start from.
 */
export async function planAll(options: { root?: string } = {}): Promise<PlanAllResult> {
  const configs = new Map<string, Record<string, unknown>>();
  const failures: string[] = [];
  for (const stack of listStacks(options.root)) {
    try {
      configs.set(stack, readStackConfig(stack, options.root));
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  const plans = new Map<string, StackPlan>();
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const stack of orderStacks([...configs.keys()], configs)) {
    try {
      const plan = await planStack(stack, { stackOutputs: outputs, root: options.root });
      plans.set(stack, plan);
      outputs[stack] = plan.outputs;
    } catch (err) {
      failures.push(`plan failed for ${(err as Error).message}`);
    }
  }
  return { plans, failures };
}
