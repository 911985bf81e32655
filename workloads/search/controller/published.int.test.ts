/**
 * The controller's view of the published segments, on embedded AWS (moto, real S3 wire protocol):
 * every pointer listed, its manifest read once per pointer ETag (GetObject requests counted on the
 * real client), stray keys ignored, and a pointer that cannot be read reported by its window with
 * what it published before kept.
 */
import { expect } from "chai";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import pino from "pino";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { AssetRepository, sha256 } from "../repository/asset-repository";
import { pointerKey, segmentPrefix, MANIFEST_FILE } from "../segments/keys";
import { MANIFEST_SCHEMA, type Manifest } from "../segments/manifest";
import { windowOf } from "../segments/windows";
import { PublishedSegments } from "./published";

const VERSION = "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab";
const file = (key: string) => ({ key, versionId: null, sha256: "0".repeat(64), bytes: 0 });

function manifestOf(window: string, buildId: string, itemCount: number): Manifest {
  const w = windowOf("hourly", new Date(`${window}:00:00Z`));
  const prefix = segmentPrefix("hourly", window, buildId);
  return {
    schema: MANIFEST_SCHEMA,
    buildId,
    tier: "hourly",
    window: { name: w.name, start: w.start.toISOString(), end: w.end.toISOString() },
    itemCount,
    tombstoneCount: 0,
    dimension: 128,
    embeddingVersion: VERSION,
    index: { library: "hnswlib-node", metric: "ip", m: 24, efConstruction: 200, randomSeed: 100, efSearch: 64 },
    files: {
      index: file(`${prefix}index.hnsw`),
      vectors: file(`${prefix}vectors.f32`),
      items: file(`${prefix}items.ndjson`),
      tombstones: file(`${prefix}tombstones.ndjson`),
    },
    contentSha256: "1".repeat(64),
    inputs: { feed: [], imageBucket: null, segments: [] },
    forcedPast: [],
    counts: {},
    timingsMs: {},
    builtAt: "2026-11-02T04:20:00.000Z",
  };
}

describe("published segments on embedded AWS", function () {
  this.timeout(60_000);
  let aws: EmbeddedAws;
  let s3: S3Client;
  let repo: AssetRepository;
  const bucket = "assets-published-test";
  const gets: string[] = [];

  before(async () => {
    aws = await startEmbeddedAws();
    s3 = new S3Client(aws.clientConfig());
    // Counts the GetObject requests the repository really sends.
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetObjectCommand") gets.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: "initialize", name: "countGets" },
    );
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    repo = new AssetRepository(s3, bucket);
  });
  after(async () => aws?.stop());

  /** Writes a manifest and the pointer naming it, as a build publishes. */
  async function publish(window: string, buildId: string, itemCount: number) {
    const manifest = manifestOf(window, buildId, itemCount);
    const text = JSON.stringify(manifest);
    const key = `${segmentPrefix("hourly", window, buildId)}${MANIFEST_FILE}`;
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
    await repo.publish(
      {
        schema: MANIFEST_SCHEMA,
        tier: "hourly",
        window,
        buildId,
        manifestKey: key,
        manifestVersionId: put.VersionId ?? null,
        manifestSha256: sha256(text),
        contentSha256: manifest.contentSha256,
        publishedAt: "2026-11-02T04:21:00.000Z",
      },
      await repo.readPointerState("hourly", window),
    );
  }

  it("lists every pointer with its manifest's sizes, reading each manifest once per pointer ETag", async () => {
    await publish("2026-11-02T03", "b1", 1200);
    await publish("2026-11-02T04", "b1", 900);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "pointers/README.txt", Body: "not a pointer" }));
    const published = new PublishedSegments(repo, pino({ level: "silent" }));
    const first = await published.list();
    expect(first.unreadable).to.deep.equal([]);
    expect(first.segments.map((s) => [s.window, s.itemCount, s.dimension, s.m, s.embeddingVersion])).to.deep.equal([
      ["2026-11-02T03", 1200, 128, 24, VERSION],
      ["2026-11-02T04", 900, 128, 24, VERSION],
    ]);
    expect(first.segments[0].start.toISOString()).to.equal("2026-11-02T03:00:00.000Z");
    const readFirst = gets.length;
    expect(gets.filter((k) => k.endsWith(MANIFEST_FILE))).to.have.length(2);

    // Nothing changed: nothing read again.
    expect((await published.list()).segments).to.deep.equal(first.segments);
    expect(gets.length).to.equal(readFirst);

    // A rebuild moves one pointer (a new ETag): that one pointer and its manifest are read.
    await publish("2026-11-02T04", "b2", 950);
    const third = await published.list();
    expect(third.segments.map((s) => [s.window, s.buildId, s.itemCount])).to.deep.equal([
      ["2026-11-02T03", "b1", 1200],
      ["2026-11-02T04", "b2", 950],
    ]);
    expect(gets.slice(readFirst).filter((k) => k.endsWith(MANIFEST_FILE))).to.deep.equal([
      `${segmentPrefix("hourly", "2026-11-02T04", "b2")}${MANIFEST_FILE}`,
    ]);
  });

  it("reports a pointer it cannot read by its window and keeps what it published before; a deleted pointer is gone", async () => {
    const published = new PublishedSegments(repo, pino({ level: "silent" }));
    const before = await published.list();
    // The pointer moves to bytes that are no pointer at all.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pointerKey("hourly", "2026-11-02T03"), Body: "{" }));
    const blind = await published.list();
    expect(blind.unreadable).to.deep.equal([{ tier: "hourly", window: "2026-11-02T03" }]);
    expect(blind.segments).to.deep.equal(before.segments);
    // A fresh process has nothing to keep: it reports the window (so nothing is pruned) and lists the rest.
    const fresh = await new PublishedSegments(repo, pino({ level: "silent" })).list();
    expect(fresh.unreadable).to.deep.equal([{ tier: "hourly", window: "2026-11-02T03" }]);
    expect(fresh.segments.map((s) => s.window)).to.deep.equal(["2026-11-02T04"]);

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: pointerKey("hourly", "2026-11-02T03") }));
    const after = await published.list();
    expect(after.unreadable).to.deep.equal([]);
    expect(after.segments.map((s) => s.window)).to.deep.equal(["2026-11-02T04"]);
  });
});
