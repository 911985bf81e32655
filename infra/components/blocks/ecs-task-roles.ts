/**
 * The two roles every ECS task of the platform has: the execution role ECS itself uses (image
 * pull, logs, the task's secrets) and the task role the application gets, both service roles
 * (blocks/service-role) trusted by `ecs-tasks.amazonaws.com` only; and the non-root user the task
 * images run as.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { ServiceRole } from "./service-role";

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/** The role ECS uses to pull the image, write logs and read the task's secrets — not the app's role. */
export function executionRole(
  name: string,
  secretArns: pulumi.Input<string>[],
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  return new ServiceRole(
    `${name}-execution`,
    {
      description: `${name}: ECS pulls the image, writes the logs and reads the task's secrets`,
      services: [ECS_TASKS],
      managedPolicyArns: [EXECUTION_POLICY],
      statements: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns }],
      // These roles were built beside the task, under these names, before the block existed.
      movedFrom: opts.parent && {
        parent: opts.parent,
        names: { [EXECUTION_POLICY]: `${name}-execution`, policy: `${name}-execution-secrets` },
      },
    },
    opts,
  ).role;
}

/** The application's role: exactly `policy` (a whole policy document, JSON). */
export function taskRole(name: string, policy: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  return new ServiceRole(
    `${name}-task`,
    {
      description: `${name}: the application's own permissions`,
      services: [ECS_TASKS],
      policy,
      movedFrom: opts.parent && { parent: opts.parent },
    },
    opts,
  ).role;
}

/** UID:GID the workload images run as (created in their Dockerfiles); never root. */
export const APP_USER = "10001:10001";
