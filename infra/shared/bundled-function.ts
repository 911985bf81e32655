/**
 * A Lambda function from a TypeScript handler in workloads/functions/, as the ops components build
 * it: its own log group (JSON logs, bounded retention), its own role under /guardrails/ (which the
 * research SCP protects) with exactly the given statements plus writing to that log group, and the
 * bundled code on nodejs24.x.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { functionBundle } from "./function-bundle";

export interface BundledFunctionArgs {
  /** Handler file relative to the repository root, e.g. workloads/functions/idle-check/handler.ts. */
  entry: string;
  /** Everything the function may do besides writing its logs. */
  statements: pulumi.Input<aws.iam.PolicyStatement[]>;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Seconds. */
  timeout: number;
  /** MiB. */
  memorySize: number;
  reservedConcurrentExecutions: number;
  logRetentionDays: number;
  /** Physical name, when something must know it in advance (default: Pulumi's auto-name). */
  functionName?: string;
  tags?: Record<string, string>;
}

export interface BundledFunction {
  function: aws.lambda.Function;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

export function bundledFunction(name: string, args: BundledFunctionArgs, parent: pulumi.Resource): BundledFunction {
  const child = { parent };
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, child);
  const role = new aws.iam.Role(
    `${name}-function`,
    {
      path: "/guardrails/",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      } satisfies aws.iam.PolicyDocument),
    },
    child,
  );
  new aws.iam.RolePolicy(
    `${name}-function`,
    {
      role: role.name,
      policy: pulumi.all([pulumi.output(args.statements), logGroup.arn]).apply(([statements, logs]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            ...statements,
            {
              Sid: "Logs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: `${logs}:*`,
            },
          ],
        } satisfies aws.iam.PolicyDocument),
      ),
    },
    child,
  );
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      name: args.functionName,
      runtime: "nodejs24.x",
      handler: "index.handler",
      code: functionBundle(args.entry),
      role: role.arn,
      timeout: args.timeout,
      memorySize: args.memorySize,
      reservedConcurrentExecutions: args.reservedConcurrentExecutions,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      environment: { variables: args.environment },
      tags: args.tags,
    },
    child,
  );
  return { function: fn, role, logGroup };
}
