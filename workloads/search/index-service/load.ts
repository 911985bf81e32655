/**
 * Loads one published segment for an index service: the manifest its pointer named (checked
 * against the pointer's sha256), then the index and the item list, each checked against the
 * manifest's sha256 before it is used. A file that does not match stops the load with its key:
 * an index service never serves a segment it cannot vouch for.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import type { AssetRepository } from "../repository/asset-repository";
import { Manifest, SegmentItem } from "../segments/manifest";
import { HnswSegment } from "./segment";

export interface SegmentToLoad {
  manifestKey: string;
  manifestVersionId: string | null;
  /** The pointer's sha256 of the manifest's bytes. */
  manifestSha256: string;
}

export async function loadSegment(repo: AssetRepository, ref: SegmentToLoad, dir: string): Promise<HnswSegment> {
  const where = `s3://${repo.bucket}/${ref.manifestKey}`;
  const bytes = await repo.getBytes(ref.manifestKey, ref.manifestVersionId);
  if (bytes === undefined) throw new Error(`${where}: no such manifest (version ${ref.manifestVersionId ?? "latest"})`);
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== ref.manifestSha256)
    throw new Error(`${where}: sha256 ${digest} is not the pointer's ${ref.manifestSha256}`);
  const manifest = Manifest.parse(JSON.parse(Buffer.from(bytes).toString("utf8")));

  const indexFile = path.join(dir, "index.hnsw");
  const itemsFile = path.join(dir, "items.ndjson");
  const tombstonesFile = path.join(dir, "tombstones.ndjson");
  await repo.fetchVerified(manifest.files.index, indexFile);
  await repo.fetchVerified(manifest.files.items, itemsFile);
  await repo.fetchVerified(manifest.files.tombstones, tombstonesFile);
  const tombstones = (await readFile(tombstonesFile, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const t = JSON.parse(line) as { itemId: string; at: string; kind: string };
      return { itemId: t.itemId, at: t.at, kind: t.kind };
    });

  const ids = (await readFile(itemsFile, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => SegmentItem.parse(JSON.parse(line)).itemId);
  const index = new HierarchicalNSW(manifest.index.metric, manifest.dimension);
  index.readIndexSync(indexFile);
  if (index.getCurrentCount() !== manifest.itemCount || ids.length !== manifest.itemCount) {
    throw new Error(
      `${where}: the index holds ${index.getCurrentCount()} items and the item list ${ids.length}; the manifest says ${manifest.itemCount}`,
    );
  }
  return new HnswSegment(
    {
      segmentId: `${manifest.tier}/${manifest.window.name}/${manifest.embeddingVersion}`,
      tier: manifest.tier,
      windowStart: new Date(manifest.window.start),
      windowEnd: new Date(manifest.window.end),
      itemCount: manifest.itemCount,
      dimension: manifest.dimension,
      embeddingVersion: manifest.embeddingVersion,
      metric: manifest.index.metric,
      m: manifest.index.m,
      efConstruction: manifest.index.efConstruction,
    },
    index,
    ids,
    tombstones,
  );
}
