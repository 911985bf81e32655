/** The segment controller's environment (the search layer's component writes it with `environmentFor`). */
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

const quantity = z.string().regex(/^[0-9.]+(m|Ki|Mi|Gi|Ti)?$/, "a Kubernetes quantity such as 500m or 1Gi");

export const controllerEnv = z.object({
  NAMESPACE: z.string().min(1),
  ASSET_BUCKET: z.string().min(3),
  OPS_PORT: envInt(0, 65535).default(9090),
  INDEX_IMAGE: z.string().regex(/^[^:@\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, "an image with a tag or digest"),
  INDEX_SERVICE_ACCOUNT: z.string().min(1),
  INDEX_GRPC_PORT: envInt(1, 65535).default(50051),
  INDEX_UID: envInt(1, 2 ** 31 - 1).default(10001),
  INDEX_CPU_REQUEST: quantity,
  INDEX_MEMORY_REQUEST: quantity,
  INDEX_CPU_LIMIT: quantity,
  INDEX_MEMORY_LIMIT: quantity,
  /** How far back segments are served (the front's retention). */
  RETENTION_DAYS: envInt(1, 3660).default(366),
  INTERVAL_SECONDS: envInt(5, 3600).default(30),
});
export type ControllerSettings = Settings<typeof controllerEnv>;

export const loadControllerSettings = (env: NodeJS.ProcessEnv = process.env): ControllerSettings =>
  loadSettings(controllerEnv, env);

/** What gives the controller its environment: settings with a default may be left out. */
export type ControllerSettingsInput = SettingsInput<typeof controllerEnv>;

export const environmentFor = (settings: ControllerSettingsInput): Record<string, string> =>
  environmentFrom(controllerEnv, settings);
