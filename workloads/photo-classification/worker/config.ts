import { z } from "zod";
import { envInt, envNumber, loadEnv } from "../../shared/env";

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
  EXECUTION_PROVIDER: z.enum(["cpu", "cuda"]).default("cpu"),
  INFERENCE_THREADS: envInt(1, 64).default(2),
  BATCH_SIZE: envInt(1, 128).default(8),
  /** How long a partial batch waits for more photos before it runs anyway. */
  BATCH_LINGER_MS: envInt(0, 5000).default(25),
  /** Messages held at once (bounded concurrency of downloads, decodes and reports). */
  MAX_IN_FLIGHT: envInt(1, 1000).default(32),
  /** Receive calls under way at once (each takes up to 10 messages). */
  RECEIVE_CONCURRENCY: envInt(1, 10).default(2),
  WAIT_TIME_SECONDS: envInt(0, 20).default(20),
  /** Kept short and extended while a photo is being worked on, so a dead worker's photos come back soon. */
  VISIBILITY_TIMEOUT_SECONDS: envInt(2, 43200).default(60),
  MAX_IMAGE_BYTES: envInt(1, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  MAX_IMAGE_PIXELS: envInt(1, 500_000_000).default(40_000_000),
  FOOD_THRESHOLD: envNumber(0, 1).default(0.5),
  REPORT_ATTEMPTS: envInt(1, 100).default(8),
  REPORT_BACKOFF_MS: envInt(1, 60_000).default(250),
  REPORT_BACKOFF_MAX_MS: envInt(1, 300_000).default(15_000),
  /** Must be below the ECS stopTimeout, or SIGKILL arrives first. */
  STOP_TIMEOUT_SECONDS: envInt(1, 3600).default(30),
  METRICS_PORT: envInt(0, 65535).default(9464),
});
export type WorkerConfig = z.output<typeof workerEnv>;

export const loadWorkerConfig = (env: NodeJS.ProcessEnv = process.env): WorkerConfig => loadEnv(workerEnv, env);
