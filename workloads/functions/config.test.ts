import { expect } from "chai";
import { environmentFor as idleEnv, loadIdleCheckConfig } from "./idle-check/config";
import { environmentFor as dnsEnv, loadNameTagDnsConfig } from "./name-tag-dns/config";
import { environmentFor as botEnv, loadSlackBotConfig } from "./slack-bot/config";

describe("ops functions' environments", () => {
  it("the idle check reads back exactly what the stack writes", () => {
    const settings = {
      slackSecretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:slack-AbCdEf",
      slackApiUrl: "https://slack.com/api",
      namespace: "MLPlatform/GPU",
      warnAfterHours: 3,
      stopAfterHours: 4,
      dryRun: true,
      reportChannel: "C0OPS",
      thresholds: {
        gpuUtilPercent: 5,
        gpuMemoryMiB: 1024,
        gpuMemoryHeldIsBusy: false,
        cpuCorePercent: 20,
        networkBytesPerSecond: 100_000,
      },
    };
    expect(loadIdleCheckConfig(idleEnv(settings))).to.deep.equal(settings);
  });

  it("the idle check refuses a stop before the warning, naming the variable", () => {
    expect(() => loadIdleCheckConfig({ SLACK_SECRET_ARN: "x", WARN_AFTER_HOURS: "4", STOP_AFTER_HOURS: "3" })).to.throw(
      /STOP_AFTER_HOURS/,
    );
  });

  it("the bot reads back researchers and admins, and refuses malformed ones by name", () => {
    const env = botEnv({
      slackSecretArn: "arn:x",
      replayTableName: "slack-bot-replays",
      researchers: { U0JANE0001: "jane" },
      admins: ["U0ADMIN003", "W0ADMIN004"],
      maxKeepHours: 24,
      zoneName: "research-alpha.internal",
    });
    const cfg = loadSlackBotConfig(env);
    expect(cfg.RESEARCHERS).to.deep.equal({ U0JANE0001: "jane" });
    expect(cfg.ADMINS).to.deep.equal(["U0ADMIN003", "W0ADMIN004"]);
    expect(cfg.MAX_KEEP_HOURS).to.equal(24);
    expect(cfg.REPLAY_TABLE).to.equal("slack-bot-replays");
    expect(() => loadSlackBotConfig({ ...env, RESEARCHERS: "{not json" })).to.throw(/RESEARCHERS/);
    expect(() => loadSlackBotConfig({ ...env, ADMINS: "jane" })).to.throw(/ADMINS/);
  });

  it("the Name-tag DNS function reads back the zones the stack writes, and refuses bad ones by name", () => {
    const zones = {
      forward: { id: "Z0FORWARD0001", name: "research-alpha.internal" },
      reverse: { id: "Z0REVERSE0002", name: "16.10.in-addr.arpa" },
    };
    const env = dnsEnv(zones);
    expect(env).to.deep.equal({
      FORWARD_ZONE_ID: "Z0FORWARD0001",
      FORWARD_ZONE_NAME: "research-alpha.internal",
      REVERSE_ZONE_ID: "Z0REVERSE0002",
      REVERSE_ZONE_NAME: "16.10.in-addr.arpa",
    });
    expect(loadNameTagDnsConfig(env)).to.deep.equal(zones);
    expect(() => dnsEnv({ ...zones, reverse: { id: "Z1", name: "not a zone" } })).to.throw(/REVERSE_ZONE_NAME/);
    expect(() => loadNameTagDnsConfig({ ...env, FORWARD_ZONE_ID: "" })).to.throw(/FORWARD_ZONE_ID/);
    const { REVERSE_ZONE_NAME: _, ...missing } = env;
    expect(() => loadNameTagDnsConfig(missing)).to.throw(/REVERSE_ZONE_NAME: required/);
  });
});
