/**
 * The builds' pods, one `core/v1 PodTemplate` per tier (`segment-build-<tier>`), and the Job
 * settings naming them (workloads/search/operator/job-template.ts, the operator's BUILD_JOBS):
 * the operator reads the tier's PodTemplate and turns it into one Job per SegmentBuild. Declared
 * as objects, not folded into the operator's environment, so the policy pack checks these pods
 * like any Deployment's and `kubectl get podtemplates` shows what a build runs. The hourly
 * build embeds on a GPU node (GPU requested, the taint tolerated, GPU nodes selected) with its
 * image cache on the encrypted gp3 volume; daily and monthly compactions merge on CPU.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../../../../workloads/search/segments/windows";
import { BUILD_CONTAINER, type BuildJobs, type TierJob } from "../../../../workloads/search/operator/config";
import { K8S, NVIDIA } from "../../../../workloads/shared/conventions";
import type { ContainerResources } from "../../blocks/pod-workload";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface TierPod extends ContainerResources {
  activeDeadlineSeconds: number;
  gpus: number;
}

export interface BuildPodsArgs {
  namespace: string;
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

export interface BuildPods {
  /** The PodTemplate of each tier. */
  templates: Record<Tier, k8s.core.v1.PodTemplate>;
  /** The operator's BUILD_JOBS: per tier, the Job's limits and its PodTemplate's name. */
  jobs: pulumi.Output<BuildJobs>;
}

/** The PodTemplate a tier's builds run from. */
export const podTemplateName = (tier: string): string => `segment-build-${tier}`;

export function buildPods(name: string, args: BuildPodsArgs, opts: pulumi.CustomResourceOptions): BuildPods {
  const tiers = Object.keys(args.tiers) as Tier[];
  const templates = {} as Record<Tier, k8s.core.v1.PodTemplate>;
  const jobs: [Tier, TierJob][] = [];
  for (const tier of tiers) {
    const t = args.tiers[tier];
    const gpu = t.gpus > 0;
    const gpuResource: Record<string, string> = gpu ? { [NVIDIA.gpuResource]: String(t.gpus) } : {};
    const labels = { ...args.labels, [K8S.searchTier]: tier };
    jobs.push([
      tier,
      {
        podTemplate: podTemplateName(tier),
        activeDeadlineSeconds: t.activeDeadlineSeconds,
        // A failed build is retried once; another SegmentBuild (the next schedule, or by hand) re-runs it.
        backoffLimit: 1,
        // One at a time, as the CronJobs' Forbid kept them when they ran the builds.
        maxConcurrent: 1,
        ttlSecondsAfterFinished: 86400,
      },
    ]);
    const spec = args.env(gpu).apply((env): k8s.types.input.core.v1.PodSpec => ({
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
    }));
    templates[tier] = new k8s.core.v1.PodTemplate(
      `${name}-${tier}-pod`,
      {
        metadata: { name: podTemplateName(tier), namespace: args.namespace, labels },
        template: { metadata: { labels }, spec },
      },
      opts,
    );
  }
  return {
    templates,
    jobs: pulumi.output(args.source).apply((source) => ({
      source,
      tiers: Object.fromEntries(jobs) as unknown as BuildJobs["tiers"],
    })),
  };
}
