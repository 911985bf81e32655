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
import { readStackConfig, REPO_ROOT } from "./stack-files";
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
      await run(process.execPath, ["--import", "tsx", path.join(__dirname, "run-stack.ts"), path.join(dir, "job.json")], {
        cwd: REPO_ROOT,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const stderr = ((err as { stderr?: string }).stderr ?? "").trim();
      throw new PlanError(stack, stderr || String(err));
    }
    return JSON.parse(readFileSync(job.out, "utf8")) as StackPlan;
  } finally {
    if (!process.env.PLAN_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
