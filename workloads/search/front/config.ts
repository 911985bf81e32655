/** The search front's environment. */
import { z } from "zod";
import { environmentFrom, envInt, envNumber, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

export const frontEnv = z.object({
  /** The namespace whose segment index services the front discovers. */
  NAMESPACE: z.string().min(1),
  /** Label selector of index services (the search layer sets the component label). */
  INDEX_SELECTOR: z.string().min(1).default("app.kubernetes.io/component=index-service"),
  HOST: z.string().default("0.0.0.0"),
  HTTP_PORT: envInt(0, 65535).default(8080),
  OPS_PORT: envInt(0, 65535).default(9090),
  /** The embedder ONNX (`s3://bucket/key?versionId=` or a path) and its optional PCA asset: one embedding version. */
  EMBEDDER_MODEL_URI: z.string().min(1),
  PROJECTION_URI: z.string().optional(),
  /** During a model roll-out, the new embedding version too: segments of either are searched with their own. */
  NEXT_EMBEDDER_MODEL_URI: z.string().optional(),
  NEXT_PROJECTION_URI: z.string().optional(),
  EXECUTION_PROVIDER: z.enum(["cpu", "cuda"]).default("cpu"),
  INFERENCE_THREADS: envInt(1, 64).default(2),
  RETENTION_DAYS: envInt(1, 3660).default(366),
  /** Each segment is asked for ceil(k × OVERSAMPLE) hits. */
  OVERSAMPLE: envNumber(1, 10).default(2),
  SEGMENT_DEADLINE_MS: envInt(10, 60_000).default(250),
  /** ef sent to index services; 0 leaves it to each service. */
  EF: envInt(0, 4096).default(0),
  MAX_K: envInt(1, 1000).default(100),
  DEFAULT_K: envInt(1, 1000).default(10),
  MAX_PHOTO_BYTES: envInt(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
  MAX_PHOTO_PIXELS: envInt(1, 500_000_000).default(40_000_000),
});
export type FrontSettings = Settings<typeof frontEnv>;

export const loadFrontSettings = (env: NodeJS.ProcessEnv = process.env): FrontSettings => loadSettings(frontEnv, env);

/** What gives the front its environment: settings with a default may be left out. */
export type FrontSettingsInput = SettingsInput<typeof frontEnv>;

export const environmentFor = (settings: FrontSettingsInput): Record<string, string> =>
  environmentFrom(frontEnv, settings);
