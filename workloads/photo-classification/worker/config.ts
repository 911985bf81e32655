import { z } from "zod";
import { environmentFrom, envInt, envNumber, loadSettings, type Settings, type SettingsInput } from "../../shared/env";
import { sessionEnv } from "../../shared/image-model/session-env";

export const workerEnv = z.object({
  QUEUE_URL: z.url(),
  DEAD_LETTER_QUEUE_URL: z.url(),
  UPLOAD_BUCKET: z.string().min(3),
  UPLOAD_PREFIX: z
    .string()
    .regex(/^([^/].*\/)?$/, "empty or a key prefix ending in /")
    .default("uploads/"),
  API_URL: z.url(),
  API_TOKEN: z.string().min(32, "at least 32 characters"),
  /** A local path, or s3://bucket/key?versionId=... */
  MODEL_URI: z.string().min(1),
  ...sessionEnv,
  BATCH_SIZE: envInt(1, 128).default(8),
  /** How long a partial batch waits for more photos before it runs anyway. */
  BATCH_LINGER_MS: envInt(0, 5000).default(25),
  /** Photos (not messages) in flight at once: bounds downloads, decodes and memory, however many records a message has. */
  MAX_PHOTOS_IN_FLIGHT: envInt(1, 1000).default(32),
  /** Receive calls under way at once (each takes up to 10 messages). */
  RECEIVE_CONCURRENCY: envInt(1, 10).default(2),
  WAIT_TIME_SECONDS: envInt(0, 20).default(20),
  /** Kept short and extended while a photo is being worked on, so a dead worker's photos come back soon. */
  VISIBILITY_TIMEOUT_SECONDS: envInt(2, 43200).default(60),
  MAX_IMAGE_BYTES: envInt(1, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  MAX_IMAGE_PIXELS: envInt(1, 500_000_000).default(40_000_000),
  /** The default is the food head's threshold, chosen on the training split (MODEL.md, food-classifier.figures.json). */
  FOOD_THRESHOLD: envNumber(0, 1).default(0.4923),
  /** Tries of one report before the API counts as down (its circuit breaker opens). */
  REPORT_ATTEMPTS: envInt(1, 100).default(4),
  REPORT_BACKOFF_MS: envInt(1, 60_000).default(250),
  REPORT_BACKOFF_MAX_MS: envInt(1, 300_000).default(15_000),
  /** A message released after a passing failure stays hidden BASE × 2^(receives − 1) seconds, at most MAX. */
  RELEASE_BACKOFF_SECONDS: envInt(0, 43200).default(10),
  RELEASE_BACKOFF_MAX_SECONDS: envInt(0, 43200).default(900),
  /** Time between probes of a dependency (the API, S3) while its circuit breaker is open. */
  PROBE_INTERVAL_MS: envInt(100, 600_000).default(5000),
  /**
   * Must be below the ECS stopTimeout, or SIGKILL arrives first. It covers the receive under way at
   * SIGTERM (up to WAIT_TIME_SECONDS) as well as the photos in flight.
   */
  STOP_TIMEOUT_SECONDS: envInt(1, 3600).default(30),
  METRICS_PORT: envInt(0, 65535).default(9464),
});
export type WorkerSettings = Settings<typeof workerEnv>;

export const loadWorkerSettings = (env: NodeJS.ProcessEnv = process.env): WorkerSettings =>
  loadSettings(workerEnv, env);

/**
 * The worker's environment for `settings`: the stack, the local harness and the tests call this.
 * The API token may be left out where the platform injects it as a secret.
 */
export const environmentFor = (
  settings: Omit<SettingsInput<typeof workerEnv>, "apiToken"> & { apiToken?: string },
): Record<string, string> => environmentFrom(workerEnv, settings);

/**
 * The `event` of the log line written for each photo whose report the API refused as unauthorised:
 * the classification stack's CloudWatch metric filter counts these lines (the alarm's metric).
 */
export const API_AUTH_REFUSED_EVENT = "api-auth-refused";
