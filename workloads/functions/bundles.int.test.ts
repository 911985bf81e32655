/**
 * The ops functions as Lambda runs them: the esbuild bundles the stack deploys, loaded by a plain
 * Node process whose only configuration is its environment (as the stack writes it), against
 * embedded AWS. Proves the wiring the in-process tests inject: clients from the environment, the
 * secret read from Secrets Manager, settings parsed at start.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EC2Client } from "@aws-sdk/client-ec2";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { functionBundle } from "../../infra/shared/function-bundle";
import { MANAGED_VALUE, TAG } from "../shared/conventions";
import { startEmbeddedAws, type EmbeddedAws } from "../../scripts/embedded-aws";
import { environmentFor as idleCheckEnv } from "./idle-check/config";
import { TEST_SETTINGS } from "./idle-check/settings.fixture";
import { startSlackStandIn, type SlackStandIn } from "./shared/slack-stand-in.testing";
import { environmentFor as botEnv } from "./slack-bot/config";
import { createReplayTable } from "./slack-bot/replay-table.fixture";
import { sign } from "./slack-bot/signature";
import { createEc2Fixture, type Ec2Fixture } from "./testing";

const run = promisify(execFile);
const SIGNING = "bundle-test-signing-secret";
const RESULT = "handler-result: ";

/** Calls the bundle's handler once with `event` in a fresh Node process and returns what it resolved to. */
async function invoke(entry: string, env: Record<string, string>, event: unknown): Promise<unknown> {
  functionBundle(entry);
  const bundle = `.cache/functions/${entry.split("/").slice(-2, -1)[0]}/index.js`;
  const script = `require(require("path").resolve(${JSON.stringify(bundle)})).handler(${JSON.stringify(event)}).then((r) => process.stdout.write("\\n${RESULT}" + JSON.stringify(r) + "\\n"), (e) => { console.error(e); process.exit(1); })`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
    timeout: 60_000,
  });
  // The handler's JSON logs share stdout, and an asynchronous one may land after the result: the
  // result is the line with the marker.
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT));
  if (line === undefined) throw new Error(`the handler printed no result: ${stdout}`);
  return JSON.parse(line.slice(RESULT.length)) as unknown;
}

describe("ops function bundles on embedded AWS", () => {
  let aws: EmbeddedAws;
  let fixture: Ec2Fixture;
  let slack: SlackStandIn;
  let secretArn: string;
  let instanceId: string;

  before(async () => {
    aws = await startEmbeddedAws();
    fixture = await createEc2Fixture(new EC2Client(aws.clientConfig()));
    slack = await startSlackStandIn("xoxb-bundle");
    secretArn = (
      await new SecretsManagerClient(aws.clientConfig()).send(
        new CreateSecretCommand({
          Name: "slack",
          SecretString: JSON.stringify({ botToken: "xoxb-bundle", signingSecret: SIGNING }),
        }),
      )
    ).ARN as string;
    const tags = { Name: "jane-gpu", [TAG.managed]: MANAGED_VALUE, [TAG.owner]: "jane", [TAG.idleHours]: "3" };
    instanceId = (await fixture.launch(tags)).id;
  });
  after(async () => {
    await slack?.close();
    await aws?.stop();
  });

  it("the idle check runs from its environment and judges the managed instance", async () => {
    const env = idleCheckEnv({ slackSecretArn: secretArn, slackApiUrl: slack.apiUrl, ...TEST_SETTINGS });
    const report = (await invoke("workloads/functions/idle-check/handler.ts", { ...aws.env(), ...env }, {})) as {
      instances: { id: string; decision: { kind: string } }[];
    };
    // Launched moments ago: not a whole idle hour yet, and the old count is reset.
    expect(report.instances).to.deep.include.members([
      {
        id: instanceId,
        name: "jane-gpu",
        owner: "jane",
        decision: { kind: "starting" },
        actions: [`tag ${TAG.idleHours}=0`],
      },
    ]);
    expect((await fixture.instance(instanceId)).tags[TAG.idleHours]).to.equal("0");
  });

  it("the bot checks the signature with the secret from Secrets Manager, answers a list once, refuses its replay", async () => {
    await createReplayTable(new DynamoDBClient(aws.clientConfig()), "bundle-replays");
    const env = botEnv({
      slackSecretArn: secretArn,
      replayTableName: "bundle-replays",
      researchers: { U0JANE0001: "jane" },
      admins: [],
      maxKeepHours: 72,
    });
    const body = new URLSearchParams({ command: "/gpu", text: "list", user_id: "U0JANE0001" }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const event = {
      headers: { "x-slack-request-timestamp": ts, "x-slack-signature": sign(SIGNING, ts, body) },
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    };
    const entry = "workloads/functions/slack-bot/handler.ts";
    const ok = (await invoke(entry, { ...aws.env(), ...env }, event)) as { statusCode: number; body: string };
    expect(ok.statusCode).to.equal(200);
    expect((JSON.parse(ok.body) as { text: string }).text)
      .to.include("jane-gpu")
      .and.include(instanceId);
    // The same request again, in a fresh process (another Lambda container): the record is in DynamoDB.
    const replay = (await invoke(entry, { ...aws.env(), ...env }, event)) as { statusCode: number; body: string };
    expect((JSON.parse(replay.body) as { text: string }).text).to.include("already received once");
    const forged = { ...event, headers: { ...event.headers, "x-slack-signature": sign("wrong", ts, body) } };
    expect(((await invoke(entry, { ...aws.env(), ...env }, forged)) as { statusCode: number }).statusCode).to.equal(
      401,
    );
  });
});
