/**
 * The segment controller's environment (the search layer's component writes it with
 * `environmentFor`): where segments are published, the namespace it owns, and the serving spec of
 * its shard hosts (`ServingSpec`, one variable per field).
 */
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";
import { DEFAULT_FLAT_MAX_ITEMS } from "../segments/assignment";
import { quantityBytes, type ServingSpec } from "./serving-spec";

/** How HOST_MEMORY and the pods' memory quantities are read: the stack validates its config with the same rule. */
export { quantityBytes };
/** The Role the controller needs: part of its contract with the stack that grants it. */
export { controllerRoleRules } from "./rbac";

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, "a Kubernetes quantity such as 500m or 1Gi");
const memoryQuantity = z.string().refine((q) => {
  try {
    return quantityBytes(q) > 0;
  } catch {
    return false;
  }
}, "a memory quantity such as 512Mi or 6Gi");

export const controllerEnv = z.object({
  NAMESPACE: z.string().min(1),
  ASSET_BUCKET: z.string().min(3),
  OPS_PORT: envInt(0, 65535).default(9090),
  HOST_IMAGE: z.string().regex(/^[^:@\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, "an image with a tag or digest"),
  /** Pods per shard host. */
  HOST_REPLICAS: envInt(1, 20).default(2),
  /** Segment memory one host holds (the assignment's budget): a quantity, below the pods' memory limit. */
  HOST_MEMORY: memoryQuantity,
  /** Segments with at most this many vectors are scanned exactly; 0: none. */
  FLAT_MAX_ITEMS: envInt(0, 10_000_000).default(DEFAULT_FLAT_MAX_ITEMS),
  /** Comma-separated embedding versions to serve; unset: every version published. */
  EMBEDDING_VERSIONS: z.string().min(1).optional(),
  HOST_SERVICE_ACCOUNT: z.string().min(1),
  HOST_GRPC_PORT: envInt(1, 65535).default(50051),
  HOST_OPS_PORT: envInt(1, 65535).default(9090),
  HOST_UID: envInt(1, 2 ** 31 - 1).default(10001),
  HOST_CPU_REQUEST: quantity,
  HOST_MEMORY_REQUEST: quantity,
  HOST_CPU_LIMIT: quantity,
  HOST_MEMORY_LIMIT: quantity,
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

/** The serving spec the settings describe (what an `IndexServing` object will give instead). */
export function servingSpecOf(s: ControllerSettings): ServingSpec {
  return {
    image: s.hostImage,
    replicas: s.hostReplicas,
    retentionDays: s.retentionDays,
    hostMemory: s.hostMemory,
    flatMaxItems: s.flatMaxItems,
    embeddingVersions: s.embeddingVersions
      ?.split(",")
      .map((v) => v.trim())
      .filter(Boolean),
    resources: {
      requests: { cpu: s.hostCpuRequest, memory: s.hostMemoryRequest },
      limits: { cpu: s.hostCpuLimit, memory: s.hostMemoryLimit },
    },
  };
}
