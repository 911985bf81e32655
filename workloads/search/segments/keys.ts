/**
 * The asset repository's keys (one versioned, private, encrypted S3 bucket):
 *   segments/<tier>/<window>/<buildId>/{index.hnsw,vectors.f32,items.ndjson,tombstones.ndjson,manifest.json}
 *   pointers/<tier>/<window>.json   the published segment of a window (written last)
 *   runs/<buildId>.json             the build's run record, whatever its outcome
 *   assets/projections/<version>.json
 */
import type { Tier } from "./windows";

export const segmentPrefix = (tier: Tier, window: string, buildId: string) => `segments/${tier}/${window}/${buildId}/`;
export const pointerKey = (tier: Tier, window: string) => `pointers/${tier}/${window}.json`;
export const runRecordKey = (buildId: string) => `runs/${buildId}.json`;
export const SEGMENT_FILES = {
  index: "index.hnsw",
  vectors: "vectors.f32",
  items: "items.ndjson",
  tombstones: "tombstones.ndjson",
} as const;
export const MANIFEST_FILE = "manifest.json";
