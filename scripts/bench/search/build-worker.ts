/**
 * Bench build worker: builds HNSW indexes over row ranges of a float32 vectors file and writes
 * each with hnswlib's writeIndex (`segment-cache.ts` starts one per core). Input: the `BUILD`
 * environment variable, JSON `{dir, vectorsFile, params, jobs}`; a JSON line per index built.
 */
import { open, rename } from "node:fs/promises";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import type { BuildJob, HnswParams } from "./segment-cache";

interface Input {
  dir: string;
  vectorsFile: string;
  params: HnswParams;
  jobs: BuildJob[];
}

async function main(): Promise<void> {
  const { dir, vectorsFile, params, jobs } = JSON.parse(process.env.BUILD ?? "") as Input;
  const d = params.dimension;
  const file = await open(vectorsFile, "r");
  try {
    for (const job of jobs) {
      const started = Date.now();
      const rows = new Float32Array(job.count * d);
      await file.read(new Uint8Array(rows.buffer), 0, rows.byteLength, job.from * d * 4);
      const index = new HierarchicalNSW(params.metric as "ip", d);
      index.initIndex(Math.max(job.count, 1), params.m, params.efConstruction, params.randomSeed);
      for (let i = 0; i < job.count; i++) index.addPoint(Array.from(rows.subarray(i * d, (i + 1) * d)), i);
      const out = path.join(dir, job.file);
      // Synchronously: with the async writeIndex, nothing holds `index` while the write runs on
      // libuv's pool, and a GC that frees it cuts the file short (seen: a 350k segment at 54 MB).
      index.writeIndexSync(`${out}.partial`);
      const check = new HierarchicalNSW(params.metric as "ip", d);
      check.readIndexSync(`${out}.partial`);
      if (check.getCurrentCount() !== job.count) {
        throw new Error(`${job.file}: wrote ${check.getCurrentCount()} points of ${job.count}`);
      }
      await rename(`${out}.partial`, out);
      console.log(JSON.stringify({ msg: "built", file: job.file, count: job.count, ms: Date.now() - started }));
    }
  } finally {
    await file.close();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
