/**
 * Classification layer, in the production account: upload intake (bucket → SQS + DLQ), the GPU
 * ECS cluster on the platform's AMI, the worker service and its scaling policy (`ml-platform:scaling`), and
 * the photo API.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { environmentFor as apiEnvironment } from "../../workloads/photo-classification/api/config";
import { environmentFor as workerEnvironment } from "../../workloads/photo-classification/worker/config";
import { ClassifierService } from "../components/classification/classifier-service";
import { resolveGpuAmi } from "../components/shared/gpu-ami";
import { GpuEcsCluster } from "../components/classification/gpu-ecs-cluster";
import { PhotoApi } from "../components/classification/photo-api";
import { BacklogScaling } from "../components/classification/backlog-scaling";
import { QueueAgeScaling } from "../components/classification/queue-age-scaling";
import { UploadIntake } from "../components/classification/upload-intake";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, tags } from "../config/schema";
import { accountProvider } from "../shared/aws-provider";
import { scalingConfig } from "./classification-scaling";
import type { ClassificationOutputs } from "./outputs";
import { s3UriSchema } from "../../workloads/shared/s3-uri";

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "expected a subnet id such as subnet-0123456789abcdef0");
const image = z
  .string()
  .regex(
    /^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
    "expected a container image reference with a tag or digest",
  );

export const classificationConfig = z.object({
  layer: z.literal("classification"),
  accountId: awsAccountId,
  region: awsRegion,
  tags,
  network: z.object({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "expected a VPC id"),
    privateSubnetIds: z.array(subnetId).min(2, "expected subnets in at least two AZs"),
    publicSubnetIds: z.array(subnetId).min(2, "expected subnets in at least two AZs"),
  }),
  /** A combination name from packer/versions/ (its AMI id is published to SSM by scripts/packer-build). */
  gpuAmi: z.string().min(1),
  upload: z.object({
    prefix: z
      .string()
      .regex(/^[a-z0-9-]+\/$/, "expected a key prefix ending in / such as uploads/")
      .default("uploads/"),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024),
    urlExpirySeconds: z.number().int().min(30).max(3600),
    corsOrigins: z.array(z.string().url()).min(1),
    retentionDays: z.number().int().min(1),
  }),
  queue: z.object({
    visibilityTimeoutSeconds: z.number().int().min(30).max(43200),
    maxReceiveCount: z.number().int().min(1).max(10),
  }),
  worker: z.object({
    image,
    instanceType: z
      .string()
      .regex(/^(g4dn|g5|g6|g6e|p3|p4d|p5)\.[a-z0-9]+$/, "expected a GPU instance type such as g4dn.xlarge"),
    cpu: z.number().int().min(256),
    memoryMiB: z.number().int().min(512),
    gpus: z.number().int().min(1).max(8),
    batchSize: z.number().int().min(1).max(64),
    stopTimeoutSeconds: z.number().int().min(15).max(120),
    modelUri: s3UriSchema("the ONNX model"),
    maxInstances: z.number().int().min(1),
    rootVolumeGb: z.number().int().min(30).default(100),
  }),
  /** Which policy scales the workers and its parameters (infra/stacks/classification-scaling.ts). */
  scaling: scalingConfig,
  api: z.object({
    image,
    domainName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]+$/, "expected the API's domain name"),
    certificateArn: z
      .string()
      .regex(/^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "expected an ACM certificate ARN"),
    cpu: z.number().int().min(256),
    memoryMiB: z.number().int().min(512),
    desiredCount: z.number().int().min(1),
  }),
  logRetentionDays: z.number().int().default(30),
});

/** Where the worker serves /metrics and /healthz (the container health check asks it). */
const WORKER_METRICS_PORT = 9464;

