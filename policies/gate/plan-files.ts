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

export interface PlanFile {
  stack: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
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
  return { stack: data.stack, resources, outputs: (data.outputs as Record<string, unknown> | undefined) ?? {} };
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
  return parsePlan(data, file);
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
  return files.map((f) => readPlanFile(path.join(dir, f)));
}
