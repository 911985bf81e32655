/** The search layer's configuration: every key typed, defaulted where a safe default exists, and checked together. */
import { z } from "zod";
import { BuildEnv, DEFAULT_FEED_CLOSE_GRACE_SECONDS, type BuildTuning } from "../../../workloads/search/builder/config";
import { quantityBytes } from "../../../workloads/search/controller/config";
import { environmentFrom } from "../../../workloads/shared/env";
import {
  awsAccountId,
  awsRegion,
  cidrBlock,
  iamArn,
  k8sLabels,
  k8sNamespace,
  stackName,
  tags,
} from "../../config/schema";
import { s3UriSchema } from "../../../workloads/shared/s3-uri";
import { DEFAULT_FLAT_MAX_ITEMS } from "../../../workloads/search/segments/assignment";

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "expected a subnet id such as subnet-0123456789abcdef0");
/** Tag or digest required, and not `latest`: a deploy must say exactly what runs. */
export const pinnedImage = z
  .string()
  .regex(
    /^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
    "expected a container image reference with a tag or digest",
  )
  .refine((i) => !/:latest$/.test(i), "expected a pinned tag, not :latest");
const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, "expected a CPU quantity such as 500m or 2");
const memory = z.string().regex(/^\d+(Mi|Gi)$/, "expected a memory quantity such as 512Mi or 4Gi");
const resources = z.object({ cpu, memory });
const port = z.number().int().min(1024, "expected an unprivileged port (1024 or above)").max(65535);
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name");
const s3ObjectUri = s3UriSchema();
const cron = z.string().regex(/^(\S+\s+){4}\S+$/, "expected a five-field cron schedule such as 20 * * * *");
const kubernetesMinor = z.string().regex(/^1\.\d{2}$/, "expected a Kubernetes minor such as 1.33");
const GPU_TYPE = /^(g4dn|g5|g6|g6e|p3|p4d|p5)\.[a-z0-9]+$/;

const nodeGroup = z.object({
  minSize: z.number().int().min(0),
  maxSize: z.number().int().min(1),
  desiredSize: z.number().int().min(0),
});
const sizesInOrder = (g: { minSize: number; maxSize: number; desiredSize: number }) =>
  g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize;
const sizesMessage = { message: "expected minSize <= desiredSize <= maxSize", path: ["desiredSize"] };

const count = z.number().int();
/**
 * The builds' tunable settings, camelCase as the build program names them (workloads/search/builder/config.ts);
 * their bounds are the program's own, checked below by its schema. Unknown names are refused.
 */
const buildTuning = z
  .strictObject({
    projectionUri: s3ObjectUri,
    inferenceThreads: count,
    embedBatch: count,
    downloadConcurrency: count,
    // The build's env contract names the metrics it accepts (HNSW_METRIC); the stack takes the same list.
    hnswMetric: BuildEnv.shape.HNSW_METRIC.unwrap(),
    hnswM: count,
    hnswEfConstruction: count,
    hnswRandomSeed: count,
    hnswEfSearch: count,
    feedCloseGraceSeconds: count,
    maxImageBytes: count,
    maxImagePixels: count,
    cacheMaxBytes: count,
  })
  .partial() satisfies z.ZodType<BuildTuning>;

const tier = z.object({
  schedule: cron,
  startingDeadlineSeconds: z.number().int().min(60),
  activeDeadlineSeconds: z.number().int().min(300),
  requests: resources,
  limits: resources,
  gpus: z.number().int().min(0).max(8).default(0),
});

const FIXED_FIELDS = {
  hourly: "the minute",
  daily: "the minute and hour",
  monthly: "the minute, hour and day of month",
};

/** Seconds from the start of a tier's window to its scheduled run, or undefined unless those fields are plain numbers. */
function secondsIntoWindow(tier: "hourly" | "daily" | "monthly", schedule: string): number | undefined {
  const [minute, hour, day] = schedule.trim().split(/\s+/);
  const fields = tier === "hourly" ? [minute] : tier === "daily" ? [minute, hour] : [minute, hour, day];
  if (!fields.every((f) => /^\d+$/.test(f))) return undefined;
  const [m, h = 0, d = 1] = fields.map(Number);
  return (d - 1) * 86_400 + h * 3600 + m * 60;
}

