/**
 * The segment builds, the Kubernetes way: three CronJobs (one per tier, each starting after its
 * window closes) that only create a SegmentBuild, as an account allowed nothing else; the
 * segment operator (operator.ts) that turns each SegmentBuild into a Job from the tier's
 * PodTemplate (build-pods.ts) and records its outcome in the SegmentBuild's status; the builds' identity
 * (they write the asset repository and read the feed, the photos and the model) and the hourly
 * build's image cache on an encrypted gp3 volume.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type BuildTuning } from "../../../../workloads/search/builder/config";
import { createBuildEnvironmentFor } from "../../../../workloads/search/operator/config";
import type { BucketHandle } from "../../blocks/handles";
import { HttpsEgress } from "../../blocks/https-egress";
import type { PodIdentity } from "../../blocks/pod-identity";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../../../workloads/shared/pod-security";
import { containerEnv, podWorkload, type ContainerResources, type WorkloadPlacement } from "../../blocks/pod-workload";
import { K8S, SEARCH_COMPONENT, searchLabels } from "../../../../workloads/shared/conventions";
import { parseS3Uri, s3ObjectArn } from "../../../../workloads/shared/s3-uri";
import type { Tier } from "../../../../workloads/search/segments/windows";
import { buildPods } from "./build-pods";
import { OPERATOR, SegmentOperator } from "./operator";
import { creatorRules } from "../../../../workloads/search/operator/config";
import { boundRole } from "./role";

export interface TierSchedule extends ContainerResources {
  /** Cron schedule, UTC. */
  schedule: string;
  /** Seconds after its scheduled time a missed create step may still start. */
  startingDeadlineSeconds: number;
  /** Seconds a build's Job may run before it is failed (DeadlineExceeded). */
  activeDeadlineSeconds: number;
  /** GPUs per run (embedding); 0 runs on CPU nodes. */
  gpus: number;
}

export interface SegmentBuildsArgs {
  placement: WorkloadPlacement;
  region: string;
  /** Pinned image of the build program. */
  image: string;
  /** Non-root uid the pods run as. */
  uid: number;
  /** Written: segments, manifests, pointers, run records. */
  assetRepository: BucketHandle;
  /** Read: the catalogue feed's hour partitions. */
  feed: { bucket: BucketHandle; prefix: string };
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
  /** The segment operator, whose image also runs the CronJobs' create step. */
  operator: ContainerResources & {
    /** Pinned image of workloads/search/operator. */
    image: string;
    /** Port of its /healthz and /readyz. */
    opsPort: number;
    /** Replicas: one leads through the Lease, the others stand by. */
    replicas: number;
  };
}

const STORAGE_CLASS = "search-gp3-encrypted";
const SERVICE_ACCOUNT = "segment-build";
const CACHE_CLAIM = "segment-build-image-cache";
/** The CronJobs' account: it may create SegmentBuilds and nothing else. */
const CREATOR = "segment-build-creator";
/** The operator's and the create step's component label (not the builds': their egress and identity differ). */
const OPERATOR_COMPONENT = "segment-operator";
/** A node process that creates one object. */
const CREATOR_RESOURCES: ContainerResources = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { cpu: "200m", memory: "128Mi" },
};

const modelArn = (uri: string): string => s3ObjectArn(parseS3Uri(uri, "SegmentBuilds embedderModelUri"));

export class SegmentBuilds extends pulumi.ComponentResource {
  readonly cronJobs: Record<string, k8s.batch.v1.CronJob>;
  readonly identity: PodIdentity;
  readonly operator: SegmentOperator;
  /** The builds' pods, one PodTemplate per tier, which the operator reads. */
  readonly podTemplates: Record<string, k8s.core.v1.PodTemplate>;

