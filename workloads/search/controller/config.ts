/**
 * The segment controller's environment (the search layer's component writes it with
 * `environmentFor`): where segments are published, the namespace it owns, the `IndexServing`
 * object whose spec says what to serve (and whose status it reports), and what the hosts' objects
 * need that is not part of that spec (their service account, uid and ports).
 */
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";
import { quantityBytes } from "./serving-spec";

/** How the pods' memory quantities are read: the stack validates its config with the same rule. */
export { quantityBytes };
/** The Role the controller needs: part of its contract with the stack that grants it. */
export { controllerRoleRules } from "./rbac";

export const controllerEnv = z.object({
  NAMESPACE: z.string().min(1),
  ASSET_BUCKET: z.string().min(3),
  OPS_PORT: envInt(0, 65535).default(9090),
  /** The IndexServing object in NAMESPACE: its spec is the serving spec, its status the report. */
  INDEX_SERVING: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a Kubernetes object name"),
  HOST_SERVICE_ACCOUNT: z.string().min(1),
  HOST_GRPC_PORT: envInt(1, 65535).default(50051),
  HOST_OPS_PORT: envInt(1, 65535).default(9090),
  HOST_UID: envInt(1, 2 ** 31 - 1).default(10001),
  INTERVAL_SECONDS: envInt(5, 3600).default(30),
  /** A host not ready for longer than this makes the IndexServing `Degraded`. */
  NOT_READY_DEADLINE_SECONDS: envInt(10, 86_400).default(600),
});
export type ControllerSettings = Settings<typeof controllerEnv>;

export const loadControllerSettings = (env: NodeJS.ProcessEnv = process.env): ControllerSettings =>
  loadSettings(controllerEnv, env);

/** What gives the controller its environment: settings with a default may be left out. */
export type ControllerSettingsInput = SettingsInput<typeof controllerEnv>;

export const environmentFor = (settings: ControllerSettingsInput): Record<string, string> =>
  environmentFrom(controllerEnv, settings);
