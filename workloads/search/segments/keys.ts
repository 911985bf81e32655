/**
 * The asset repository's keys (one versioned, private, encrypted S3 bucket), each written here
 * beside its decoder:
 *   segments/<tier>/<window>/<buildId>/{index.hnsw,vectors.f32,items.ndjson,tombstones.ndjson,manifest.json}
 *   pointers/<tier>/<window>.json   the published segment of a window (written last)
 *   runs/<buildId>.json             the build's run record, whatever its outcome
 *   assets/projections/<version>.json
 */
import { parseWindow, TIERS, type Tier } from "./windows";

export const SEGMENTS_PREFIX = "segments/";
export const POINTERS_PREFIX = "pointers/";
export const RUNS_PREFIX = "runs/";

export const segmentPrefix = (tier: Tier, window: string, buildId: string) =>
  `${SEGMENTS_PREFIX}${tier}/${window}/${buildId}/`;
export const pointerKey = (tier: Tier, window: string) => `${POINTERS_PREFIX}${tier}/${window}.json`;
export const runRecordKey = (buildId: string) => `${RUNS_PREFIX}${buildId}.json`;
export const SEGMENT_FILES = {
  index: "index.hnsw",
  vectors: "vectors.f32",
  items: "items.ndjson",
  tombstones: "tombstones.ndjson",
} as const;
export const MANIFEST_FILE = "manifest.json";

const isWindow = (tier: string, window: string): tier is Tier => {
  if (!(TIERS as readonly string[]).includes(tier)) return false;
  try {
    return parseWindow(tier as Tier, window).name === window;
  } catch {
    return false;
  }
};

/** The tier and window a pointer key names, or undefined for any other key. */
export function parsePointerKey(key: string): { tier: Tier; window: string } | undefined {
  const m = /^pointers\/([a-z]+)\/([^/]+)\.json$/.exec(key);
  return m && isWindow(m[1], m[2]) ? { tier: m[1], window: m[2] } : undefined;
}

/** The tier, window and build a key under segments/ belongs to, or undefined for any other key. */
export function parseSegmentKey(key: string): { tier: Tier; window: string; buildId: string } | undefined {
  const m = /^segments\/([a-z]+)\/([^/]+)\/([^/]+)\//.exec(key);
  return m && isWindow(m[1], m[2]) ? { tier: m[1], window: m[2], buildId: m[3] } : undefined;
}

/** The build id of a run record key, or undefined. */
export function parseRunRecordKey(key: string): string | undefined {
  return /^runs\/([^/]+)\.json$/.exec(key)?.[1];
}
