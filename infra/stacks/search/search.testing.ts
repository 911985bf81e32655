/**
 * What the search stack's tests share: its offline plan (with the classification output it reads),
 * the names of the objects that run its containers, and putting its CRDs on an embedded API server.
 */
import type { CommandResult, EmbeddedKubernetes, KubeObject } from "../../../scripts/embedded-k8s";
import { planStack } from "../../plan";
import type { StackPlan } from "../../plan/types";

/** The classification layer's output the search stack reads: the photo bucket its builds embed from. */
const CLASSIFICATION = { classification: { uploadBucket: "photos-0a1b2c3" } };

/** The search stack's plan, with `config` keys set over its stack file (null removes one). */
export const planSearch = (config?: Record<string, unknown>): Promise<StackPlan> =>
  planStack("search", { stackOutputs: CLASSIFICATION, config });

/**
 * The Deployments and CronJobs the search stack declares, by name, sorted: each test that covers
 * every container asserts exactly these. Adding one means covering it there too, its environment
 * read back by its program (environments.test.ts) and its pod checked (search.test.ts).
 */
export const WORKLOADS = [
  "repository-sweep",
  "search-front",
  "segment-build-daily",
  "segment-build-hourly",
  "segment-build-monthly",
  "segment-controller",
  "segment-operator",
];

/** Creates `crds` and waits until the API server serves them; the `kubectl wait` result, for the caller to check. */
export async function establishCrds(cluster: EmbeddedKubernetes, crds: KubeObject[]): Promise<CommandResult> {
  await cluster.apply(crds);
  return cluster.kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    ...crds.map((c) => `crd/${c.metadata.name}`),
  ]);
}
