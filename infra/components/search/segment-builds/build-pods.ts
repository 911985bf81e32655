/**
 * The builds' Job template per tier (workloads/search/operator/job-template.ts), which the
 * operator turns into one Job per SegmentBuild: the pod each tier's build runs in. The hourly
 * build embeds on a GPU node (GPU requested, the taint tolerated, GPU nodes selected) with its
 * image cache on the encrypted gp3 volume; daily and monthly compactions merge on CPU.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../../../../workloads/search/segments/windows";
import { BUILD_CONTAINER, type BuildJobTemplate, type TierJob } from "../../../../workloads/search/operator/config";
import { K8S, NVIDIA } from "../../../../workloads/shared/conventions";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface TierPod {
  activeDeadlineSeconds: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  gpus: number;
}

export interface BuildPodsArgs {
  image: string;
  source: pulumi.Input<string>;
  labels: Record<string, string>;
  tiers: Record<Tier, TierPod>;
  /** The pod's identity and restricted security context (the build's pod workload). */
  pod: Record<string, unknown>;
  containerSecurityContext: Record<string, unknown>;
  /** The build container's env, GPU (cuda) or CPU. */
  env: (gpu: boolean) => pulumi.Output<EnvVar[]>;
  cacheClaim: string;
}

export function buildJobTemplate(args: BuildPodsArgs): pulumi.Output<BuildJobTemplate> {
  const tiers = Object.keys(args.tiers) as Tier[];
  const perTier = tiers.map((tier) => {
    const t = args.tiers[tier];
    const gpu = t.gpus > 0;
    const gpuResource = gpu ? { [NVIDIA.gpuResource]: String(t.gpus) } : {};
    return args.env(gpu).apply((env): [Tier, TierJob] => [
      tier,
      {
        activeDeadlineSeconds: t.activeDeadlineSeconds,
        // A failed build is retried once; another SegmentBuild (the next schedule, or by hand) re-runs it.
        backoffLimit: 1,
        // One at a time, as the CronJobs' Forbid kept them when they ran the builds.
        maxConcurrent: 1,
        ttlSecondsAfterFinished: 86400,
        labels: { ...args.labels, [K8S.searchTier]: tier },
        pod: {
          ...args.pod,
          restartPolicy: "Never",
          ...(gpu
            ? {
                nodeSelector: { [K8S.gpuNode]: "true" },
                tolerations: [{ key: NVIDIA.taintKey, operator: "Equal", value: "true", effect: "NoSchedule" }],
              }
            : {}),
          containers: [
            {
              name: BUILD_CONTAINER,
              image: args.image,
              // No command: the image's entry point (`node main.js`, no shell); the operator adds the window's args.
              env,
              securityContext: args.containerSecurityContext,
              resources: {
                requests: { ...t.requests, ...gpuResource },
                limits: { ...t.limits, ...gpuResource },
              },
              volumeMounts: [
                { name: "work", mountPath: "/work" },
                { name: "tmp", mountPath: "/tmp" },
                { name: gpu ? "cache" : "no-cache", mountPath: "/cache" },
              ],
            },
          ],
          volumes: [
            { name: "work", emptyDir: {} },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            gpu
              ? { name: "cache", persistentVolumeClaim: { claimName: args.cacheClaim } }
              : { name: "no-cache", emptyDir: { sizeLimit: "1Gi" } },
          ],
        },
      },
    ]);
  });
  return pulumi.all([pulumi.output(args.source), pulumi.all(perTier)]).apply(([source, entries]) => ({
    source,
    tiers: Object.fromEntries(entries) as unknown as BuildJobTemplate["tiers"],
  }));
}
