/**
 * `create-build --tier T --window W|last-closed [--force]`: asks for one build by creating a
 * SegmentBuild (what a CronJob runs, with a ServiceAccount that may only create SegmentBuilds).
 * The window is resolved here, so the SegmentBuild names a real window and `kubectl get sb`
 * says which; a compaction lists the windows it replaces. The name is generated: a window may be
 * built any number of times, each build its own record.
 */
import * as k8s from "@kubernetes/client-node";
import { parseArgs } from "../builder/args";
import { inputWindows, type Window } from "../segments/windows";
import { API_VERSION, GROUP, SEGMENT_BUILD, VERSION, type ObjectMeta, type SegmentBuild } from "../crds/types";
import { TIER_LABEL, WINDOW_LABEL } from "./build-job";

export interface BuildRequest {
  window: Window;
  force: boolean;
  source?: string;
}

/** A SegmentBuild before the API server has named it. */
export type NewSegmentBuild = Omit<SegmentBuild, "metadata"> & { metadata: Omit<ObjectMeta, "name"> };

/** The SegmentBuild that asks for `request` (no name yet: the API server generates it). */
export function segmentBuildFor(namespace: string, request: BuildRequest): NewSegmentBuild {
  const { window } = request;
  const replaces = inputWindows(window).map((w) => ({ tier: w.tier, window: w.name }));
  return {
    apiVersion: API_VERSION,
    kind: "SegmentBuild",
    metadata: {
      generateName: `${window.tier}-${window.name.toLowerCase()}-`,
      namespace,
      labels: { [TIER_LABEL]: window.tier, [WINDOW_LABEL]: window.name },
    },
    spec: {
      tier: window.tier,
      window: window.name,
      ...(request.source ? { source: request.source } : {}),
      ...(request.force ? { force: true } : {}),
      ...(replaces.length > 0 ? { replaces } : {}),
    },
  };
}

/** The request on a command line; the error names the argument. */
export function requestFromArgs(argv: string[], now: Date, feedCloseGraceMs: number, source?: string): BuildRequest {
  const args = parseArgs(argv, { now, feedCloseGraceMs });
  if (args.kind !== "build") throw new Error("create-build takes --tier and --window, not --rerun");
  return { window: args.window, force: args.force, source };
}

/** Creates the SegmentBuild; returns its generated name. */
export async function createSegmentBuild(
  kubeconfig: k8s.KubeConfig,
  namespace: string,
  request: BuildRequest,
): Promise<string> {
  const body = segmentBuildFor(namespace, request);
  const created = (await kubeconfig.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: SEGMENT_BUILD.plural,
    body,
    fieldValidation: "Strict",
  })) as SegmentBuild;
  return created.metadata.name;
}
