/**
 * The hourly idle check: a function (workloads/functions/idle-check) on an EventBridge schedule
 * that warns owners of idle managed GPU instances in Slack and stops them after more idle hours.
 * Its role may stop and re-tag managed instances only, read metrics, and read the Slack secret.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type IdleCheckConfig } from "../../../../workloads/functions/idle-check/config";
import { NodeFunction } from "../../blocks/node-function";
import { ruleInvokesFunction } from "../../blocks/rule-invokes-function";
import { TAG } from "../../../../workloads/shared/conventions";
import { managedInstanceStatements } from "../../../shared/managed-instance-policy";

export interface IdleCheckArgs {
  /** The check's settings (thresholds, hours, dry run), without the secret. */
  settings: Omit<IdleCheckConfig, "slackSecretArn">;
  /** The Slack app's secret (bot token). */
  slackSecret: aws.secretsmanager.Secret;
  /** EventBridge schedule; hourly, since the check counts idle hours by its runs. */
  schedule: string;
  region: string;
  accountId: string;
  logRetentionDays: number;
}

export class IdleCheck extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly rule: aws.cloudwatch.EventRule;

  constructor(name: string, args: IdleCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:ops:IdleCheck", name, {}, opts);
    const child = { parent: this };
    const fn = new NodeFunction(
      name,
      {
        description:
          "The hourly idle check: reads GPU, CPU and network metrics, warns owners in Slack, stops idle GPU instances",
        entry: "workloads/functions/idle-check/handler.ts",
        statements: args.slackSecret.arn.apply((secret): aws.iam.PolicyStatement[] => [
          ...managedInstanceStatements({
            region: args.region,
            accountId: args.accountId,
            actions: ["ec2:StopInstances"],
            tagKeys: [TAG.idleHours, TAG.keepUntil],
            deleteTags: true,
          }),
          // Neither has resource-level permissions.
          {
            Sid: "ReadMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
            Resource: "*",
          },
          { Sid: "SlackSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secret },
        ]),
        environment: args.slackSecret.arn.apply((arn) => environmentFor({ ...args.settings, slackSecretArn: arn })),
        // A few queries per instance and a handful of stops: well under this for a large team.
        timeout: 300,
        memorySize: 256,
        // One run at a time: two overlapping runs would count the same hour twice.
        reservedConcurrentExecutions: 1,
        logRetentionDays: args.logRetentionDays,
        // Built by this component itself before the block existed: keep the deployed resources.
        movedFrom: { parent: this },
      },
      { parent: this },
    );
    this.function = fn.function;
    this.role = fn.role;
    this.rule = new aws.cloudwatch.EventRule(`${name}-schedule`, { scheduleExpression: args.schedule }, child);
    ruleInvokesFunction(`${name}-schedule`, this.rule, this.function, this);
    this.registerOutputs({ functionName: this.function.name });
  }
}
