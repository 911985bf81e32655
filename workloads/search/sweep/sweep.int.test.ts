/**
 * The repository sweep on embedded AWS (moto's versioned S3): a repository laid out as the builds
 * leave it — published segments, a monthly compaction whose inputs a later daily rebuild
 * superseded, a failed build, a superseded build, a compaction in flight (run record `running`,
 * nothing recorded yet) whose input window holds a build no pointer names any more, and a build
 * killed days ago — swept at a clock past the grace period. What is referenced stays; only the
 * rest goes, and a deleted file is still readable by the version id a compaction holds.
 */
import { expect } from "chai";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { startedRunRecord, type RunRecord } from "../builder/run-record";
import type { Tier } from "../segments/windows";
import { parseWindow } from "../segments/windows";
import { createSearchEnvironment, type SearchEnvironment } from "../local/environment";
import { AssetRepository } from "../repository/asset-repository";
import { MANIFEST_FILE, pointerKey, runRecordKey, SEGMENT_FILES, segmentPrefix } from "../segments/keys";
import { MANIFEST_SCHEMA, type Manifest, type SegmentFile, type SegmentRef } from "../segments/manifest";
import { sweepRepository, type SweepOptions } from "./sweep";

const HOUR = 3_600_000;
const GRACE = 48 * HOUR;

