/**
 * A SegmentBuild's Job: the tier's Job settings and build pod (read from its PodTemplate) with the
 * window's command line, labelled with the SegmentBuild's name (which is the Job's name too) and owned by it, so the garbage collector
 * removes the Job with its owner and `kubectl get jobs -l` finds a build's Job.
 */
import type * as k8s from "@kubernetes/client-node";
import { API_VERSION, GROUP, SEGMENT_BUILD, SEGMENT_BUILD_LABEL, type SegmentBuild } from "../crds/types";
import { BUILD_CONTAINER, type BuildPod, type TierJob } from "./job-template";

export const TIER_LABEL = `${GROUP}/tier`;
export const WINDOW_LABEL = `${GROUP}/window`;

/** The build program's command line for a SegmentBuild (workloads/search/builder/args.ts). */
export const buildArgs = (sb: SegmentBuild): string[] => [
  "--tier",
  sb.spec.tier,
  "--window",
  sb.spec.window,
  ...(sb.spec.force ? ["--force"] : []),
];

export function buildJob(sb: SegmentBuild, tier: TierJob, pod: BuildPod): k8s.V1Job {
  if (!sb.metadata.uid) throw new Error(`SegmentBuild ${sb.metadata.name} has no uid: read it from the API server`);
  const labels = {
    ...pod.labels,
    [SEGMENT_BUILD_LABEL]: sb.metadata.name,
    [TIER_LABEL]: sb.spec.tier,
    // Label values may not contain ':' and hourly windows have none; the value is the window's name.
    [WINDOW_LABEL]: sb.spec.window,
  };
  const containers = pod.spec.containers.map((c) =>
    c.name === BUILD_CONTAINER
      ? {
          ...c,
          args: buildArgs(sb),
          // The build writes its summary there (build/termination.ts); a crash leaves its log tail instead.
          terminationMessagePolicy: "FallbackToLogsOnError",
        }
      : c,
  );
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: sb.metadata.name,
      namespace: sb.metadata.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: SEGMENT_BUILD.kind,
          name: sb.metadata.name,
          uid: sb.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      activeDeadlineSeconds: tier.activeDeadlineSeconds,
      backoffLimit: tier.backoffLimit,
      ttlSecondsAfterFinished: tier.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: { ...pod.spec, restartPolicy: "Never", containers },
      },
    },
  };
}
