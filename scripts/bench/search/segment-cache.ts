/**
 * Built bench indexes kept on disk between runs (`.cache/bench/search-serve/<key>/`), keyed by a
 * hash of everything that shapes them, and built in parallel worker processes when absent:
 * building 2M HNSW points (the tiers and the single index) on one core takes most of an hour.
 */
import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { spawnNode } from "../../../workloads/shared/node-process";

export interface BuildJob {
  /** File name of the index inside the cache directory. */
  file: string;
  /** First row of the vectors file. */
  from: number;
  count: number;
}

export interface HnswParams {
  metric: string;
  dimension: number;
  m: number;
  efConstruction: number;
  randomSeed: number;
}

/** JSON with object keys sorted at every depth, so equal values always hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The cache directory's name for `params`: 16 hex digits of their canonical JSON's sha256. */
export const cacheKey = (params: unknown): string =>
  createHash("sha256").update(canonicalJson(params)).digest("hex").slice(0, 16);

/**
 * Jobs spread over `workers` queues so the queues' point counts are as even as greedy allows:
 * largest job first, each to the queue with the fewest points so far (ties: the lower queue).
 */
export function assignJobs(jobs: readonly BuildJob[], workers: number): BuildJob[][] {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers ${workers}: expected a positive integer`);
  const queues: BuildJob[][] = Array.from({ length: workers }, () => []);
  const load = new Array<number>(workers).fill(0);
  const order = [...jobs].sort((a, b) => b.count - a.count || a.from - b.from);
  for (const job of order) {
    const w = load.indexOf(Math.min(...load));
    queues[w].push(job);
    load[w] += job.count;
  }
  return queues.filter((q) => q.length > 0);
}

/**
 * Builds each job's index from `vectorsFile` (rows of float32) into `dir`, in `workers` processes
 * (`build-worker.ts`); resolves with the wall seconds it took. A worker that fails fails the build
 * with its output.
 */
export async function buildIndexes(
  dir: string,
  vectorsFile: string,
  params: HnswParams,
  jobs: readonly BuildJob[],
  workers: number,
): Promise<number> {
  const started = Date.now();
  const runs = assignJobs(jobs, workers).map((queue) =>
    spawnNode(["--import", "tsx", path.join(__dirname, "build-worker.ts")], {
      BUILD: JSON.stringify({ dir, vectorsFile, params, jobs: queue }),
    }),
  );
  const results = await Promise.all(runs.map((r) => r.exited));
  const failed = results.findIndex((r) => r.code !== 0);
  if (failed >= 0) {
    throw new Error(
      `build worker ${failed} ended with ${JSON.stringify(results[failed])}: ${JSON.stringify(runs[failed].logs())}`,
    );
  }
  return (Date.now() - started) / 1000;
}

/** Writes `file` whole or not at all (a run interrupted mid-write leaves no half file to load). */
export async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${file}.partial`, data);
  await rename(`${file}.partial`, file);
}
