/**
 * What a plan file was built from, so the gate can refuse plans that do not belong together (a
 * stack that failed to plan leaving an older file beside fresh ones). Every file of one
 * `npm run plan` run carries the same `run` id. Plans without provenance (hand-written, or from
 * another tool) stay valid: the plan format is a contract others may write to.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { listStacks, stackFile } from "./stack-files";

/** Marks files this tool wrote: only those are replaced or removed by a later run. */
export const PLAN_TOOL = "ml-platform plan";

export interface PlanProvenance {
  tool: typeof PLAN_TOOL;
  /** One id per `npm run plan` run, shared by every file it wrote. */
  run: string;
  /** The git commit of the program (null outside a git checkout); `dirty` when the tree had changes. */
  commit: string | null;
  dirty: boolean;
  /** sha256 over every stack file's name and content, in name order. */
  configHash: string;
  /** ISO-8601 time the run started. */
  time: string;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function configHash(root: string): string {
  const hash = createHash("sha256");
  for (const stack of listStacks(root)) {
    hash
      .update(`${stack}\0`)
      .update(readFileSync(stackFile(stack, root)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** Provenance for a run over the stack files in `root`, whose program lives in the checkout `programRoot`. */
export function newProvenance(root: string, programRoot: string, now = new Date()): PlanProvenance {
  const commit = git(programRoot, ["rev-parse", "HEAD"]);
  const status = commit === null ? null : git(programRoot, ["status", "--porcelain", "--untracked-files=no"]);
  return {
    tool: PLAN_TOOL,
    run: randomUUID(),
    commit,
    dirty: status !== null && status !== "",
    configHash: configHash(root),
    time: now.toISOString(),
  };
}
