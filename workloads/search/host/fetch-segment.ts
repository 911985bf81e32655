/**
 * Fetches one published segment for a shard host: the manifest its pointer named (checked against
 * the pointer's sha256), then the files the chosen search needs (the HNSW index for a graph, the
 * raw vectors for an exact scan), the item list and the tombstones, each checked against the
 * manifest's sha256 before it is used. A file that does not match stops the load with its key:
 * a host never serves a segment it cannot vouch for.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import type { AssetRepository } from "../repository/asset-repository";
import { searchKindOf, type SearchKind } from "../segments/assignment";
import { Manifest, SegmentItem } from "../segments/manifest";
import { segmentId, type PublishedSegment } from "../segments/segment";
import type { SegmentFiles } from "./searchable";

export interface SegmentTombstone {
  itemId: string;
  at: string;
  kind: string;
}

export interface FetchedSegment {
  files: SegmentFiles;
  tombstones: SegmentTombstone[];
  /** The index's build parameter (reported by Info). */
  efConstruction: number;
}

export async function fetchSegment(
  repo: AssetRepository,
  segment: PublishedSegment,
  flatMaxItems: number,
  dir: string,
): Promise<FetchedSegment> {
  const where = `s3://${repo.bucket}/${segment.manifestKey}`;
  const bytes = await repo.getBytes(segment.manifestKey, segment.manifestVersionId);
  if (bytes === undefined)
    throw new Error(`${where}: no such manifest (version ${segment.manifestVersionId ?? "latest"})`);
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== segment.manifestSha256) {
    throw new Error(`${where}: sha256 ${digest} is not the pointer's ${segment.manifestSha256}`);
  }
  const manifest = Manifest.parse(JSON.parse(Buffer.from(bytes).toString("utf8")));
  const id = segmentId(segment);
  if (
    segmentId({ tier: manifest.tier, window: manifest.window.name, embeddingVersion: manifest.embeddingVersion }) !== id
  ) {
    throw new Error(`${where}: the manifest describes ${manifest.tier}/${manifest.window.name}, not ${id}`);
  }
  const kind: SearchKind = searchKindOf(manifest.itemCount, flatMaxItems);
  await mkdir(dir, { recursive: true });
  const main = kind === "hnsw" ? manifest.files.index : manifest.files.vectors;
  const mainFile = path.join(dir, kind === "hnsw" ? "index.hnsw" : "vectors.f32");
  const itemsFile = path.join(dir, "items.ndjson");
  const tombstonesFile = path.join(dir, "tombstones.ndjson");
  await Promise.all([
    repo.fetchVerified(main, mainFile),
    repo.fetchVerified(manifest.files.items, itemsFile),
    repo.fetchVerified(manifest.files.tombstones, tombstonesFile),
  ]);
  const ids = ndjson(await readFile(itemsFile, "utf8")).map((row) => SegmentItem.parse(row).itemId);
  if (ids.length !== manifest.itemCount) {
    throw new Error(`${where}: the item list holds ${ids.length} items; the manifest says ${manifest.itemCount}`);
  }
  const tombstones = ndjson(await readFile(tombstonesFile, "utf8")).map((row) => {
    const t = row as SegmentTombstone;
    return { itemId: t.itemId, at: t.at, kind: t.kind };
  });
  return {
    files: { kind, metric: manifest.index.metric, dimension: manifest.dimension, ids, path: mainFile },
    tombstones,
    efConstruction: manifest.index.efConstruction,
  };
}

const ndjson = (text: string): unknown[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
