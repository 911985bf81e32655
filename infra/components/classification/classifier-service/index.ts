/**
 * The GPU worker as an ECS service on the GPU capacity provider: one GPU per task, a non-root,
 * unprivileged container with a read-only root filesystem, and a task role that can read the
 * upload prefix, work the queue, park messages on the DLQ and nothing else; and the alarm for an
 * API that refuses the worker's token (auth-alarm.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_USER, executionRole, taskRole } from "../../blocks/ecs-task-roles";
import { workerAuthAlarm } from "./auth-alarm";
import type { BucketHandle, QueueHandle } from "../../blocks/handles";
import { isS3Uri, parseS3Uri, s3ObjectArn } from "../../../../workloads/shared/s3-uri";

export interface ClassifierServiceArgs {
  /** Where the tasks run: the GPU cluster, its capacity provider, private subnets and the workers' security group. */
  placement: {
    cluster: aws.ecs.Cluster;
    capacityProviderName: pulumi.Input<string>;
    subnetIds: string[];
    /** Security group the workers' network interfaces use (no inbound). */
    securityGroupId: pulumi.Input<string>;
    /** Tasks at the first deployment; queue-age scaling owns the count afterwards. */
    initialCount: number;
  };
  /** The worker container. */
  container: {
    image: string;
    cpu: number;
    memoryMiB: number;
    gpus: number;
    /** The container's environment, from the worker service's own environmentFor (secrets apart). */
    environment: pulumi.Input<Record<string, string>>;
    /** Variables injected from Secrets Manager: name → secret ARN (the execution role may read exactly these). */
    secrets: Record<string, pulumi.Input<string>>;
    /** Port of the worker's /healthz (its METRICS_PORT), asked by the container health check. */
    healthPort: number;
    /** Seconds ECS waits after SIGTERM before SIGKILL (at most 120); the worker's own drain must end before. */
    stopTimeoutSeconds: number;
  };
  /** Read: the photos under `prefix` of the upload bucket (the task role allows nothing else in it). */
  uploads: { bucket: BucketHandle; prefix: string };
  /** Worked: received, extended and deleted. */
  queue: QueueHandle;
  /** Written: where the worker parks what it cannot read. */
  deadLetterQueue: QueueHandle;
  /** s3://bucket/key of the ONNX model; the task may read exactly that object. */
  modelUri: string;
  logRetentionDays: number;
  region: string;
}

export interface WorkerPolicyInput {
  uploadBucketArn: string;
  uploadPrefix: string;
  queueArn: string;
  deadLetterQueueArn: string;
  modelUri: string;
}

export function workerTaskPolicy(p: WorkerPolicyInput): aws.iam.PolicyDocument {
  const statements: aws.iam.PolicyStatement[] = [
    {
      Sid: "ReadUploads",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `${p.uploadBucketArn}/${p.uploadPrefix}*`,
    },
    {
      Sid: "WorkQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      Resource: p.queueArn,
    },
    { Sid: "ParkUnreadable", Effect: "Allow", Action: "sqs:SendMessage", Resource: p.deadLetterQueueArn },
  ];
  // A model baked into the image (a path) needs no S3 grant; an s3:// one gets exactly its object.
  if (isS3Uri(p.modelUri))
    statements.push({
      Sid: "ReadModel",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: s3ObjectArn(parseS3Uri(p.modelUri, "ClassifierService modelUri")),
    });
  return { Version: "2012-10-17", Statement: statements };
}

export class ClassifierService extends pulumi.ComponentResource {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly service: aws.ecs.Service;
  readonly taskRole: aws.iam.Role;
  /** In alarm while the photo API refuses the workers' token (401/403). */
  readonly authRefusedAlarm: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: ClassifierServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:classification:ClassifierService", name, {}, opts);
    const child = { parent: this };
    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, child);
    this.authRefusedAlarm = workerAuthAlarm(name, logs.name, child);
    this.taskRole = taskRole(
      name,
      pulumi
        .all([args.uploads.bucket.arn, args.queue.arn, args.deadLetterQueue.arn])
        .apply(([uploadBucketArn, queueArn, deadLetterQueueArn]) =>
          JSON.stringify(
            workerTaskPolicy({
              uploadBucketArn,
              uploadPrefix: args.uploads.prefix,
              queueArn,
              deadLetterQueueArn,
              modelUri: args.modelUri,
            }),
          ),
        ),
      child,
    );
    const { placement, container } = args;
    const secretNames = Object.keys(container.secrets);
    const secretArns = Object.values(container.secrets);
    const execution = executionRole(name, secretArns, child);

    const containerDefinitions = pulumi
      .all([container.environment, pulumi.all(secretArns), logs.name])
      .apply(([environment, arns, logGroup]) =>
        JSON.stringify([
          {
            name: "worker",
            image: container.image,
            essential: true,
            user: APP_USER,
            privileged: false,
            readonlyRootFilesystem: true,
            linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
            resourceRequirements: [{ type: "GPU", value: String(container.gpus) }],
            stopTimeout: container.stopTimeoutSeconds,
            // /healthz turns 503 when the inference runtime dies: ECS then replaces the task.
            healthCheck: {
              command: [
                "CMD",
                "node",
                "-e",
                `fetch("http://127.0.0.1:${container.healthPort}/healthz").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
              ],
              interval: 30,
              timeout: 5,
              retries: 3,
              startPeriod: 120,
            },
            environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
            secrets: secretNames.map((secretName, i) => ({ name: secretName, valueFrom: arns[i] })),
            mountPoints: [{ sourceVolume: "scratch", containerPath: "/tmp" }],
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": logGroup, "awslogs-region": args.region, "awslogs-stream-prefix": "worker" },
            },
          },
        ]),
      );
    this.taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: name,
        requiresCompatibilities: ["EC2"],
        networkMode: "awsvpc",
        cpu: String(container.cpu),
        memory: String(container.memoryMiB),
        taskRoleArn: this.taskRole.arn,
        executionRoleArn: execution.arn,
        volumes: [{ name: "scratch" }],
        containerDefinitions,
      },
      child,
    );
    this.service = new aws.ecs.Service(
      name,
      {
        cluster: placement.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: placement.initialCount,
        capacityProviderStrategies: [{ capacityProvider: placement.capacityProviderName, weight: 1 }],
        networkConfiguration: {
          subnets: placement.subnetIds,
          securityGroups: [placement.securityGroupId],
          assignPublicIp: false,
        },
        deploymentMinimumHealthyPercent: 50,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      // Queue-age scaling owns the count once deployed.
      { ...child, ignoreChanges: ["desiredCount"] },
    );
    this.registerOutputs({ serviceName: this.service.name });
  }
}
