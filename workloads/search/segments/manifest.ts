/**
 * A segment's manifest: everything a shard host needs to load and verify a segment, and
 * everything a person needs to know where it came from. Written last of the segment's files;
 * the tier+window pointer (pointer.ts) names it, so a manifest nobody points at is invisible.
 */
import { z } from "zod";
import { TIERS } from "./windows";

export const MANIFEST_SCHEMA = 1;
export const METRICS = ["ip", "l2", "cosine"] as const;

export const SegmentFile = z.strictObject({
  /** Key in the asset bucket. */
  key: z.string(),
  /** The object version written (null where the bucket is not versioned). */
  versionId: z.string().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.int().nonnegative(),
});
export type SegmentFile = z.infer<typeof SegmentFile>;

export const IndexParams = z.strictObject({
  library: z.string(),
  metric: z.enum(METRICS),
  m: z.int().positive(),
  efConstruction: z.int().positive(),
  randomSeed: z.int().nonnegative(),
  /** hnswlib does not save ef with the index: a loader must setEf(efSearch) after every load. */
  efSearch: z.int().positive(),
});
export type IndexParams = z.infer<typeof IndexParams>;

export const SegmentRef = z.strictObject({
  tier: z.enum(TIERS),
  window: z.string(),
  buildId: z.string(),
  manifestKey: z.string(),
  manifestVersionId: z.string().nullable(),
  contentSha256: z.string(),
});
export type SegmentRef = z.infer<typeof SegmentRef>;

export const FeedInput = z.strictObject({
  key: z.string(),
  versionId: z.string().nullable(),
  etag: z.string(),
  lines: z.int().nonnegative(),
});

export const Manifest = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  buildId: z.string(),
  tier: z.enum(TIERS),
  window: z.strictObject({ name: z.string(), start: z.iso.datetime(), end: z.iso.datetime() }),
  itemCount: z.int().nonnegative(),
  tombstoneCount: z.int().nonnegative(),
  dimension: z.int().positive(),
  embeddingVersion: z.string(),
  index: IndexParams,
  files: z.strictObject({
    /** hnswlib index; labels are row numbers in vectors and items. */
    index: SegmentFile,
    /** float32 little-endian, itemCount rows of `dimension`. */
    vectors: SegmentFile,
    /** NDJSON, one SegmentItem per row, in label order. */
    items: SegmentFile,
    /** NDJSON Tombstones, sorted by time. */
    tombstones: SegmentFile,
  }),
  /** sha256 over the four files' hashes: equal exactly when two builds wrote the same content. */
  contentSha256: z.string(),
  inputs: z.strictObject({
    feed: z.array(FeedInput),
    imageBucket: z.string().nullable(),
    segments: z.array(SegmentRef),
  }),
  /** Built although an input was missing (`--force`): the reasons it was incomplete. */
  forcedPast: z.array(z.string()),
  counts: z.record(z.string(), z.number()),
  timingsMs: z.record(z.string(), z.number()),
  builtAt: z.iso.datetime(),
});
export type Manifest = z.infer<typeof Manifest>;

/** One row of items.ndjson: the item, the state its vector shows, and the photo embedded. */
export const SegmentItem = z.strictObject({
  itemId: z.string(),
  at: z.string(),
  seq: z.int(),
  photo: z.strictObject({ bucket: z.string(), key: z.string(), versionId: z.string() }),
});
export type SegmentItem = z.infer<typeof SegmentItem>;

export const Pointer = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  tier: z.enum(TIERS),
  window: z.string(),
  buildId: z.string(),
  manifestKey: z.string(),
  manifestVersionId: z.string().nullable(),
  manifestSha256: z.string(),
  contentSha256: z.string(),
  publishedAt: z.iso.datetime(),
});
export type Pointer = z.infer<typeof Pointer>;
