/**
 * The one definition of a segment. A segment is the index of one tier's window, built with one
 * embedding version; its id is `<tier>/<window name>/<embedding version>` everywhere (builder,
 * repository, controller, host, front, logs). A rebuild of the window is a new build of the same
 * segment: the build id says which one is published.
 */
import { z } from "zod";
import { parseWindow, TIERS, windowOf, type Tier } from "./windows";

/** What identifies a segment. */
export interface SegmentKey {
  tier: Tier;
  /** The window's name (`2026-11-02T10`, `2026-11-02`, `2026-11`). */
  window: string;
  embeddingVersion: string;
}

/** A segment whose pointer publishes a build: what the controller assigns and a host loads. */
export interface PublishedSegment extends SegmentKey {
  /** Window start, UTC. */
  start: Date;
  buildId: string;
  manifestKey: string;
  manifestVersionId: string | null;
  /** The pointer's sha256 of the manifest's bytes: a host loads exactly this build. */
  manifestSha256: string;
  itemCount: number;
  dimension: number;
  /** HNSW links per node (memory per vector depends on it). */
  m: number;
}

export function segmentId(key: SegmentKey): string {
  return `${key.tier}/${key.window}/${key.embeddingVersion}`;
}

/** The key a segment id names, or an error naming the id. Embedding versions may hold `/`; tiers and windows never do. */
export function parseSegmentId(id: string): SegmentKey {
  const [tier, window, ...rest] = id.split("/");
  const embeddingVersion = rest.join("/");
  if (!(TIERS as readonly string[]).includes(tier) || !window || !embeddingVersion) {
    throw new Error(`segment id ${JSON.stringify(id)}: expected <tier>/<window>/<embedding version>`);
  }
  const w = parseWindow(tier as Tier, window);
  if (w.name !== window) throw new Error(`segment id ${JSON.stringify(id)}: ${window} is not a ${tier} window name`);
  return { tier: tier as Tier, window, embeddingVersion };
}

/** Window start of a segment key. */
export const startOf = (key: SegmentKey): Date => parseWindow(key.tier, key.window).start;

/**
 * The latest event time a segment's build applied: its window's end. A tombstone at or after it
 * makes the segment's vector of that item stale.
 */
export const horizonOf = (key: SegmentKey): Date => windowOf(key.tier, startOf(key)).end;

/** A published segment as JSON (the host assignment document carries these). */
export const PublishedSegmentJson = z.strictObject({
  tier: z.enum(TIERS),
  window: z.string().min(1),
  embeddingVersion: z.string().min(1),
  buildId: z.string().min(1),
  manifestKey: z.string().min(1),
  manifestVersionId: z.string().nullable(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/, "a hex sha256"),
  itemCount: z.int().nonnegative(),
  dimension: z.int().positive(),
  m: z.int().positive(),
});

export function encodePublished(s: PublishedSegment): z.infer<typeof PublishedSegmentJson> {
  return {
    tier: s.tier,
    window: s.window,
    embeddingVersion: s.embeddingVersion,
    buildId: s.buildId,
    manifestKey: s.manifestKey,
    manifestVersionId: s.manifestVersionId,
    manifestSha256: s.manifestSha256,
    itemCount: s.itemCount,
    dimension: s.dimension,
    m: s.m,
  };
}

export function decodePublished(json: unknown, where: string): PublishedSegment {
  const parsed = PublishedSegmentJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue.path.join(".") || "segment"}: ${issue.message}`);
  }
  const start = parseWindow(parsed.data.tier, parsed.data.window);
  if (start.name !== parsed.data.window) throw new Error(`${where}: window ${parsed.data.window} is not a window name`);
  return { ...parsed.data, start: start.start };
}