  constructor(name: string, args: SegmentBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SegmentBuilds", name, {}, opts);
    const child = { parent: this };
    const ns = args.placement.namespace;
    const labels = searchLabels(SEARCH_COMPONENT.build);

    const workload = podWorkload(
      name,
      {
        placement: args.placement,
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
            Resource: [pulumi.interpolate`${args.feed.bucket.arn}/${args.feed.prefix}*`],
          },
          { Sid: "ListFeed", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [args.feed.bucket.arn] },
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
    // One ReadWriteOnce volume: only GPU (embedding) runs mount it, and the operator runs one build per tier at a time.
    const cache = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-image-cache`,
      {
        metadata: { name: CACHE_CLAIM, namespace: ns, labels },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: STORAGE_CLASS,
          resources: { requests: { storage: `${args.cacheGb}Gi` } },
        },
      },
      { ...child, dependsOn: [storageClass] },
    );

    const buckets = pulumi.all([args.assetRepository.bucket, args.feed.bucket.bucket, args.images.bucket]);
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
    const source = pulumi.interpolate`s3://${args.assetRepository.bucket}/`;
    const pods = buildPods(
      name,
      {
        namespace: ns,
        image: args.image,
        source,
        labels,
        tiers: args.tiers,
        pod: workload.pod(args.uid, { automountToken: false }),
        containerSecurityContext: workload.containerSecurityContext as Record<string, unknown>,
        env: (gpu) => containerEnv(args.region, environment(gpu)),
        cacheClaim: CACHE_CLAIM,
      },
      child,
    );
    this.podTemplates = pods.templates;
    const operatorLabels = searchLabels(OPERATOR_COMPONENT, OPERATOR);
    this.operator = new SegmentOperator(
      `${name}-operator`,
      {
        namespace: ns,
        region: args.region,
        image: args.operator.image,
        uid: args.uid,
        opsPort: args.operator.opsPort,
        replicas: args.operator.replicas,
        buildJobs: pods.jobs.apply((j) => JSON.stringify(j)),
        labels: operatorLabels,
        requests: args.operator.requests,
        limits: args.operator.limits,
      },
      { ...child, dependsOn: [cache, this.identity, ...Object.values(pods.templates)] },
    );

    // The CronJobs only ask for builds: each run creates one SegmentBuild, as its own account.
    const creatorLabels = searchLabels(OPERATOR_COMPONENT, CREATOR);
    const creator = new k8s.core.v1.ServiceAccount(
      `${name}-creator`,
      {
        metadata: { name: CREATOR, namespace: ns, labels: creatorLabels },
        automountServiceAccountToken: false,
      },
      child,
    );
    const creatorRole = boundRole(
      `${name}-creator`,
      { namespace: ns, roleName: CREATOR, labels: creatorLabels, rules: creatorRules() },
      { ...child, dependsOn: [creator] },
    );
    new HttpsEgress(
      `${name}-creator-egress`,
      { namespace: ns, name: `${CREATOR}-https`, podLabels: creatorLabels },
      child,
    );
    const createEnv = source.apply((s) =>
      createBuildEnvironmentFor({
        namespace: ns,
        feedCloseGraceSeconds: args.tuning.feedCloseGraceSeconds,
        source: s,
      }),
    );
    const tiers = Object.keys(args.tiers) as Tier[];
    const jobs = {} as Record<Tier, k8s.batch.v1.CronJob>;
    for (const tier of tiers) {
      const t = args.tiers[tier];
      const tierLabels = { ...creatorLabels, [K8S.searchTier]: tier };
      jobs[tier] = new k8s.batch.v1.CronJob(
        `${name}-${tier}`,
        {
          metadata: { name: `segment-build-${tier}`, namespace: ns, labels: tierLabels },
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
                // Creating one object: a minute is plenty, and a retry could ask for the window twice.
                activeDeadlineSeconds: 60,
                backoffLimit: 0,
                ttlSecondsAfterFinished: 86400,
                template: {
                  metadata: { labels: tierLabels },
                  spec: {
                    serviceAccountName: CREATOR,
                    automountServiceAccountToken: true,
                    securityContext: restrictedPodSecurityContext(args.uid),
                    restartPolicy: "Never",
                    containers: [
                      {
                        name: "create-build",
                        image: args.operator.image,
                        // No shell: the operator's entry point resolves the window closed last when it runs.
                        args: ["create-build", "--tier", tier, "--window", "last-closed"],
                        env: containerEnv(args.region, createEnv),
                        securityContext: restrictedContainerSecurityContext(),
                        resources: CREATOR_RESOURCES,
                      },
                    ],
                  },
                },
              },
            },
          },
        },
        { ...child, dependsOn: [creatorRole] },
      );
    }
    this.cronJobs = jobs;
    this.registerOutputs({
      cronJobs: tiers.map((t) => `segment-build-${t}`),
      podTemplates: tiers.map((t) => this.podTemplates[t].metadata.name),
      operator: OPERATOR,
    });
  }
}
