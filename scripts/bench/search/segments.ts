/**
 * Bench measurements of the build's own code (no S3): HNSW insertion throughput, compaction of
 * many segments into one, and a published index's size and resident memory when loaded.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Tombstone } from "../../../workloads/search/builder/apply-events";
import { compact } from "../../../workloads/search/builder/compact";
import { writeSegment, type SegmentContent } from "../../../workloads/search/builder/segment-files";
import { SEGMENT_FILES } from "../../../workloads/search/segments/keys";
import { REPO_ROOT } from "../../../workloads/shared/repo-root";
import type { IndexParams, SegmentItem } from "../../../workloads/search/segments/manifest";

const at = (ms: number) => new Date(Date.UTC(2026, 10, 1) + ms).toISOString();

/** `vectors` split into `parts` segments of consecutive items, each part's items a distinct id range. */
export function splitIntoSegments(
  vectors: Float32Array,
  dimension: number,
  parts: number,
  spanMs: number,
): SegmentContent[] {
  const n = vectors.length / dimension;
  const out: SegmentContent[] = [];
  for (let p = 0; p < parts; p++) {
    const from = Math.floor((p * n) / parts);
    const to = Math.floor(((p + 1) * n) / parts);
    const items: SegmentItem[] = [];
    for (let i = from; i < to; i++)
      items.push({
        itemId: `item-${String(i).padStart(8, "0")}`,
        at: at(p * spanMs),
        seq: 0,
        photo: { bucket: "b", key: `p/${i}.jpg`, versionId: "v" },
      });
    // A few sales of earlier parts' items, as a real feed has.
    const tombstones: Tombstone[] = [];
    for (let k = 0; k < Math.min(10, from); k++)
      tombstones.push({
        itemId: `item-${String(k * 7).padStart(8, "0")}`,
        at: at(p * spanMs + 1),
        seq: 1,
        kind: "sold",
      });
    out.push({ dimension, items, vectors: vectors.subarray(from * dimension, to * dimension), tombstones });
  }
  return out;
}

export interface SegmentBuildFigures {
  vectors: number;
  mergeMs: number;
  indexMs: number;
  totalMs: number;
  indexBytes: number;
  vectorBytes: number;
}

/** Compaction as the build runs it: merge the inputs, build the index, write the files. */
export async function compactAndWrite(
  inputs: SegmentContent[],
  params: IndexParams,
): Promise<SegmentBuildFigures & { dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "search-bench-"));
  const started = Date.now();
  const { content } = compact(inputs);
  const merged = Date.now();
  const timings = await writeSegment(dir, content, params);
  const totalMs = Date.now() - started;
  return {
    dir,
    vectors: content.items.length,
    mergeMs: merged - started,
    indexMs: timings.indexMs,
    totalMs,
    indexBytes: (await stat(path.join(dir, SEGMENT_FILES.index))).size,
    vectorBytes: (await stat(path.join(dir, SEGMENT_FILES.vectors))).size,
  };
}

/** Resident memory an index costs once loaded: a fresh Node process's RSS before and after readIndex. */
export async function residentBytes(indexFile: string, metric: string, dimension: number): Promise<number> {
  const script = `
    const { HierarchicalNSW } = require("hnswlib-node");
    const before = process.memoryUsage().rss;
    const index = new HierarchicalNSW(${JSON.stringify(metric)}, ${dimension});
    index.readIndexSync(${JSON.stringify(indexFile)});
    index.setEf(64);
    index.searchKnn(new Array(${dimension}).fill(0.01), 10);
    console.log(process.memoryUsage().rss - before);`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
    cwd: REPO_ROOT,
  });
  return Number(stdout.trim());
}

export const cleanUp = (dir: string) => rm(dir, { recursive: true, force: true });
