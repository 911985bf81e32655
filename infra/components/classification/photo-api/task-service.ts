/**
 * The API's Fargate service: a non-root, unprivileged container with a read-only root
 * filesystem, a task role that may sign uploads under the upload prefix and keep verdicts in the
 * table and nothing else, and the worker token injected as a secret.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_USER, executionRole, taskRole } from "../../blocks/ecs-task-roles";
import type { BucketHandle } from "../../blocks/handles";
import type { Balancer } from "./load-balancers";
import type { ApiStore } from "./store";

export function apiTaskPolicy(p: {
  uploadBucketArn: string;
  uploadPrefix: string;
  tableArn: string;
}): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      // A pre-signed PUT carries the signer's permissions: this is what phones get to do.
      {
        Sid: "SignUploads",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${p.uploadBucketArn}/${p.uploadPrefix}*`,
      },
      {
        Sid: "Verdicts",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: p.tableArn,
      },
    ],
  };
}

export interface ApiTaskServiceArgs {
  image: string;
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  port: number;
  /** The container's environment (secrets apart). */
  environment: pulumi.Input<Record<string, string>>;
  uploads: { bucket: BucketHandle; prefix: string };
  store: ApiStore;
  subnetIds: string[];
  securityGroup: aws.ec2.SecurityGroup;
  /** The balancers whose target groups the service registers its tasks in. */
  balancers: Balancer[];
  logRetentionDays: number;
  region: string;
}

export function apiTaskService(
  name: string,
  args: ApiTaskServiceArgs,
  opts: pulumi.CustomResourceOptions,
): aws.ecs.Service {
  const { store } = args;
  const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, opts);
  const role = taskRole(
    name,
    pulumi
      .all([args.uploads.bucket.arn, store.table.arn])
      .apply(([uploadBucketArn, tableArn]) =>
        JSON.stringify(apiTaskPolicy({ uploadBucketArn, uploadPrefix: args.uploads.prefix, tableArn })),
      ),
    opts,
  );
  const execution = executionRole(name, [store.tokenSecret.arn], opts);
  const taskDefinition = new aws.ecs.TaskDefinition(
    name,
    {
      family: name,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(args.cpu),
      memory: String(args.memoryMiB),
      taskRoleArn: role.arn,
      executionRoleArn: execution.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: pulumi
        .all([args.environment, store.tokenSecret.arn, logs.name])
        .apply(([environment, tokenArn, logGroup]) =>
          JSON.stringify([
            {
              name: "api",
              image: args.image,
              essential: true,
              user: APP_USER,
              privileged: false,
              readonlyRootFilesystem: true,
              linuxParameters: { capabilities: { drop: ["ALL"] } },
              portMappings: [{ containerPort: args.port, protocol: "tcp" }],
              environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
              secrets: [{ name: "WORKER_TOKEN", valueFrom: tokenArn }],
              logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": logGroup, "awslogs-region": args.region, "awslogs-stream-prefix": "api" },
              },
            },
          ]),
        ),
    },
    opts,
  );
  return new aws.ecs.Service(
    name,
    {
      launchType: "FARGATE",
      cluster: pulumi.output(
        new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: "enabled" }] }, opts)
          .arn,
      ),
      taskDefinition: taskDefinition.arn,
      desiredCount: args.desiredCount,
      networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroup.id], assignPublicIp: false },
      loadBalancers: args.balancers.map((b) => ({
        targetGroupArn: b.targets.arn,
        containerName: "api",
        containerPort: args.port,
      })),
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    opts,
  );
}
