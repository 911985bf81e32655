/** The shard host's environment: where its assignment is, how it searches, and its limits. */
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

export const shardHostEnv = z.object({
  ASSET_BUCKET: z.string().min(3),
  /** The host's assignment document (a ConfigMap key mounted as a file in the cluster), re-read every POLL_SECONDS. */
  ASSIGNMENT_FILE: z.string().min(1),
  POLL_SECONDS: envInt(1, 3600).default(5),
  HOST: z.string().default("0.0.0.0"),
  GRPC_PORT: envInt(0, 65535).default(50051),
  OPS_PORT: envInt(0, 65535).default(9090),
  /** Search threads; 0: one per core the process may use. */
  SEARCH_THREADS: envInt(0, 256).default(0),
  /** ef when a request leaves it 0 (hnswlib does not save ef with an index). */
  EF: envInt(1, 4096).default(64),
  /** Bound on a request's ef: how long one search may hold a search thread. */
  MAX_EF: envInt(1, 4096).default(512),
  MAX_K: envInt(1, 10_000).default(1000),
  /** Queries one Search call may carry. */
  MAX_BATCH: envInt(1, 4096).default(256),
  /** Where segment files are downloaded (an emptyDir in the cluster). */
  SEGMENT_DIR: z.string().min(1).default("/segments"),
  /** How long a segment no longer assigned keeps answering: more than the front's refresh plus its deadline. */
  RETIRE_GRACE_SECONDS: envInt(0, 3600).default(30),
  DRAIN_TIMEOUT_SECONDS: envInt(1, 300).default(20),
});
export type ShardHostSettings = Settings<typeof shardHostEnv>;

export const loadShardHostSettings = (env: NodeJS.ProcessEnv = process.env): ShardHostSettings =>
  loadSettings(shardHostEnv, env);

/** The host's environment for `settings`: the segment controller, the local run and the tests call this. */
export const environmentFor = (settings: SettingsInput<typeof shardHostEnv>): Record<string, string> =>
  environmentFrom(shardHostEnv, settings);
