/**
 * The segment builds as three CronJobs, one per tier, each starting after its window closes:
 * never two runs of a tier at once, a deadline to start and one to finish, short histories. The
 * hourly build embeds new photos on a GPU node (GPU request, the GPU taint tolerated, GPU nodes
 * selected) and keeps its image cache on an encrypted gp3 volume; daily and monthly compactions
 * merge segments on CPU. Builds write the asset repository and read the feed, the photos and the model.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type BuildTuning } from "../../../../workloads/search/builder/config";
import type { PodIdentity } from "../../blocks/pod-identity";
import { containerEnv, podWorkload, type WorkloadPlacement } from "../../blocks/pod-workload";
import { K8S, NVIDIA, SEARCH_COMPONENT } from "../../../../workloads/shared/conventions";
import { parseS3Uri, s3ObjectArn } from "../../../../workloads/shared/s3-uri";

export interface BucketHandle {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

export interface TierSchedule {
  /** Cron schedule, UTC. */
  schedule: string;
  /** Seconds after its scheduled time a missed run may still start. */
  startingDeadlineSeconds: number;
  /** Seconds a run may take before it is stopped. */
  activeDeadlineSeconds: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** GPUs per run (embedding); 0 runs on CPU nodes. */
  gpus: number;
}

export interface SegmentBuildsArgs extends WorkloadPlacement {
  region: string;
  /** Pinned image of the build program. */
  image: string;
  /** Non-root uid the pods run as. */
  uid: number;
  /** Written: segments, manifests, pointers, run records. */
  assetRepository: BucketHandle;
  /** Read: the catalogue feed's hour partitions. */
  feed: BucketHandle & { prefix: string };
  /** Read: the photos to embed. */
  images: BucketHandle;
  /** Read: the embedder model, `s3://bucket/key` (optionally `?versionId=`). */
  embedderModelUri: string;
  /**
   * One CronJob per entry, keyed by the build's `--tier` name (the stack's config lists hourly, daily and
   * monthly; the build program refuses any other at start). Keyed by string so infra needs the build's env
   * contract only, not its window code.
   */
  tiers: Record<string, TierSchedule>;
  /** GiB of the hourly build's image cache volume. */
  cacheGb: number;
  /** The builds' tunable settings (index parameters, batch sizes, the feed's close grace): their env contract. */
  tuning: BuildTuning;
}

const STORAGE_CLASS = "search-gp3-encrypted";
const SERVICE_ACCOUNT = "segment-build";

const modelArn = (uri: string): string => s3ObjectArn(parseS3Uri(uri, "SegmentBuilds embedderModelUri"));

export class SegmentBuilds extends pulumi.ComponentResource {
  readonly cronJobs: Record<string, k8s.batch.v1.CronJob>;
  readonly identity: PodIdentity;

