/**
 * The two roles every ECS task of the platform has: the execution role ECS itself uses (image
 * pull, logs, the task's secrets) and the task role the application gets, both trusted by
 * `ecs-tasks.amazonaws.com` only; and the non-root user the task images run as.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const ecsTasksTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
} satisfies aws.iam.PolicyDocument);

/** The role ECS uses to pull the image, write logs and read the task's secrets — not the app's role. */
export function executionRole(
  name: string,
  secretArns: pulumi.Input<string>[],
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(`${name}-execution`, { assumeRolePolicy: ecsTasksTrust }, opts);
  new aws.iam.RolePolicyAttachment(
    `${name}-execution`,
    { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
    opts,
  );
  new aws.iam.RolePolicy(
    `${name}-execution-secrets`,
    {
      role: role.name,
      policy: pulumi.all(secretArns).apply((arns) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns }],
        } satisfies aws.iam.PolicyDocument),
      ),
    },
    opts,
  );
  return role;
}

export function taskRole(name: string, policy: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  const role = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: ecsTasksTrust }, opts);
  new aws.iam.RolePolicy(`${name}-task`, { role: role.name, policy }, opts);
  return role;
}

/** UID:GID the workload images run as (created in their Dockerfiles); never root. */
export const APP_USER = "10001:10001";
