/**
 * Reads the offline plan (`npm run plan -- --out DIR`): one `<stack>.json` per stack. The gate
 * checks the shape itself rather than trusting it, so a broken file is reported by name and field
 * instead of surfacing later as a confusing policy error.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";

export interface PlanResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  inputs: Record<string, unknown>;
  dependencies: string[];
}

/** What a plan file says it was built from (`npm run plan` writes it; other tools may not). */
export interface PlanProvenance {
  tool: string;
  run: string;
  commit: string | null;
  dirty: boolean;
  configHash: string;
  time: string;
}

export interface PlanFile {
  stack: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  provenance?: PlanProvenance;
  /** The file it was read from (for messages). */
  file?: string;
}

export class PlanFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`malformed plan file ${file}: ${problem}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates one parsed plan; `file` only names the source in errors. */
export function parsePlan(data: unknown, file: string): PlanFile {
  if (!isRecord(data)) throw new PlanFileError(file, "top level must be a JSON object");
  if (typeof data.stack !== "string" || data.stack === "") {
    throw new PlanFileError(file, '"stack" must be a non-empty string');
  }
  if (!Array.isArray(data.resources)) throw new PlanFileError(file, '"resources" must be an array');
  if (data.outputs !== undefined && !isRecord(data.outputs)) {
    throw new PlanFileError(file, '"outputs" must be an object when present');
  }
  const resources = data.resources.map((r: unknown, i: number): PlanResource => {
    const at = `resources[${i}]`;
    if (!isRecord(r)) throw new PlanFileError(file, `${at} must be an object`);
    for (const key of ["type", "name", "urn"] as const) {
      if (typeof r[key] !== "string" || r[key] === "") {
        throw new PlanFileError(file, `${at}.${key} must be a non-empty string`);
      }
    }
    if (r.parent !== undefined && r.parent !== null && typeof r.parent !== "string") {
      throw new PlanFileError(file, `${at}.parent must be a URN string or null`);
    }
    if (r.inputs !== undefined && !isRecord(r.inputs)) throw new PlanFileError(file, `${at}.inputs must be an object`);
    const deps = r.dependencies ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== "string")) {
      throw new PlanFileError(file, `${at}.dependencies must be an array of URN strings`);
    }
    return {
      type: r.type as string,
      name: r.name as string,
      urn: r.urn as string,
      parent: (r.parent as string | null | undefined) ?? null,
      inputs: (r.inputs as Record<string, unknown> | undefined) ?? {},
      dependencies: deps as string[],
    };
  });
  const plan: PlanFile = {
    stack: data.stack,
    resources,
    outputs: (data.outputs as Record<string, unknown> | undefined) ?? {},
  };
  if (data.provenance !== undefined) plan.provenance = parseProvenance(data.provenance, file);
  return plan;
}

function parseProvenance(p: unknown, file: string): PlanProvenance {
  if (!isRecord(p)) throw new PlanFileError(file, '"provenance" must be an object when present');
  for (const key of ["tool", "run", "configHash", "time"] as const) {
    if (typeof p[key] !== "string" || p[key] === "") {
      throw new PlanFileError(file, `provenance.${key} must be a non-empty string`);
    }
  }
  if (p.commit !== null && typeof p.commit !== "string") {
    throw new PlanFileError(file, "provenance.commit must be a string or null");
  }
  if (typeof p.dirty !== "boolean") throw new PlanFileError(file, "provenance.dirty must be a boolean");
  return {
    tool: p.tool as string,
    run: p.run as string,
    commit: p.commit as string | null,
    dirty: p.dirty,
    configHash: p.configHash as string,
    time: p.time as string,
  };
}

/**
 * Refuses plans that do not belong together: files that carry provenance must all come from one
 * run (a stack that failed to plan must not be judged on its file from an earlier run). Files
 * without provenance are accepted as they are.
 */
export function checkBelongTogether(plans: PlanFile[], dir: string): void {
  const runs = new Map<string, PlanFile[]>();
  for (const plan of plans) {
    if (plan.provenance === undefined) continue;
    const key = plan.provenance.run;
    runs.set(key, [...(runs.get(key) ?? []), plan]);
  }
  if (runs.size <= 1) return;
  const describe = (group: PlanFile[]) => {
    const p = group[0].provenance as PlanProvenance;
    const commit = p.commit === null ? "no commit" : `commit ${p.commit.slice(0, 12)}${p.dirty ? "+changes" : ""}`;
    return `${group.map((g) => path.basename(g.file ?? g.stack)).join(", ")} (${p.time}, ${commit}, config ${p.configHash.slice(0, 12)})`;
  };
  throw new Error(
    `plans in ${dir} do not belong together: ${[...runs.values()].map(describe).join(" vs ")}; ` +
      `plan again into an empty directory: npm run plan -- --out ${dir}`,
  );
}

export function readPlanFile(file: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PlanFileError(file, `cannot read (${(err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  return { ...parsePlan(data, file), file };
}

/** Every `*.json` in DIR, sorted so output is stable; an empty or missing DIR is an error, not a pass. */
export function readPlanDir(dir: string): PlanFile[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    entries = readdirSync(dir);
  } catch (err) {
    throw new Error(`plan directory ${dir} cannot be read: ${(err as Error).message}`);
  }
  const files = entries.filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0)
    throw new Error(`plan directory ${dir} holds no *.json plan files (run: npm run plan -- --out ${dir})`);
  const plans = files.map((f) => readPlanFile(path.join(dir, f)));
  checkBelongTogether(plans, dir);
  return plans;
}