describe("asset repository sweep on embedded AWS", () => {
  let aws: EmbeddedAws;
  let env: SearchEnvironment;
  let repo: AssetRepository;
  /** A version id of a file of each build, as a reader that resolved it earlier holds it. */
  const versions = new Map<string, SegmentFile>();

  before(async () => {
    aws = await startEmbeddedAws();
  });
  beforeEach(async () => {
    env = await createSearchEnvironment(aws);
    repo = new AssetRepository(env.s3, env.assetBucket);
    versions.clear();
  });
  after(async () => aws?.stop());

  const ref = (tier: Tier, window: string, buildId: string): SegmentRef => ({
    tier,
    window,
    buildId,
    manifestKey: `${segmentPrefix(tier, window, buildId)}${MANIFEST_FILE}`,
    manifestVersionId: null,
    contentSha256: "c".repeat(64),
  });

  /** A build's four files and (unless `noManifest`, a build that died uploading) its manifest. */
  async function writeBuild(
    tier: Tier,
    window: string,
    buildId: string,
    opts: { inputs?: SegmentRef[]; noManifest?: boolean } = {},
  ): Promise<SegmentFile> {
    const prefix = segmentPrefix(tier, window, buildId);
    const files = {} as Manifest["files"];
    for (const [role, name] of Object.entries(SEGMENT_FILES) as [keyof typeof SEGMENT_FILES, string][]) {
      const res = await env.s3.send(
        new PutObjectCommand({ Bucket: env.assetBucket, Key: `${prefix}${name}`, Body: `${buildId} ${role}` }),
      );
      files[role] = { key: `${prefix}${name}`, versionId: res.VersionId ?? null, sha256: "0".repeat(64), bytes: 1 };
    }
    versions.set(buildId, files.vectors);
    const w = parseWindow(tier, window);
    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      buildId,
      tier,
      window: { name: window, start: w.start.toISOString(), end: w.end.toISOString() },
      itemCount: 0,
      tombstoneCount: 0,
      dimension: 4,
      embeddingVersion: "test",
      index: { library: "hnswlib", metric: "ip", m: 16, efConstruction: 200, randomSeed: 100, efSearch: 64 },
      files,
      contentSha256: "c".repeat(64),
      inputs: { feed: [], imageBucket: null, segments: opts.inputs ?? [] },
      forcedPast: [],
      counts: {},
      timingsMs: {},
      builtAt: new Date().toISOString(),
    };
    const written = opts.noManifest ? undefined : await repo.putJson(`${prefix}${MANIFEST_FILE}`, manifest);
    return written ?? files.index;
  }

  async function publish(tier: Tier, window: string, buildId: string, manifest: SegmentFile): Promise<void> {
    await repo.publish(
      {
        schema: MANIFEST_SCHEMA,
        tier,
        window,
        buildId,
        manifestKey: manifest.key,
        manifestVersionId: manifest.versionId,
        manifestSha256: manifest.sha256,
        contentSha256: "c".repeat(64),
        publishedAt: new Date().toISOString(),
      },
      await repo.readPointerState(tier, window),
    );
  }

  async function runRecord(
    tier: Tier,
    window: string,
    buildId: string,
    status: RunRecord["status"],
    startedAt: Date,
  ): Promise<void> {
    // As the build writes it first (nothing read yet), then as it ended.
    const record: RunRecord = {
      ...startedRunRecord({ buildId, tier, window, force: false, rerunOf: null, startedAt }),
      status,
      finishedAt: status === "running" ? null : startedAt.toISOString(),
      error: status === "failed" ? "killed" : null,
    };
    await repo.putJson(runRecordKey(buildId), record);
  }

  const prefixesLeft = async () => {
    const res = await env.s3.send(new ListObjectsV2Command({ Bucket: env.assetBucket, Prefix: "segments/" }));
    return [
      ...new Set((res.Contents ?? []).map((o) => (o.Key as string).split("/").slice(0, 4).join("/") + "/")),
    ].sort();
  };

  const sweep = (at: number, overrides: Partial<SweepOptions> = {}) =>
    sweepRepository(env.s3, env.assetBucket, {
      graceMs: GRACE,
      staleRunMs: 72 * HOUR,
      dryRun: false,
      now: () => new Date(at),
      ...overrides,
    });

  it("keeps every referenced prefix, even during a compaction, and deletes the rest only past the grace period", async () => {
    // Daily 2026-11-20: build A published, build B (older) superseded by it.
    await writeBuild("daily", "2026-11-20", "daily-b");
    await publish("daily", "2026-11-20", "daily-a", await writeBuild("daily", "2026-11-20", "daily-a"));
    // Daily 2026-11-21: the monthly compaction read build C; a forced rebuild C2 moved the pointer since.
    await publish("daily", "2026-11-21", "daily-c", await writeBuild("daily", "2026-11-21", "daily-c"));
    const monthly = await writeBuild("monthly", "2026-11", "monthly-m", {
      inputs: [ref("daily", "2026-11-20", "daily-a"), ref("daily", "2026-11-21", "daily-c")],
    });
    await publish("monthly", "2026-11", "monthly-m", monthly);
    await publish("daily", "2026-11-21", "daily-c2", await writeBuild("daily", "2026-11-21", "daily-c2"));
    // An hourly build that failed halfway through its uploads: no manifest, no pointer.
    await writeBuild("hourly", "2026-11-22T03", "hourly-failed", { noManifest: true });
    await runRecord("hourly", "2026-11-22T03", "hourly-failed", "failed", new Date());
    // In flight: the daily compaction of 2026-11-23 has started (record `running`, inputs not yet
    // recorded) and is reading hour 05 through the pointer it saw, build H1; a rebuild of the hour
    // has moved that pointer to H2 since. H1 is unreferenced by any pointer now.
    await publish("hourly", "2026-11-23T05", "hourly-h1", await writeBuild("hourly", "2026-11-23T05", "hourly-h1"));
    await publish("hourly", "2026-11-23T05", "hourly-h2", await writeBuild("hourly", "2026-11-23T05", "hourly-h2"));
    await runRecord("daily", "2026-11-23", "daily-inflight", "running", new Date());
    await writeBuild("daily", "2026-11-23", "daily-inflight", { noManifest: true });
    // Killed three days before the sweep's clock, record still `running`: it protects nothing.
    const sweepAt = Date.now() + GRACE + HOUR;
    await runRecord("daily", "2026-11-19", "daily-killed", "running", new Date(sweepAt - 80 * HOUR));
    await writeBuild("daily", "2026-11-19", "daily-killed", { noManifest: true });

    const all = await prefixesLeft();
    expect(all).to.have.length(10);

    // Inside the grace period nothing goes, referenced or not.
    const early = await sweep(Date.now() + HOUR);
    expect(early.deleted).to.deep.equal([]);
    expect(await prefixesLeft()).to.deep.equal(all);

    // A dry run past it reports, and deletes nothing.
    const dry = await sweep(sweepAt, { dryRun: true });
    expect(await prefixesLeft()).to.deep.equal(all);

    const report = await sweep(sweepAt);
    expect(report.deleted.map((d) => d.prefix)).to.deep.equal(dry.deleted.map((d) => d.prefix));
    expect(report.deleted.map((d) => [d.prefix, d.objects])).to.deep.equal([
      [segmentPrefix("daily", "2026-11-19", "daily-killed"), 4],
      [segmentPrefix("daily", "2026-11-20", "daily-b"), 5],
      [segmentPrefix("hourly", "2026-11-22T03", "hourly-failed"), 4],
    ]);
    expect(Object.fromEntries(report.kept.map((k) => [k.prefix.split("/")[3], k.why]))).to.deep.equal({
      "daily-a": "published",
      "daily-c": "input of a published segment",
      "daily-c2": "published",
      "daily-inflight": "in-flight build",
      "hourly-h1": "input of an in-flight build",
      "hourly-h2": "published",
      "monthly-m": "published",
    });
    expect(await prefixesLeft()).to.deep.equal(all.filter((p) => !report.deleted.some((d) => d.prefix === p)));

    // The compaction, still reading hour 05 by the version its pointer named, is served after the sweep,
    // and so is a reader of a deleted build holding its version id (noncurrent until the lifecycle rule).
    for (const buildId of ["hourly-h1", "daily-b"]) {
      const file = versions.get(buildId) as SegmentFile;
      const res = await env.s3.send(
        new GetObjectCommand({ Bucket: env.assetBucket, Key: file.key, VersionId: file.versionId ?? undefined }),
      );
      expect(await res.Body?.transformToString()).to.equal(`${buildId} vectors`);
    }

    // Once the compaction has ended (here it failed: nothing names its files), H1 is needed no more.
    await runRecord("daily", "2026-11-23", "daily-inflight", "failed", new Date());
    const after = await sweep(sweepAt);
    expect(after.deleted.map((d) => d.prefix.split("/")[3])).to.deep.equal(["daily-inflight", "hourly-h1"]);
  });

  it("deletes nothing when a reference cannot be read, naming it", async () => {
    await writeBuild("daily", "2026-11-20", "daily-old");
    await publish("daily", "2026-11-20", "daily-new", await writeBuild("daily", "2026-11-20", "daily-new"));
    // A pointer whose manifest is gone.
    await repo.putJson(pointerKey("daily", "2026-11-21"), {
      schema: MANIFEST_SCHEMA,
      tier: "daily",
      window: "2026-11-21",
      buildId: "daily-lost",
      manifestKey: `${segmentPrefix("daily", "2026-11-21", "daily-lost")}${MANIFEST_FILE}`,
      manifestVersionId: null,
      manifestSha256: "0".repeat(64),
      contentSha256: "0".repeat(64),
      publishedAt: new Date().toISOString(),
    });
    const before = await prefixesLeft();
    const refused = await sweep(Date.now() + GRACE + HOUR).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(refused?.message).to.equal(
      `s3://${env.assetBucket}/pointers/daily/2026-11-21.json names segments/daily/2026-11-21/daily-lost/manifest.json, which is gone: not sweeping`,
    );
    // A malformed run record stops it too.
    await repo.s3.send(new PutObjectCommand({ Bucket: env.assetBucket, Key: runRecordKey("x"), Body: "{}" }));
    const malformed = await sweep(Date.now() + GRACE + HOUR).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(malformed?.message).to.match(new RegExp(`^s3://${env.assetBucket}/runs/x\\.json: `));
    expect(await prefixesLeft()).to.deep.equal(before);
  });
});
