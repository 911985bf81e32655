/**
 * A segment's files on local disk, before upload and after download. Row i of the vectors, line
 * i of the items and label i of the index are the same item. Everything is written in a fixed
 * order from sorted inputs, and hnswlib is seeded, so the same inputs give the same bytes.
 */
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import type { Tombstone } from "./apply-events";
import { SegmentItem, type IndexParams } from "../segments/manifest";
import { SEGMENT_FILES } from "../segments/keys";

export interface SegmentContent {
  dimension: number;
  items: SegmentItem[];
  /** items.length rows of `dimension`. */
  vectors: Float32Array;
  tombstones: Tombstone[];
}

export interface WriteTimings {
  indexMs: number;
  writeMs: number;
}

export async function writeSegment(dir: string, content: SegmentContent, params: IndexParams): Promise<WriteTimings> {
  const { dimension, items, vectors, tombstones } = content;
  if (vectors.length !== items.length * dimension)
    throw new Error(
      `segment of ${items.length} items needs ${items.length * dimension} vector values, got ${vectors.length}`,
    );
  const started = Date.now();
  const index = new HierarchicalNSW(params.metric, dimension);
  // hnswlib refuses a zero-capacity index; an empty window still publishes an (empty) segment.
  index.initIndex(Math.max(items.length, 1), params.m, params.efConstruction, params.randomSeed);
  for (let i = 0; i < items.length; i++)
    index.addPoint(Array.from(vectors.subarray(i * dimension, (i + 1) * dimension)), i);
  const indexed = Date.now();
  // Synchronously: the async writeIndex does not keep the JS object alive, and a garbage
  // collection during the write (likely while a large build churns memory) frees the native
  // index under it, leaving a truncated file. A batch job loses nothing by blocking here.
  index.writeIndexSync(path.join(dir, SEGMENT_FILES.index));
  const le = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error("vectors.f32 is little-endian; this host is not");
  await writeFile(path.join(dir, SEGMENT_FILES.vectors), le);
  await writeFile(path.join(dir, SEGMENT_FILES.items), ndjson(items));
  await writeFile(path.join(dir, SEGMENT_FILES.tombstones), ndjson(tombstones));
  return { indexMs: indexed - started, writeMs: Date.now() - indexed };
}

const ndjson = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

/** Vectors, items and tombstones of a downloaded segment (the index file is the server's). */
export async function readSegmentData(dir: string, dimension: number): Promise<SegmentContent> {
  const raw = await readFile(path.join(dir, SEGMENT_FILES.vectors));
  const vectors = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const items = (await readFile(path.join(dir, SEGMENT_FILES.items), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => SegmentItem.parse(JSON.parse(line)));
  const tombstones = (await readFile(path.join(dir, SEGMENT_FILES.tombstones), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Tombstone);
  if (vectors.length !== items.length * dimension)
    throw new Error(`${dir}: ${items.length} items but ${vectors.length / dimension} vectors`);
  return { dimension, items, vectors, tombstones };
}
