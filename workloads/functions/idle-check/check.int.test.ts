import { expect } from "chai";
import { CloudWatchClient, PutMetricDataCommand, type Dimension, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { EC2Client, type _InstanceType } from "@aws-sdk/client-ec2";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { GPU_METRICS_NAMESPACE, MANAGED_VALUE, TAG } from "../../shared/conventions";
import { createLogger } from "../../shared/log";
import { readSlackSecret } from "../shared/slack-secret";
import { slackClient } from "../shared/slack";
import { startSlackStandIn, type SlackStandIn } from "../shared/slack-stand-in.testing";
import { createEc2Fixture, type Ec2Fixture } from "../testing";
import { runCheck, type CheckReport, type CheckSettings } from "./check";
import { TEST_SETTINGS } from "./settings.fixture";

const TOKEN = "xoxb-test-token";
const HOUR = 3600_000;
/** Instances launch "now" in moto; the check runs two hours later so the hour judged is a whole one. */
const checkTime = () => new Date(Date.now() + 2 * HOUR);

interface Load {
  /** Utilisation % per GPU index. */
  gpus?: number[];
  /** Memory used (MiB) per GPU index. */
  gpuMemory?: number[];
  /** Utilisation % per core. */
  cores?: number[];
  /** Bytes per 5 minutes, each way. */
  network?: number;
}

describe("idle check on embedded AWS (EC2, CloudWatch, Secrets Manager) with a Slack stand-in", () => {
  let aws: EmbeddedAws;
  let ec2: EC2Client;
  let cw: CloudWatchClient;
  let secrets: SecretsManagerClient;
  let slack: SlackStandIn;
  let fixture: Ec2Fixture;
  let secretArn: string;
  const logs: string[] = [];

  const settings = (over: Partial<CheckSettings> = {}): CheckSettings => ({
    ...TEST_SETTINGS,
    namespace: GPU_METRICS_NAMESPACE,
    reportChannel: "C-OPS",
    ...over,
  });

  const check = (now: Date, over: Partial<CheckSettings> = {}): Promise<CheckReport> =>
    runCheck(
      {
        ec2,
        cloudwatch: cw,
        slack: async () =>
          slackClient({
            apiUrl: slack.apiUrl,
            token: (await readSlackSecret(secrets, secretArn)).botToken,
            timeoutMs: 2000,
          }),
        log: createLogger("idle-check-test", { write: (line: string) => void logs.push(line) }),
      },
      settings(over),
      now,
    );

  before(async () => {
    aws = await startEmbeddedAws();
    ec2 = new EC2Client(aws.clientConfig());
    cw = new CloudWatchClient(aws.clientConfig());
    secrets = new SecretsManagerClient(aws.clientConfig());
    slack = await startSlackStandIn(TOKEN);
  });
  after(async () => {
    await slack?.close();
    await aws?.stop();
  });
  beforeEach(async () => {
    await aws.reset();
    slack.clear();
    slack.down = false;
    logs.length = 0;
    fixture = await createEc2Fixture(ec2);
    secretArn = (
      await secrets.send(
        new CreateSecretCommand({
          Name: "slack",
          SecretString: JSON.stringify({ botToken: TOKEN, signingSecret: "s" }),
        }),
      )
    ).ARN as string;
  });

  async function launch(
    name: string,
    tags: Record<string, string> = {},
    type: _InstanceType = "g5.xlarge",
  ): Promise<string> {
    const all = {
      Name: name,
      [TAG.managed]: MANAGED_VALUE,
      [TAG.owner]: name.split("-")[0],
      [TAG.slackUser]: `U-${name}`,
      ...tags,
    };
    return (await fixture.launch(all, type)).id;
  }

  /** Publishes an hour of agent and EC2 metrics ending at `end`, one datapoint per 5 minutes, like the agent would. */
  async function publish(id: string, end: Date, load: Load): Promise<void> {
    const host = [{ Name: "host", Value: `ip-${id}` }];
    const inst = [{ Name: "InstanceId", Value: id }];
    const series: { ns: string; name: string; dims: Dimension[]; value: number }[] = [];
    (load.gpus ?? []).forEach((v, i) =>
      series.push({
        ns: GPU_METRICS_NAMESPACE,
        name: "nvidia_smi_utilization_gpu",
        dims: [...inst, ...host, { Name: "index", Value: String(i) }, { Name: "name", Value: "NVIDIA A10G" }],
        value: v,
      }),
    );
    (load.gpuMemory ?? load.gpus?.map(() => 0) ?? []).forEach((v, i) =>
      series.push({
        ns: GPU_METRICS_NAMESPACE,
        name: "nvidia_smi_memory_used",
        dims: [...inst, ...host, { Name: "index", Value: String(i) }, { Name: "name", Value: "NVIDIA A10G" }],
        value: v,
      }),
    );
    const cores = load.cores ?? [];
    cores.forEach((v, i) =>
      series.push({
        ns: GPU_METRICS_NAMESPACE,
        name: "cpu_usage_active",
        dims: [...inst, ...host, { Name: "cpu", Value: `cpu${i}` }],
        value: v,
      }),
    );
    if (cores.length > 0) {
      const total = cores.reduce((a, b) => a + b, 0) / cores.length;
      series.push({
        ns: GPU_METRICS_NAMESPACE,
        name: "cpu_usage_active",
        dims: [...inst, ...host, { Name: "cpu", Value: "cpu-total" }],
        value: total,
      });
    }
    if (load.network !== undefined)
      for (const name of ["NetworkIn", "NetworkOut"])
        series.push({ ns: "AWS/EC2", name, dims: inst, value: load.network });
    for (const ns of new Set(series.map((s) => s.ns))) {
      const data: MetricDatum[] = [];
      for (const s of series.filter((x) => x.ns === ns))
        for (let k = 1; k <= 12; k++)
          data.push({
            MetricName: s.name,
            Dimensions: s.dims,
            Value: s.value,
            Timestamp: new Date(end.getTime() - k * 300_000 + 1000),
          });
      for (let i = 0; i < data.length; i += 500)
        await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data.slice(i, i + 500) }));
    }
  }

  const quiet: Load = { gpus: [0], cores: [1, 2, 0, 1], network: 10_000 };

  const instance = (id: string) => fixture.instance(id);
  const decisionOf = (r: CheckReport, id: string) => r.instances.find((i) => i.id === id)?.decision;

  it("counts idle hours on the tag: 2 hours stays quiet, 3 warns the owner, 4 stops and tells; busy resets", async () => {
    const now = checkTime();
    const busy = await launch("ann-busy", { [TAG.idleHours]: "2" });
    const two = await launch("bob-two", { [TAG.idleHours]: "1" });
    const three = await launch("cat-three", { [TAG.idleHours]: "2" });
    const four = await launch("dan-four", { [TAG.idleHours]: "3" });
    await publish(busy, now, { ...quiet, gpus: [0, 85] });
    for (const id of [two, three, four]) await publish(id, now, quiet);

    const report = await check(now);

    expect(decisionOf(report, busy)).to.deep.include({ kind: "busy" });
    expect((await instance(busy)).tags[TAG.idleHours]).to.equal("0");
    expect(slack.messagesTo("U-ann-busy")).to.deep.equal([]);

    expect(decisionOf(report, two)).to.deep.equal({ kind: "idle", hours: 2 });
    expect(await instance(two)).to.deep.include({ state: "running" });
    expect((await instance(two)).tags[TAG.idleHours]).to.equal("2");
    expect(slack.messagesTo("U-bob-two")).to.deep.equal([]);

    expect(decisionOf(report, three)).to.deep.equal({ kind: "warn", hours: 3 });
    expect((await instance(three)).state).to.equal("running");
    const [warning] = slack.messagesTo("U-cat-three");
    expect(warning).to.include("<@U-cat-three>").and.include("cat-three").and.include(three);
    expect(warning).to.include("idle for 3 hours").and.include("/gpu keep cat-three");

    expect(decisionOf(report, four)).to.deep.equal({ kind: "stop", hours: 4 });
    expect((await instance(four)).state).to.be.oneOf(["stopping", "stopped"]);
    expect((await instance(four)).tags[TAG.idleHours]).to.equal("0");
    const [stopped] = slack.messagesTo("U-dan-four");
    expect(stopped).to.include("has been stopped").and.include("/gpu start dan-four");
    // The bot token from Secrets Manager is what reached Slack.
    expect(slack.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).to.equal(true);
    expect(slack.messagesTo("C-OPS").join("\n")).to.include("stopped dan-four");
  });

  it("honours a keep exemption until it expires, then removes it and goes on counting", async () => {
    const now = checkTime();
    const kept = await launch("eve-kept", {
      [TAG.idleHours]: "3",
      [TAG.keepUntil]: new Date(now.getTime() + HOUR).toISOString(),
    });
    const lapsed = await launch("fay-lapsed", {
      [TAG.idleHours]: "3",
      [TAG.keepUntil]: new Date(now.getTime() - 60_000).toISOString(),
    });
    for (const id of [kept, lapsed]) await publish(id, now, quiet);

    const report = await check(now);

    expect(decisionOf(report, kept)?.kind).to.equal("kept");
    const k = await instance(kept);
    expect(k.state).to.equal("running");
    expect(k.tags[TAG.idleHours]).to.equal("0");
    expect(k.tags).to.have.property(TAG.keepUntil);
    expect(slack.messagesTo("U-eve-kept")).to.deep.equal([]);

    expect(decisionOf(report, lapsed)).to.deep.equal({ kind: "stop", hours: 4 });
    const l = await instance(lapsed);
    expect(l.state).to.be.oneOf(["stopping", "stopped"]);
    expect(l.tags).not.to.have.property(TAG.keepUntil);
  });

  it("reports an instance without metrics (agent down) instead of calling it idle", async () => {
    const now = checkTime();
    const silent = await launch("gus-silent", { [TAG.idleHours]: "3" });
    await publish(silent, now, { network: 0 });

    const report = await check(now);

    const d = decisionOf(report, silent);
    expect(d?.kind).to.equal("missing");
    expect(JSON.stringify(d)).to.include("GPU utilisation: no series").and.include("CPU per core: no series");
    const i = await instance(silent);
    expect(i.state).to.equal("running");
    expect(i.tags[TAG.idleHours]).to.equal("3");
    expect(slack.messagesTo("U-gus-silent")).to.deep.equal([]);
    expect(slack.messagesTo("C-OPS").join("\n")).to.include("no metrics for gus-silent");
  });

  it("sees one busy core on a 48-core instance whose all-core average reads idle", async () => {
    const now = checkTime();
    const big = await launch("hal-big", { [TAG.idleHours]: "3" }, "g5.12xlarge");
    const cores = Array.from({ length: 48 }, (_, i) => (i === 17 ? 100 : 0.5));
    await publish(big, now, { gpus: [0, 0, 0, 0], cores, network: 5_000 });

    const report = await check(now);

    const d = decisionOf(report, big);
    expect(d?.kind).to.equal("busy");
    expect(JSON.stringify(d)).to.include("cpu17");
    expect((await instance(big)).state).to.equal("running");
  });

  it("treats GPU memory held at 0 % utilisation as busy, or not, as configured", async () => {
    const now = checkTime();
    const notebook = await launch("ida-notebook", { [TAG.idleHours]: "3" });
    await publish(notebook, now, { ...quiet, gpuMemory: [12_000] });

    const held = await check(now, { dryRun: true });
    expect(decisionOf(held, notebook)?.kind).to.equal("busy");
    const released = await check(now, {
      dryRun: true,
      thresholds: { ...settings().thresholds, gpuMemoryHeldIsBusy: false },
    });
    expect(decisionOf(released, notebook)).to.deep.equal({ kind: "stop", hours: 4 });
  });

  it("stops the instance when Slack is down, and reports the failed message", async () => {
    const now = checkTime();
    const id = await launch("jo-down", { [TAG.idleHours]: "3" });
    await publish(id, now, quiet);
    slack.down = true;

    const report = await check(now);

    expect(decisionOf(report, id)).to.deep.equal({ kind: "stop", hours: 4 });
    expect((await instance(id)).state).to.be.oneOf(["stopping", "stopped"]);
    expect(report.slackFailures.join("\n")).to.include("U-jo-down").and.include("HTTP 503");
    expect(logs.some((l) => l.includes('"event":"slack-failed"'))).to.equal(true);
  });

  it("in dry-run mode reports what it would do and touches nothing", async () => {
    const now = checkTime();
    const id = await launch("kim-dry", { [TAG.idleHours]: "3" });
    await publish(id, now, quiet);

    const report = await check(now, { dryRun: true });

    expect(decisionOf(report, id)).to.deep.equal({ kind: "stop", hours: 4 });
    expect(report.instances.find((i) => i.id === id)?.actions).to.deep.equal([
      "would stop",
      `would tag ${TAG.idleHours}=0`,
      "would message U-kim-dry",
    ]);
    const i = await instance(id);
    expect(i.state).to.equal("running");
    expect(i.tags[TAG.idleHours]).to.equal("3");
    expect(slack.requests).to.deep.equal([]);
  });

  it("leaves alone instances the platform does not manage, and instances that started inside the hour", async () => {
    const now = checkTime();
    const foreign = (await fixture.launch()).id;
    const fresh = await launch("lee-fresh", { [TAG.idleHours]: "3" });
    await publish(foreign, now, quiet);
    await publish(fresh, now, quiet);

    // Judged half an hour after launch: the hour is not a whole idle hour, and an old count is stale.
    const report = await check(new Date(Date.now() + HOUR / 2));

    expect(report.instances.map((i) => i.id)).to.deep.equal([fresh]);
    expect(decisionOf(report, fresh)).to.deep.equal({ kind: "starting" });
    expect((await instance(fresh)).tags[TAG.idleHours]).to.equal("0");
    expect((await instance(foreign)).state).to.equal("running");
  });
});