export const searchConfig = z
  .object({
    layer: z.literal("search"),
    accountId: awsAccountId,
    region: awsRegion,
    tags,
    /** The classification stack: the search builds read its photo bucket. */
    classificationStack: stackName,
    network: z.object({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "expected a VPC id"),
      privateSubnetIds: z.array(subnetId).min(2, "expected subnets in at least two AZs"),
    }),
    cluster: z.object({
      name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/, "expected an EKS cluster name"),
      kubernetesVersion: kubernetesMinor,
      publicAccessCidrs: z
        .array(cidrBlock.refine((c) => c !== "0.0.0.0/0", "the public endpoint must not admit 0.0.0.0/0"))
        .default([]),
      adminRoleArns: z.array(iamArn).min(1, "expected at least one admin role (or nobody can use the cluster)"),
      logRetentionDays: z.number().int().min(1).default(90),
    }),
    nodes: z.object({
      /** 1 keeps IMDS out of pods' reach (they use Pod Identity); 2 only if an add-on needs IMDS from a pod. */
      imdsHopLimit: z.union([z.literal(1), z.literal(2)]).default(1),
      system: nodeGroup
        .extend({
          instanceTypes: z
            .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "expected an instance type"))
            .min(1)
            .refine((t) => t.every((x) => !GPU_TYPE.test(x)), "the system group takes CPU instance types"),
          rootVolumeGb: z.number().int().min(20).default(50),
        })
        .refine(sizesInOrder, sizesMessage),
      gpu: nodeGroup
        .extend({
          /** A Packer combination (packer/versions/) built for this cluster's Kubernetes minor: al2023-eks<minor>-... */
          gpuAmi: z.string().min(1),
          instanceTypes: z.array(z.string().regex(GPU_TYPE, "expected a GPU instance type such as g4dn.xlarge")).min(1),
          rootVolumeGb: z.number().int().min(50).default(100),
        })
        .refine(sizesInOrder, sizesMessage),
    }),
    devicePluginImage: pinnedImage.default("nvcr.io/nvidia/k8s-device-plugin:v0.20.0"),
    namespace: k8sNamespace.default("search"),
    /**
     * Who may scrape the search pods' ops ports (/metrics): pods of `namespace` with `podLabels` (all of its pods when
     * empty). Omitted: nobody, the namespace's default deny stands.
     */
    metricsScrapers: z
      .strictObject({
        namespace: k8sNamespace,
        podLabels: k8sLabels.default({}),
      })
      .optional(),
    /** The uid (and gid) every search pod runs as. */
    uid: z.number().int().min(1000, "expected a non-root uid of 1000 or above").default(10001),
    assetRepository: z
      .object({ noncurrentVersionDays: z.number().int().min(1).default(30) })
      .default({ noncurrentVersionDays: 30 }),
    feed: z.object({ bucket: bucketName, prefix: z.string().default("") }),
    // Strict: a key the builds no longer take (`command`: the image's entry point runs them) is refused.
    builds: z.strictObject({
      image: pinnedImage,
      embedderModelUri: s3ObjectUri,
      cacheGb: z.number().int().min(10).default(200),
      settings: buildTuning.default({}),
      tiers: z.object({ hourly: tier, daily: tier, monthly: tier }),
    }),
    /**
     * The shard hosts the segment controller runs (its serving spec): each host is a Deployment of
     * `replicas` pods holding up to `memory` of segments, which must fit under the pods' memory limit.
     */
    hosts: z
      .strictObject({
        /** The IndexServing object these fill (its spec), in the search namespace. */
        indexServing: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a Kubernetes object name such as search")
          .default("search"),
        image: pinnedImage,
        replicas: z
          .number()
          .int()
          .min(2, "expected at least 2, or one node drain takes a host's segments offline")
          .max(20)
          .default(2),
        memory,
        flatMaxItems: z.number().int().min(0).max(10_000_000).default(DEFAULT_FLAT_MAX_ITEMS),
        /** Embedding versions to serve, preferred first; omitted: every version published. */
        embeddingVersions: z.array(z.string().min(1)).min(1).max(8).optional(),
        retentionDays: z.number().int().min(1).max(3660).default(366),
        grpcPort: port.default(50051),
        opsPort: port.default(9090),
        resources: z.strictObject({ requests: resources, limits: resources }),
      })
      .refine((h) => quantityBytes(h.memory) < quantityBytes(h.resources.limits.memory), {
        message: "must be below resources.limits.memory (the host's heap and threads need room too)",
        path: ["memory"],
      })
      .refine((h) => h.grpcPort !== h.opsPort, { message: "must differ from grpcPort", path: ["opsPort"] }),
    front: z
      .object({
        image: pinnedImage,
        httpPort: port.default(8080),
        opsPort: port.default(9090),
        clientCidrs: z.array(cidrBlock.refine((c) => c !== "0.0.0.0/0", "expected private client CIDRs")).min(1),
        minReplicas: z.number().int().min(2).default(2),
        maxReplicas: z.number().int().min(2).default(10),
        targetCpuPercent: z.number().int().min(10).max(95).default(60),
        minAvailable: z.number().int().min(1).default(1),
        requests: resources,
        limits: resources,
      })
      .refine((f) => f.maxReplicas >= f.minReplicas, { message: "must be at least minReplicas", path: ["maxReplicas"] })
      .refine((f) => f.minAvailable < f.minReplicas, { message: "must be below minReplicas", path: ["minAvailable"] })
      .refine((f) => f.httpPort !== f.opsPort, { message: "must differ from httpPort", path: ["opsPort"] }),
    controller: z.object({ image: pinnedImage, opsPort: port.default(9090), requests: resources, limits: resources }),
    /** The daily sweep of unreferenced build prefixes in the asset repository (workloads/search/sweep/sweep.ts). */
    repositorySweep: z.strictObject({
      image: pinnedImage,
      schedule: cron.default("40 4 * * *"),
      activeDeadlineSeconds: z.number().int().min(300).default(3600),
      graceHours: z.number().int().min(1).max(2160).default(48),
      staleRunHours: z.number().int().min(1).max(2160).default(72),
      dryRun: z.boolean().default(false),
      requests: resources.default({ cpu: "50m", memory: "128Mi" }),
      limits: resources.default({ cpu: "500m", memory: "256Mi" }),
    }),
    /** The segment operator (SegmentBuild → Job); its image also runs the CronJobs' create step. */
    operator: z.strictObject({
      image: pinnedImage,
      opsPort: port.default(9090),
      replicas: z.number().int().min(1).max(5).default(2),
      requests: resources,
      limits: resources,
    }),
  })
  .superRefine((c, ctx) => {
    // The GPU AMI's kubelet must match the control plane: its combination names the minor it was built for.
    const prefix = `al2023-eks${c.cluster.kubernetesVersion}-`;
    if (!c.nodes.gpu.gpuAmi.startsWith(prefix))
      ctx.addIssue({
        code: "custom",
        path: ["nodes", "gpu", "gpuAmi"],
        message: `expected an EKS combination for Kubernetes ${c.cluster.kubernetesVersion} (a name starting ${prefix})`,
      });
    // Each tuned setting against the build's own schema (its bounds), named by its config key.
    for (const [key, value] of Object.entries(c.builds.settings)) {
      try {
        environmentFrom(BuildEnv, { [key]: value });
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["builds", "settings", key], message: (err as Error).message });
      }
    }
    // `--window last-closed` builds the window whose end plus the close grace has passed when the run
    // starts: a run earlier into its window than the grace would build the window before the one just
    // closed, and leave that one to nobody.
    const grace = c.builds.settings.feedCloseGraceSeconds ?? DEFAULT_FEED_CLOSE_GRACE_SECONDS;
    for (const t of ["hourly", "daily", "monthly"] as const) {
      const offset = secondsIntoWindow(t, c.builds.tiers[t].schedule);
      const path = ["builds", "tiers", t, "schedule"];
      if (offset === undefined)
        ctx.addIssue({
          code: "custom",
          path,
          message: `expected ${FIXED_FIELDS[t]} as numbers, to check against the close grace`,
        });
      else if (offset < grace)
        ctx.addIssue({
          code: "custom",
          path,
          message: `starts ${offset} s into its window, before the feed's close grace (${grace} s, builds.settings.feedCloseGraceSeconds): --window last-closed would build the window before the one just closed`,
        });
    }
    if (c.builds.tiers.hourly.gpus < 1)
      ctx.addIssue({
        code: "custom",
        path: ["builds", "tiers", "hourly", "gpus"],
        message: "the hourly build embeds photos and needs at least one GPU",
      });
    // A build still running must stay protected: the stale limit is above every tier's deadline.
    const longest = Math.max(
      ...(["hourly", "daily", "monthly"] as const).map((t) => c.builds.tiers[t].activeDeadlineSeconds),
    );
    if (c.repositorySweep.staleRunHours * 3600 <= longest)
      ctx.addIssue({
        code: "custom",
        path: ["repositorySweep", "staleRunHours"],
        message: `expected more than the longest build's activeDeadlineSeconds (${longest} s), or the sweep could delete a running build's files`,
      });
    // An hourly run still going when the next is due makes the next skip (Forbid): keep it inside the hour.
    if (c.builds.tiers.hourly.activeDeadlineSeconds > 3600)
      ctx.addIssue({
        code: "custom",
        path: ["builds", "tiers", "hourly", "activeDeadlineSeconds"],
        message: "expected at most 3600 s, or a slow run skips the next hour's",
      });
  });

export type SearchConfig = z.output<typeof searchConfig>;