export async function classification(): Promise<ClassificationOutputs> {
  const cfg = loadConfig(classificationConfig);
  const provider = accountProvider("classification", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  const opts = { provider };

  const intake = new UploadIntake(
    "photos",
    {
      prefix: cfg.upload.prefix,
      corsOrigins: cfg.upload.corsOrigins,
      retentionDays: cfg.upload.retentionDays,
      ...cfg.queue,
    },
    opts,
  );
  const gpu = new GpuEcsCluster(
    "gpu",
    {
      vpcId: cfg.network.vpcId,
      subnetIds: cfg.network.privateSubnetIds,
      amiId: resolveGpuAmi(cfg.gpuAmi, { provider }),
      instanceType: cfg.worker.instanceType,
      minInstances: 0,
      maxInstances: cfg.worker.maxInstances,
      rootVolumeGb: cfg.worker.rootVolumeGb,
    },
    opts,
  );
  const api = new PhotoApi(
    "photo-api",
    {
      vpcId: cfg.network.vpcId,
      privateSubnetIds: cfg.network.privateSubnetIds,
      publicSubnetIds: cfg.network.publicSubnetIds,
      domainName: cfg.api.domainName,
      certificateArn: cfg.api.certificateArn,
      internalClientSecurityGroupIds: [gpu.instanceSecurityGroup.id],
      image: cfg.api.image,
      cpu: cfg.api.cpu,
      memoryMiB: cfg.api.memoryMiB,
      desiredCount: cfg.api.desiredCount,
      uploads: { bucket: intake.bucket, prefix: cfg.upload.prefix },
      environment: ({ tableName, port }) =>
        intake.bucket.bucket.apply((uploadBucket) =>
          apiEnvironment({
            port,
            tableName,
            uploadBucket,
            uploadPrefix: cfg.upload.prefix,
            maxUploadBytes: cfg.upload.maxBytes,
            uploadUrlExpirySeconds: cfg.upload.urlExpirySeconds,
          }),
        ),
      logRetentionDays: cfg.logRetentionDays,
      region: cfg.region,
    },
    opts,
  );
  const worker = new ClassifierService(
    "classifier",
    {
      placement: {
        cluster: gpu.cluster,
        capacityProviderName: gpu.capacityProvider.name,
        subnetIds: cfg.network.privateSubnetIds,
        securityGroupId: gpu.instanceSecurityGroup.id,
        initialCount: cfg.scaling.minTasks,
      },
      container: {
        image: cfg.worker.image,
        cpu: cfg.worker.cpu,
        memoryMiB: cfg.worker.memoryMiB,
        gpus: cfg.worker.gpus,
        environment: pulumi
          .all([intake.queue.url, intake.deadLetterQueue.url, intake.bucket.bucket])
          .apply(([queueUrl, deadLetterQueueUrl, uploadBucket]) =>
            workerEnvironment({
              queueUrl,
              deadLetterQueueUrl,
              uploadBucket,
              uploadPrefix: cfg.upload.prefix,
              apiUrl: `https://${cfg.api.domainName}`,
              modelUri: cfg.worker.modelUri,
              batchSize: cfg.worker.batchSize,
              executionProvider: cfg.worker.gpus > 0 ? "cuda" : "cpu",
              // ORT would size its pool from the host's cores, not this task's share of them.
              inferenceThreads: Math.max(1, Math.floor(cfg.worker.cpu / 1024)),
              visibilityTimeoutSeconds: cfg.queue.visibilityTimeoutSeconds,
              maxImageBytes: cfg.upload.maxBytes,
              // The drain ends 10 s before ECS's SIGKILL.
              stopTimeoutSeconds: cfg.worker.stopTimeoutSeconds - 10,
              metricsPort: WORKER_METRICS_PORT,
            }),
          ),
        secrets: { API_TOKEN: api.tokenSecret.arn },
        healthPort: WORKER_METRICS_PORT,
        stopTimeoutSeconds: cfg.worker.stopTimeoutSeconds,
      },
      uploads: { bucket: intake.bucket, prefix: cfg.upload.prefix },
      queue: intake.queue,
      deadLetterQueue: intake.deadLetterQueue,
      modelUri: cfg.worker.modelUri,
      logRetentionDays: cfg.logRetentionDays,
      region: cfg.region,
    },
    opts,
  );
  const scaled = { clusterName: gpu.cluster.name, serviceName: worker.service.name, queueName: intake.queue.name };
  const scaling = cfg.scaling;
  if (scaling.policy === "step")
    new QueueAgeScaling(
      "classifier-scaling",
      {
        ...scaled,
        minTasks: scaling.minTasks,
        maxTasks: scaling.maxTasks,
        scaleOutAgeSeconds: scaling.scaleOutAgeSeconds,
        scaleInAgeSeconds: scaling.scaleInAgeSeconds,
        stepTasks: scaling.stepTasks,
        cooldownSeconds: scaling.cooldownSeconds,
        scaleInPeriods: scaling.scaleInPeriods,
      },
      opts,
    );
  else
    new BacklogScaling(
      "classifier-scaling",
      {
        ...scaled,
        minTasks: scaling.minTasks,
        maxTasks: scaling.maxTasks,
        targetBacklogPerTask: scaling.targetBacklogPerTask,
        scaleOutCooldownSeconds: scaling.scaleOutCooldownSeconds,
        scaleInCooldownSeconds: scaling.scaleInCooldownSeconds,
        schedule: scaling.schedule,
      },
      opts,
    );

  return {
    uploadBucket: intake.bucket.bucket,
    queueUrl: intake.queue.url,
    deadLetterQueueUrl: intake.deadLetterQueue.url,
    photoTable: api.table.name,
    apiLoadBalancerDns: api.loadBalancer.dnsName,
    clusterName: gpu.cluster.name,
  };
}
