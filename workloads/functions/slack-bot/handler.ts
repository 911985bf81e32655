/**
 * Lambda entry of the Slack bot: a function URL request (the slash command), or a follow-up this
 * function sent itself asynchronously, because Slack wants an answer within three seconds and a
 * start takes a minute.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createLogger } from "../../shared/log";
import { readSlackSecret } from "../shared/slack-secret";
import { followUp, handleRequest, type BotDeps, type FollowUp, type UrlEvent, type UrlResult } from "./bot";
import { loadSlackBotConfig } from "./config";
import { dynamoReplayGuard } from "./replay-guard";

let deps: BotDeps | undefined;

function wire(): BotDeps {
  if (deps) return deps;
  const config = loadSlackBotConfig();
  const secrets = new SecretsManagerClient({});
  const lambda = new LambdaClient({});
  let secret: Promise<string> | undefined;
  deps = {
    ec2: new EC2Client({}),
    // Cached per container; a failed read is retried by the next request.
    signingSecret: () =>
      (secret ??= readSlackSecret(secrets, config.SLACK_SECRET_ARN).then(
        (s) => s.signingSecret,
        (err: unknown) => {
          secret = undefined;
          throw err;
        },
      )),
    replayGuard: dynamoReplayGuard(new DynamoDBClient({}), config.REPLAY_TABLE),
    access: { researchers: config.RESEARCHERS, admins: config.ADMINS },
    maxKeepHours: config.MAX_KEEP_HOURS,
    zoneName: config.ZONE_NAME,
    responseUrlPrefix: config.RESPONSE_URL_PREFIX,
    dispatch: async (f) => {
      await lambda.send(
        new InvokeCommand({
          FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify(f)),
        }),
      );
    },
    log: createLogger("slack-bot"),
  };
  return deps;
}

const isFollowUp = (e: unknown): e is FollowUp => (e as { kind?: unknown } | null)?.kind === "await-state";

export async function handler(event: UrlEvent | FollowUp): Promise<UrlResult | string> {
  const d = wire();
  if (isFollowUp(event)) return followUp(event, d);
  return handleRequest(event, d);
}
