/**
 * What the segment controller is told to serve: the shard hosts' image, replicas and resources,
 * how much segment memory one host holds, how far back to serve, and which embedding versions.
 * Shaped like the `IndexServing` custom resource's spec (workloads/search/crds/, another change),
 * so such an object can feed the controller as its environment does today.
 */
import { createHash } from "node:crypto";

export interface ResourceList {
  cpu: string;
  memory: string;
}

export interface ServingSpec {
  /** The shard host image, pinned by tag or digest. */
  image: string;
  /** Pods per host (each holds all of the host's segments). */
  replicas: number;
  /** How far back segments are served, days. */
  retentionDays: number;
  /** Segment memory one host may hold: a Kubernetes quantity (`6Gi`). */
  hostMemory: string;
  /** Segments of at most this many vectors are searched exactly; 0: none. */
  flatMaxItems: number;
  /** Serve only segments of these embedding versions; undefined: every version published. */
  embeddingVersions?: string[];
  resources: { requests: ResourceList; limits: ResourceList };
}

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 } as const;
const DECIMAL = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 } as const;

/** Bytes of a memory quantity (`512Mi`, `6Gi`, `1.5G`, `1073741824`), or an error naming `where`. */
export function quantityBytes(quantity: string, where = "quantity"): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity);
  if (!m) throw new Error(`${where} ${JSON.stringify(quantity)}: expected a memory quantity such as 512Mi or 6Gi`);
  const unit = (m[2] ?? "") as keyof typeof BINARY | keyof typeof DECIMAL;
  const bytes = Math.floor(
    Number(m[1]) * (unit in BINARY ? BINARY[unit as keyof typeof BINARY] : DECIMAL[unit as keyof typeof DECIMAL]),
  );
  if (!(bytes > 0) || !Number.isSafeInteger(bytes))
    throw new Error(`${where} ${JSON.stringify(quantity)}: expected more than 0 bytes`);
  return bytes;
}

/**
 * A hash of the spec, for the hosts' pod template: a spec change rolls the hosts (one surge pod at
 * a time), the segment list never does (a host follows its ConfigMap while it serves, and a new
 * hourly segment must not restart every pod). `replicas` is left out: the Deployment scales
 * without replacing the pods it keeps.
 */
export function specHash(spec: ServingSpec): string {
  const canonical = {
    image: spec.image,
    retentionDays: spec.retentionDays,
    hostMemory: spec.hostMemory,
    flatMaxItems: spec.flatMaxItems,
    embeddingVersions: spec.embeddingVersions ? [...spec.embeddingVersions].sort() : null,
    resources: {
      requests: { cpu: spec.resources.requests.cpu, memory: spec.resources.requests.memory },
      limits: { cpu: spec.resources.limits.cpu, memory: spec.resources.limits.memory },
    },
  };
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 16);
}
