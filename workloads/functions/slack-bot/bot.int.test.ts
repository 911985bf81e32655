import { expect } from "chai";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { MANAGED_VALUE, TAG } from "../../shared/conventions";
import { createLogger } from "../../shared/log";
import { startSlackStandIn, type SlackStandIn } from "../shared/slack-stand-in.testing";
import { createEc2Fixture, type Ec2Fixture } from "../testing";
import { followUp, handleRequest, type BotDeps, type FollowUp, type UrlEvent } from "./bot";
import { REPLAY_TABLE_KEY, REPLAY_TABLE_TTL } from "./config";
import { dynamoReplayGuard } from "./replay-guard";
import { createReplayTable } from "./replay-table.fixture";
import { MAX_SKEW_SECONDS, sign } from "./signature";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const JANE = "U0JANE001";
const BOB = "U0BOB0002";
const ADMIN = "U0ADMIN03";
const STRANGER = "U0NOBODY4";

const REPLAY_TABLE = "slack-bot-replays";

describe("Slack bot on embedded AWS (EC2, DynamoDB) with a Slack stand-in", () => {
  let aws: EmbeddedAws;
  let ec2: EC2Client;
  let dynamodb: DynamoDBClient;
  let slack: SlackStandIn;
  let fixture: Ec2Fixture;
  let deps: BotDeps;
  let jane: string;
  let bob: string;
  let foreign: string;
  const dispatched: FollowUp[] = [];
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    aws = await startEmbeddedAws();
    ec2 = new EC2Client(aws.clientConfig());
    dynamodb = new DynamoDBClient(aws.clientConfig());
    await createReplayTable(dynamodb, REPLAY_TABLE);
    slack = await startSlackStandIn("xoxb-unused");
    fixture = await createEc2Fixture(ec2);
    const launch = async (tags: Record<string, string>) => (await fixture.launch(tags)).id;
    jane = await launch({ Name: "jane-gpu", [TAG.managed]: MANAGED_VALUE, [TAG.owner]: "jane" });
    bob = await launch({ Name: "bob-gpu", [TAG.managed]: MANAGED_VALUE, [TAG.owner]: "bob" });
    // Same owner tag, not managed: the bot must not see it.
    foreign = await launch({ Name: "jane-private", [TAG.owner]: "jane" });
    deps = {
      ec2,
      signingSecret: async () => SECRET,
      replayGuard: dynamoReplayGuard(dynamodb, REPLAY_TABLE),
      access: { researchers: { [JANE]: "jane", [BOB]: "bob" }, admins: [ADMIN] },
      maxKeepHours: 72,
      zoneName: "research-alpha.internal",
      responseUrlPrefix: slack.responseUrl(""),
      dispatch: async (f) => void dispatched.push(f),
      log: createLogger("slack-bot-test", {
        write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>),
      }),
    };
  });
  after(async () => {
    await slack?.close();
    await aws?.stop();
  });
  beforeEach(() => {
    dispatched.length = 0;
    logs.length = 0;
    slack.clear();
  });

  // Slack gives every invocation a trigger_id of its own, so two genuine requests never share a
  // signature even inside one second; without it, the same command sent twice in one second by
  // two tests would be one signed request and the second a replay.
  let invocations = 0;
  const body = (user: string, text: string) =>
    new URLSearchParams({
      command: "/gpu",
      text,
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: slack.responseUrl("r1"),
      team_id: "T0001",
      trigger_id: `${Date.now()}.${++invocations}`,
    }).toString();

  function request(
    user: string,
    text: string,
    opts: { ts?: number; secret?: string; base64?: boolean; tamper?: (b: string) => string } = {},
  ): UrlEvent {
    const raw = body(user, text);
    const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
    const signed = opts.tamper ? opts.tamper(raw) : raw;
    return {
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(opts.secret ?? SECRET, ts, raw),
      },
      body: opts.base64 ? Buffer.from(signed).toString("base64") : signed,
      isBase64Encoded: opts.base64 ?? false,
    };
  }

  async function send(event: UrlEvent): Promise<{ status: number; text: string }> {
    const res = await handleRequest(event, deps);
    const parsed = JSON.parse(res.body) as { text?: string; error?: string };
    return { status: res.statusCode, text: parsed.text ?? parsed.error ?? "" };
  }

  const state = (id: string) => fixture.instance(id);
  const commandLogs = () => logs.filter((l) => l.event === "gpu-command");

  describe("valid requests", () => {
    it("list: a researcher sees their own instances, an admin every managed one, nobody an unmanaged one", async () => {
      const mine = await send(request(JANE, "list"));
      expect(mine.status).to.equal(200);
      expect(mine.text).to.include("jane-gpu").and.include(jane).and.include("jane-gpu.research-alpha.internal");
      expect(mine.text).not.to.include("bob-gpu");
      expect(mine.text).not.to.include("jane-private");
      const all = await send(request(ADMIN, "list", { base64: true }));
      expect(all.text).to.include("jane-gpu").and.include("bob-gpu");
      expect(all.text).not.to.include(foreign);
      expect(commandLogs()[0]).to.include({ user: JANE, command: "/gpu list", outcome: "ok" });
    });

    it("status: shows state, type, owner and idle count", async () => {
      const res = await send(request(BOB, "status bob-gpu"));
      expect(res.text).to.include("bob-gpu").and.include("running").and.include("g5.xlarge").and.include("owner bob");
    });

    it("stop, then start: acts at once, answers in time, and reports the end state through response_url", async () => {
      const stop = await send(request(JANE, "stop jane-gpu"));
      expect(stop.text).to.include("Stopping jane-gpu");
      expect((await state(jane)).state).to.be.oneOf(["stopping", "stopped"]);
      expect(dispatched).to.have.length(1);
      expect(dispatched[0]).to.include({ instanceId: jane, state: "stopped", userId: JANE });
      const said = await followUp(dispatched[0], { ...deps, pollMs: 50, timeoutMs: 5000 });
      expect(said).to.equal("jane-gpu is stopped.");
      expect(slack.requests.map((r) => [r.path, r.body.text])).to.deep.equal([["/respond/r1", "jane-gpu is stopped."]]);

      const start = await send(request(JANE, "start jane-gpu"));
      expect(start.text).to.include("Starting jane-gpu");
      expect((await state(jane)).state).to.be.oneOf(["pending", "running"]);
      expect(await followUp(dispatched[1], { ...deps, pollMs: 50, timeoutMs: 5000 })).to.equal("jane-gpu is running.");
      expect(commandLogs().map((l) => [l.command, l.outcome, l.instance])).to.deep.equal([
        ["/gpu stop jane-gpu", "ok", jane],
        ["/gpu start jane-gpu", "ok", jane],
      ]);
    });

    it("keep: sets the exemption for the hours asked and resets the idle count; an admin may keep anyone's", async () => {
      const before = Date.now();
      const res = await send(request(JANE, "keep jane-gpu 6"));
      expect(res.text).to.include("will not be stopped for being idle until");
      const tags = (await state(jane)).tags;
      const until = new Date(tags[TAG.keepUntil] as string).getTime();
      expect(until).to.be.within(before + 6 * 3600_000 - 1000, Date.now() + 6 * 3600_000);
      expect(tags[TAG.idleHours]).to.equal("0");
      expect((await send(request(ADMIN, "keep bob-gpu 2"))).text).to.include("bob-gpu will not be stopped");
      expect((await send(request(JANE, "keep jane-gpu 999"))).text).to.equal(
        "Hours must be a whole number from 1 to 72.",
      );
    });
  });

  describe("refusals: the right answer and no action", () => {
    /** Tags and state of every instance, to prove nothing changed. */
    const snapshot = async () => Promise.all([jane, bob, foreign].map(state));

    it("a forged signature gets 401", async () => {
      const before = await snapshot();
      const res = await send(request(JANE, "stop jane-gpu", { secret: "not-the-signing-secret" }));
      expect(res).to.deep.equal({ status: 401, text: "invalid request signature" });
      expect(await snapshot()).to.deep.equal(before);
      expect(dispatched).to.deep.equal([]);
      expect(logs[0]).to.include({ outcome: "unauthenticated", reason: "bad signature" });
    });

    it("a stale or replayed timestamp (older than 5 minutes) gets 401, even correctly signed", async () => {
      const before = await snapshot();
      const res = await send(request(JANE, "stop jane-gpu", { ts: Math.floor(Date.now() / 1000) - 301 }));
      expect(res.status).to.equal(401);
      expect(logs[0]).to.include({ reason: "stale timestamp" });
      expect(await snapshot()).to.deep.equal(before);
    });

    it("the same signed request sent again inside the window is refused, says so, and does nothing", async () => {
      const stop = request(JANE, "stop jane-gpu");
      expect((await send(stop)).text).to.include("Stopping jane-gpu");
      expect(dispatched).to.have.length(1);
      await followUp(dispatched[0], { ...deps, pollMs: 50, timeoutMs: 5000 });
      const start = request(JANE, "start jane-gpu");
      expect((await send(start)).text).to.include("Starting jane-gpu");
      await followUp(dispatched[1], { ...deps, pollMs: 50, timeoutMs: 5000 });
      const before = await snapshot();
      logs.length = 0;
      // A captured stop, replayed twice (once base64-encoded, as a function URL may deliver it):
      // within its five minutes, correctly signed, and refused each time.
      const replayed = await send(stop);
      expect(replayed).to.deep.equal({
        status: 200,
        text: "This request was already received once and is not run again. Send the command anew.",
      });
      const again = await send({
        ...stop,
        body: Buffer.from(stop.body as string).toString("base64"),
        isBase64Encoded: true,
      });
      expect(again.text).to.equal(replayed.text);
      expect(await snapshot()).to.deep.equal(before);
      expect((await state(jane)).state).to.equal("running");
      expect(dispatched).to.have.length(2);
      expect(commandLogs().map((l) => l.outcome)).to.deep.equal(["replayed", "replayed"]);
      // The record is keyed by the signature and expires once the timestamp is past the window.
      const signature = stop.headers?.["X-Slack-Signature"] as string;
      const item = await dynamodb.send(
        new GetItemCommand({ TableName: REPLAY_TABLE, Key: { [REPLAY_TABLE_KEY]: { S: signature } } }),
      );
      const ts = Number(stop.headers?.["X-Slack-Request-Timestamp"]);
      expect(Number(item.Item?.[REPLAY_TABLE_TTL]?.N)).to.be.within(
        ts + MAX_SKEW_SECONDS + 1,
        ts + 2 * MAX_SKEW_SECONDS,
      );
    });

    it("a request that cannot be recorded is not run", async () => {
      const before = await snapshot();
      const broken = { ...deps, replayGuard: dynamoReplayGuard(dynamodb, "no-such-table") };
      const res = await handleRequest(request(JANE, "stop jane-gpu"), broken);
      expect((JSON.parse(res.body) as { text: string }).text).to.include("could not be recorded, so nothing was done");
      expect(await snapshot()).to.deep.equal(before);
      expect(dispatched).to.deep.equal([]);
    });

    it("a body altered after signing gets 401 (plain and base64-encoded)", async () => {
      const before = await snapshot();
      const swap = (b: string) => b.replace("stop+jane-gpu", "stop+bob-gpu");
      expect((await send(request(JANE, "stop jane-gpu", { tamper: swap }))).status).to.equal(401);
      expect((await send(request(JANE, "stop jane-gpu", { tamper: swap, base64: true }))).status).to.equal(401);
      expect(await snapshot()).to.deep.equal(before);
    });

    it("an unknown Slack user is told they are not registered", async () => {
      const before = await snapshot();
      const res = await send(request(STRANGER, "stop jane-gpu"));
      expect(res.status).to.equal(200);
      expect(res.text).to.include("not registered");
      expect(await snapshot()).to.deep.equal(before);
      expect(commandLogs()[0]).to.include({ user: STRANGER, outcome: "refused" });
    });

    it("someone else's instance is refused, naming its owner", async () => {
      const before = await snapshot();
      for (const cmd of ["stop bob-gpu", "start bob-gpu", "keep bob-gpu 4"]) {
        const res = await send(request(JANE, cmd));
        expect(res.text).to.equal("bob-gpu belongs to bob; you can act on your own instances only.");
      }
      expect(await snapshot()).to.deep.equal(before);
      expect(dispatched).to.deep.equal([]);
      expect(commandLogs().map((l) => l.outcome)).to.deep.equal(["refused", "refused", "refused"]);
    });

    it("an instance the platform does not manage does not exist for the bot, even for an admin", async () => {
      const before = await snapshot();
      expect((await send(request(ADMIN, "start jane-private"))).text).to.equal(
        "No managed GPU instance is named jane-private.",
      );
      expect((await send(request(ADMIN, "stop *"))).text).to.equal("No managed GPU instance is named *.");
      expect(await snapshot()).to.deep.equal(before);
    });

    it("an unknown command gets the usage", async () => {
      expect((await send(request(JANE, "terminate jane-gpu"))).text).to.include("Usage:");
    });
  });
});
