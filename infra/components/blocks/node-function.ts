/**
 * A Lambda function from a TypeScript handler in workloads/functions/: its own log group (JSON logs,
 * bounded retention), its own service role under /guardrails/ (which the research SCP protects)
 * with exactly the given statements plus writing to that log group, and the bundled code on
 * nodejs24.x. The one way the platform deploys a Node function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { functionBundle } from "../../shared/function-bundle";
import { PLATFORM_NAMES } from "../../../workloads/shared/conventions";
import { childOptions, type MovedFrom } from "./moved-from";
import { ServiceRole } from "./service-role";

export interface NodeFunctionArgs {
  /** Handler file relative to the repository root, e.g. workloads/functions/idle-check/handler.ts. */
  entry: string;
  /** What the function is for: the role's description. */
  description: string;
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
  /**
   * The component that built these resources itself before this block existed (aliases to the old
   * URNs, so `pulumi up` moves nothing). Parts: "logs", "function"; the role's are the role block's.
   */
  movedFrom?: MovedFrom<"logs" | "function">;
}

export class NodeFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:NodeFunction", name, {}, opts);
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays },
      childOptions(this, args.movedFrom, "logs"),
    );
    this.role = new ServiceRole(
      `${name}-function`,
      {
        services: ["lambda.amazonaws.com"],
        description: args.description,
        path: PLATFORM_NAMES.guardrailPath,
        policy: pulumi.all([pulumi.output(args.statements), this.logGroup.arn]).apply(([statements, logs]) =>
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
        movedFrom: args.movedFrom && { parent: args.movedFrom.parent },
      },
      { parent: this },
    ).role;
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        runtime: "nodejs24.x",
        handler: "index.handler",
        code: functionBundle(args.entry),
        role: this.role.arn,
        timeout: args.timeout,
        memorySize: args.memorySize,
        reservedConcurrentExecutions: args.reservedConcurrentExecutions,
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
        environment: { variables: args.environment },
        tags: args.tags,
      },
      childOptions(this, args.movedFrom, "function"),
    );
    this.registerOutputs({ functionArn: this.function.arn });
  }
}