  constructor(name: string, args: SegmentBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SegmentBuilds", name, {}, opts);
    const child = { parent: this };
    const labels = { [K8S.component]: SEARCH_COMPONENT.build, [K8S.partOf]: "search" };

    const workload = podWorkload(
      name,
      {
        clusterName: args.clusterName,
        accountId: args.accountId,
        namespace: args.namespace,
        serviceAccount: SERVICE_ACCOUNT,
        labels,
        egressPolicy: "segment-build-https",
        description: "Search segment builds: write the asset repository; read the feed, photos and embedder model",
        statements: [
          {
            Sid: "WriteAssetRepository",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: [pulumi.interpolate`${args.assetRepository.arn}/*`],
          },
          {
            Sid: "ListAssetRepository",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [args.assetRepository.arn],
          },
          {
            Sid: "ReadFeed",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [pulumi.interpolate`${args.feed.arn}/${args.feed.prefix}*`],
          },
          { Sid: "ListFeed", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [args.feed.arn] },
          {
            Sid: "ReadImages",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [pulumi.interpolate`${args.images.arn}/*`],
          },
          {
            Sid: "ReadModel",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: [modelArn(args.embedderModelUri)],
          },
        ],
      },
      child,
    );
    this.identity = workload.identity;

    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: { name: STORAGE_CLASS },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        // Bound where the first pod lands, so the volume is in that pod's AZ.
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
      },
      child,
    );
    // One ReadWriteOnce volume: only GPU (embedding) runs mount it, and Forbid keeps them one at a time.
    const cache = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-image-cache`,
      {
        metadata: { name: "segment-build-image-cache", namespace: args.namespace, labels },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: STORAGE_CLASS,
          resources: { requests: { storage: `${args.cacheGb}Gi` } },
        },
      },
      { ...child, dependsOn: [storageClass] },
    );

    const buckets = pulumi.all([args.assetRepository.name, args.feed.name, args.images.name]);
    const environment = (gpu: boolean) =>
      buckets.apply(([assetBucket, feedBucket, imageBucket]) =>
        environmentFor({
          ...args.tuning,
          assetBucket,
          feedBucket,
          feedPrefix: args.feed.prefix,
          imageBucket,
          embedderModelUri: args.embedderModelUri,
          cacheDir: "/cache",
          workDir: "/work",
          executionProvider: gpu ? "cuda" : "cpu",
        }),
      );
    const tiers = Object.keys(args.tiers);
    const jobs: Record<string, k8s.batch.v1.CronJob> = {};
    for (const tier of tiers) {
      const t = args.tiers[tier];
      const gpu = t.gpus > 0;
      const tierLabels = { ...labels, [K8S.searchTier]: tier };
      jobs[tier] = new k8s.batch.v1.CronJob(
        `${name}-${tier}`,
        {
          metadata: { name: `segment-build-${tier}`, namespace: args.namespace, labels: tierLabels },
          spec: {
            schedule: t.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: t.startingDeadlineSeconds,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
              metadata: { labels: tierLabels },
              spec: {
                activeDeadlineSeconds: t.activeDeadlineSeconds,
                // A failed build is retried by the next schedule (it rebuilds an unpublished window).
                backoffLimit: 1,
                ttlSecondsAfterFinished: 86400,
                template: {
                  metadata: { labels: tierLabels },
                  spec: {
                    ...workload.pod(args.uid, { automountToken: false }),
                    restartPolicy: "Never",
                    ...(gpu
                      ? {
                          nodeSelector: { [K8S.gpuNode]: "true" },
                          tolerations: [
                            { key: NVIDIA.taintKey, operator: "Equal", value: "true", effect: "NoSchedule" },
                          ],
                        }
                      : {}),
                    containers: [
                      {
                        name: "build",
                        image: args.image,
                        // No command: the image's entry point (`node main.js`, no shell) builds the window
                        // closed last when the run starts (end plus the feed's close grace).
                        args: ["--tier", tier, "--window", "last-closed"],
                        env: containerEnv(args.region, environment(gpu)),
                        securityContext: workload.containerSecurityContext,
                        resources: {
                          requests: { ...t.requests, ...(gpu ? { [NVIDIA.gpuResource]: String(t.gpus) } : {}) },
                          limits: { ...t.limits, ...(gpu ? { [NVIDIA.gpuResource]: String(t.gpus) } : {}) },
                        },
                        volumeMounts: [
                          { name: "work", mountPath: "/work" },
                          { name: "tmp", mountPath: "/tmp" },
                          ...(gpu
                            ? [{ name: "cache", mountPath: "/cache" }]
                            : [{ name: "no-cache", mountPath: "/cache" }]),
                        ],
                      },
                    ],
                    volumes: [
                      { name: "work", emptyDir: {} },
                      { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                      gpu
                        ? { name: "cache", persistentVolumeClaim: { claimName: "segment-build-image-cache" } }
                        : { name: "no-cache", emptyDir: { sizeLimit: "1Gi" } },
                    ],
                  },
                },
              },
            },
          },
        },
        { ...child, dependsOn: [cache, this.identity] },
      );
    }
    this.cronJobs = jobs;
    this.registerOutputs({ cronJobs: tiers.map((t) => `segment-build-${t}`) });
  }
}
