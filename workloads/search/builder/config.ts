/**
 * What a segment build needs to know, as typed settings (main.ts reads them from the
 * environment with `BuildEnv`; tests and the local run construct them directly).
 */
import { z } from "zod";
import { environmentFrom, envInt, type SettingsInput } from "../../shared/env";
import { sessionEnv } from "../../shared/image-model/session-env";
import { METRICS, type IndexParams } from "../segments/manifest";

export interface BuildSettings {
  feedBucket: string;
  /** Prefix of the feed's hour partitions, e.g. `catalogue/` (empty for the bucket's root). */
  feedPrefix: string;
  imageBucket: string;
  assetBucket: string;
  index: Omit<IndexParams, "library">;
  /** Photos per inference batch. */
  embedBatch: number;
  /** Photo downloads in flight. */
  downloadConcurrency: number;
  /** How long after an hour ends its partition may still receive objects (Firehose buffers up to 900 s). */
  feedCloseGraceMs: number;
  imageLimits: { maxBytes: number; maxPixels: number };
  /** Local scratch space for segment files. */
  workDir: string;
}

export const DEFAULT_INDEX: BuildSettings["index"] = {
  metric: "ip",
  m: 16,
  efConstruction: 200,
  randomSeed: 100,
  efSearch: 64,
};

const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "not an S3 bucket name");

/** The build's environment; every variable is validated at start and named when wrong. */
export const BuildEnv = z.object({
  FEED_BUCKET: bucket,
  FEED_PREFIX: z.string().default(""),
  IMAGE_BUCKET: bucket,
  ASSET_BUCKET: bucket,
  /** `s3://bucket/key?versionId=` or a path: the embedder ONNX (scripts/build-model). */
  EMBEDDER_MODEL_URI: z.string().min(1),
  /** Optional PCA asset (`s3://...` or a path); its version joins the embedding version. */
  PROJECTION_URI: z.string().optional(),
  ...sessionEnv,
  EMBED_BATCH: envInt(1, 512).default(16),
  DOWNLOAD_CONCURRENCY: envInt(1, 256).default(16),
  HNSW_METRIC: z.enum(METRICS).default(DEFAULT_INDEX.metric),
  HNSW_M: envInt(2, 128).default(DEFAULT_INDEX.m),
  HNSW_EF_CONSTRUCTION: envInt(8, 4096).default(DEFAULT_INDEX.efConstruction),
  HNSW_RANDOM_SEED: envInt(0, 2 ** 31 - 1).default(DEFAULT_INDEX.randomSeed),
  HNSW_EF_SEARCH: envInt(1, 4096).default(DEFAULT_INDEX.efSearch),
  FEED_CLOSE_GRACE_SECONDS: envInt(0, 86_400).default(900),
  MAX_IMAGE_BYTES: envInt(1, 100_000_000).default(10_000_000),
  MAX_IMAGE_PIXELS: envInt(1, 500_000_000).default(40_000_000),
  CACHE_DIR: z.string().min(1),
  CACHE_MAX_BYTES: envInt(1_000_000, Number.MAX_SAFE_INTEGER).default(10_000_000_000),
  WORK_DIR: z.string().min(1).default("/tmp/search-build"),
});
export type BuildEnv = z.output<typeof BuildEnv>;

export function settingsFromEnv(env: BuildEnv): BuildSettings {
  return {
    feedBucket: env.FEED_BUCKET,
    feedPrefix: env.FEED_PREFIX,
    imageBucket: env.IMAGE_BUCKET,
    assetBucket: env.ASSET_BUCKET,
    index: {
      metric: env.HNSW_METRIC,
      m: env.HNSW_M,
      efConstruction: env.HNSW_EF_CONSTRUCTION,
      randomSeed: env.HNSW_RANDOM_SEED,
      efSearch: env.HNSW_EF_SEARCH,
    },
    embedBatch: env.EMBED_BATCH,
    downloadConcurrency: env.DOWNLOAD_CONCURRENCY,
    feedCloseGraceMs: env.FEED_CLOSE_GRACE_SECONDS * 1000,
    imageLimits: { maxBytes: env.MAX_IMAGE_BYTES, maxPixels: env.MAX_IMAGE_PIXELS },
    workDir: env.WORK_DIR,
  };
}

/** What gives a build its environment: BuildEnv's variables as camelCase settings. */
export type BuildEnvSettings = SettingsInput<typeof BuildEnv>;

/**
 * Settings a deployment may tune. The others name the deployment's own resources and places
 * (buckets, model, cache and work directories) or follow from its hardware (execution provider).
 */
export type BuildTuning = Omit<
  BuildEnvSettings,
  | "feedBucket"
  | "feedPrefix"
  | "imageBucket"
  | "assetBucket"
  | "embedderModelUri"
  | "executionProvider"
  | "cacheDir"
  | "workDir"
>;

/** FEED_CLOSE_GRACE_SECONDS when the environment leaves it out. */
export const DEFAULT_FEED_CLOSE_GRACE_SECONDS: number = BuildEnv.shape.FEED_CLOSE_GRACE_SECONDS.parse(undefined);

/** The build's environment for `settings`: the search layer's CronJobs and the tests call this. */
export const environmentFor = (settings: BuildEnvSettings): Record<string, string> =>
  environmentFrom(BuildEnv, settings);
