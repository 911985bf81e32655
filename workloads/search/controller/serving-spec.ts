/**
 * What the segment controller serves: the `IndexServing` resource's spec (workloads/search/crds/, its
 * one definition), and the two rules the controller reads it by — memory quantities in bytes, and the
 * hash of the spec that rolls the hosts when it changes.
 */
import { createHash } from "node:crypto";
import type { IndexServingSpec } from "../crds/types";

export type ServingSpec = IndexServingSpec;

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
