/** The search front's environment. */
import { z } from "zod";
import { environmentFrom, envInt, envNumber, loadSettings, type Settings, type SettingsInput } from "../../shared/env";
import { sessionEnv } from "../../shared/image-model/session-env";

export const frontEnv = z.object({
  /** The namespace whose shard hosts the front discovers. */
  NAMESPACE: z.string().min(1),
  /** Label selector of the shard hosts' Services (the segment controller sets the component label). */
  HOST_SELECTOR: z.string().min(1).default("app.kubernetes.io/component=shard-host"),
  /** How often each host is asked what it serves, ms (hosts keep a retired segment answering far longer). */
  HOST_REFRESH_MS: envInt(100, 60_000).default(2000),
  HOST: z.string().default("0.0.0.0"),
  HTTP_PORT: envInt(0, 65535).default(8080),
  OPS_PORT: envInt(0, 65535).default(9090),
  /** The embedder ONNX (`s3://bucket/key?versionId=` or a path) and its optional PCA asset: one embedding version. */
  EMBEDDER_MODEL_URI: z.string().min(1),
  PROJECTION_URI: z.string().optional(),
  /** During a model roll-out, the new embedding version too: segments of either are searched with their own. */
  NEXT_EMBEDDER_MODEL_URI: z.string().optional(),
  NEXT_PROJECTION_URI: z.string().optional(),
  ...sessionEnv,
  RETENTION_DAYS: envInt(1, 3660).default(366),
  /** Each segment is asked for ceil(k × OVERSAMPLE) hits. */
  OVERSAMPLE: envNumber(1, 10).default(2),
  /** Deadline of each call to a host, ms. */
  HOST_DEADLINE_MS: envInt(10, 60_000).default(250),
  /** How long concurrent queries to the same host wait to share one call, ms (0: the same event-loop turn only). */
  BATCH_WINDOW_MS: envInt(0, 100).default(1),
  /** The most queries in one call to a host (at most the hosts' MAX_BATCH). */
  MAX_BATCH: envInt(1, 4096).default(64),
  /** ef sent to the hosts; 0 leaves it to each host. */
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
