/**
 * The Slack app's server side: its secret (bot token and signing secret, values put in after the
 * app is installed) and the `/gpu` bot (workloads/functions/slack-bot) behind a function URL.
 *
 * The URL's authType is NONE by necessity: Slack cannot sign requests with SigV4, so the function
 * checks Slack's own signature on every request instead. The function claims the policy pack's
 * `slack-signed-webhook` exemption by tag; any other unauthenticated URL still fails the gate.
 * A signature is good for five minutes, so the function records each one it accepts in a DynamoDB
 * table (conditional put, expiring by TTL after the window) and refuses a second use.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  environmentFor,
  REPLAY_TABLE_KEY,
  REPLAY_TABLE_TTL,
  type SlackBotSettings,
} from "../../../../workloads/functions/slack-bot/config";
import { NodeFunction } from "../../blocks/node-function";
import { TAG } from "../../../../workloads/shared/conventions";
import { managedInstanceStatements } from "../../../shared/managed-instance-policy";

/** The id of the policy pack's exemption entry for Slack's signed webhooks. */
export const SLACK_WEBHOOK_EXEMPTION = "slack-signed-webhook";

export interface SlackBotArgs {
  /** Who may do what (Slack user id → owner; admins), keep limit and zone, without the secret. */
  settings: Omit<SlackBotSettings, "slackSecretArn" | "replayTableName">;
  /** Physical function name: fixed, so the role can allow the function to invoke itself (follow-ups). */
  functionName: string;
  region: string;
  accountId: string;
  logRetentionDays: number;
}

export class SlackBot extends pulumi.ComponentResource {
  readonly secret: aws.secretsmanager.Secret;
  /** One item per accepted request signature, deleted by TTL once the signature is too old to pass. */
  readonly replays: aws.dynamodb.Table;
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly url: aws.lambda.FunctionUrl;

  constructor(name: string, args: SlackBotArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:ops:SlackBot", name, {}, opts);
    const child = { parent: this };
    this.secret = new aws.secretsmanager.Secret(
      `${name}-slack`,
      { description: 'Slack app: {"botToken": "xoxb-…", "signingSecret": "…"} (put in after installing the app)' },
      child,
    );
    this.replays = new aws.dynamodb.Table(
      `${name}-replays`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: REPLAY_TABLE_KEY,
        attributes: [{ name: REPLAY_TABLE_KEY, type: "S" }],
        ttl: { attributeName: REPLAY_TABLE_TTL, enabled: true },
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      },
      child,
    );
    const self = `arn:aws:lambda:${args.region}:${args.accountId}:function:${args.functionName}`;
    const fn = new NodeFunction(
      name,
      {
        description: "The Slack bot behind /gpu: lists, starts, stops and keeps the GPU instances it manages",
        entry: "workloads/functions/slack-bot/handler.ts",
        functionName: args.functionName,
        statements: pulumi
          .all([this.secret.arn, this.replays.arn])
          .apply(([secret, replays]): aws.iam.PolicyStatement[] => [
            ...managedInstanceStatements({
              region: args.region,
              accountId: args.accountId,
              actions: ["ec2:StartInstances", "ec2:StopInstances"],
              tagKeys: [TAG.keepUntil, TAG.idleHours],
              deleteTags: false,
            }),
            { Sid: "SlackSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secret },
            // Records a signature with a conditional put; it never reads, updates or deletes one.
            { Sid: "ReplayRecord", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: replays },
            // Follow-ups (waiting for a start or stop) run as an asynchronous call to itself.
            { Sid: "FollowUp", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: self },
          ]),
        environment: pulumi
          .all([this.secret.arn, this.replays.name])
          .apply(([arn, table]) => environmentFor({ ...args.settings, slackSecretArn: arn, replayTableName: table })),
        // A follow-up waits up to four minutes for a start or stop; a command answers in under three seconds.
        timeout: 300,
        memorySize: 256,
        reservedConcurrentExecutions: 5,
        logRetentionDays: args.logRetentionDays,
        tags: { [TAG.policyExemption]: SLACK_WEBHOOK_EXEMPTION },
        // Built by this component itself before the block existed: keep the deployed resources.
        movedFrom: { parent: this },
      },
      { parent: this },
    );
    this.function = fn.function;
    this.role = fn.role;
    this.url = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: this.function.name, authorizationType: "NONE" },
      child,
    );
    // A public URL needs both grants since October 2025; each is limited to calls through the URL.
    new aws.lambda.Permission(
      `${name}-url`,
      {
        action: "lambda:InvokeFunctionUrl",
        function: this.function.name,
        principal: "*",
        functionUrlAuthType: "NONE",
      },
      child,
    );
    new aws.lambda.Permission(
      `${name}-url-invoke`,
      { action: "lambda:InvokeFunction", function: this.function.name, principal: "*", invokedViaFunctionUrl: true },
      child,
    );
    this.registerOutputs({ url: this.url.functionUrl });
  }
}
