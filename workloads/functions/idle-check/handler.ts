/**
 * Lambda entry of the idle check (EventBridge schedule, hourly). Reads its settings at cold start
 * and fails then with the variable's name if one is wrong; returns the run's report.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createLogger } from "../../shared/log";
import { readSlackSecret } from "../shared/slack-secret";
import { slackClient } from "../shared/slack";
import { runCheck, type CheckDeps, type CheckReport } from "./check";
import { loadIdleCheckConfig, type IdleCheckConfig } from "./config";

let wired: { deps: CheckDeps; config: IdleCheckConfig } | undefined;

function wire(): { deps: CheckDeps; config: IdleCheckConfig } {
  if (wired) return wired;
  const config = loadIdleCheckConfig();
  const secrets = new SecretsManagerClient({});
  wired = {
    config,
    deps: {
      ec2: new EC2Client({}),
      cloudwatch: new CloudWatchClient({}),
      slack: async () =>
        slackClient({
          apiUrl: config.slackApiUrl,
          token: (await readSlackSecret(secrets, config.slackSecretArn)).botToken,
        }),
      log: createLogger("idle-check"),
    },
  };
  return wired;
}

export const handler = (): Promise<CheckReport> => {
  const { deps, config } = wire();
  return runCheck(deps, config);
};
