/** The index service's environment: which published segment to serve, and how. */
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

export const indexServiceEnv = z.object({
  ASSET_BUCKET: z.string().min(3),
  /** The manifest the segment's pointer named, with its object version and the pointer's sha256. */
  MANIFEST_KEY: z.string().min(1),
  MANIFEST_VERSION_ID: z.string().optional(),
  MANIFEST_SHA256: z.string().regex(/^[0-9a-f]{64}$/, "a hex sha256"),
  HOST: z.string().default("0.0.0.0"),
  GRPC_PORT: envInt(0, 65535).default(50051),
  /** ef when a request leaves it 0 (hnswlib does not save ef with an index). */
  EF: envInt(1, 4096).default(64),
  /** Bound on a request's ef: how long one synchronous search may hold the event loop. */
  MAX_EF: envInt(1, 4096).default(512),
  MAX_K: envInt(1, 10_000).default(1000),
  /** Where the segment's files are downloaded (an emptyDir in the cluster). */
  SEGMENT_DIR: z.string().min(1).default("/segment"),
  DRAIN_TIMEOUT_SECONDS: envInt(1, 300).default(20),
});
export type IndexServiceSettings = Settings<typeof indexServiceEnv>;

export const loadIndexServiceSettings = (env: NodeJS.ProcessEnv = process.env): IndexServiceSettings =>
  loadSettings(indexServiceEnv, env);

/** The index service's environment for `settings`: the segment controller, the local run and the tests call this. */
export const environmentFor = (settings: SettingsInput<typeof indexServiceEnv>): Record<string, string> =>
  environmentFrom(indexServiceEnv, settings);
