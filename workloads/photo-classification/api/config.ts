import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

export const apiEnv = z.object({
  PORT: envInt(0, 65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  TABLE_NAME: z.string().min(3),
  UPLOAD_BUCKET: z.string().min(3),
  UPLOAD_PREFIX: z
    .string()
    .regex(/^([^/].*\/)?$/, "empty or a key prefix ending in /")
    .default("uploads/"),
  MAX_UPLOAD_BYTES: envInt(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
  UPLOAD_URL_EXPIRY_SECONDS: envInt(30, 3600).default(300),
  /** Shared secret of the internal result endpoint (from Secrets Manager in ECS). */
  WORKER_TOKEN: z.string().min(32, "at least 32 characters"),
  SHUTDOWN_TIMEOUT_SECONDS: envInt(1, 120).default(20),
  /** /healthz, /readyz and /metrics (not reachable through the load balancer, which forwards to PORT only). */
  OPS_PORT: envInt(0, 65535).default(9465),
});
export type ApiSettings = Settings<typeof apiEnv>;

export const loadApiSettings = (env: NodeJS.ProcessEnv = process.env): ApiSettings => loadSettings(apiEnv, env);

/**
 * The API's environment for `settings`: the stack, the local harness and the tests call this.
 * The worker token may be left out where the platform injects it as a secret.
 */
export const environmentFor = (
  settings: Omit<SettingsInput<typeof apiEnv>, "workerToken"> & { workerToken?: string },
): Record<string, string> => environmentFrom(apiEnv, settings);
