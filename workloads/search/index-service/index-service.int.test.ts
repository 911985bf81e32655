/**
 * The index service on a segment the build published on embedded AWS: it loads by the pointer,
 * verifies every file, answers by gRPC, and refuses a manifest that is not the pointer's.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import pino from "pino";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { buildSegment } from "../builder/build-segment";
import { parseWindow } from "../segments/windows";
import { ImageCache } from "../cache/image-cache";
import { PooledPixelsEmbedder } from "../embedder/pooled-pixels-embedder";
import { createSearchEnvironment, loadPhotos, writeCatalogue, type SearchEnvironment } from "../local/environment";
import { segmentIndexProto, type SearchResponse, type SegmentIndexClient, type VectorResponse } from "../proto/index";
import { AssetRepository } from "../repository/asset-repository";
import { loadIndexServiceSettings, environmentFor } from "./config";
import { startIndexService, type RunningIndexService } from "./main";

const silent = pino({ level: "silent" });
const call = <T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

describe("index service on a published segment (embedded AWS)", function () {
  this.timeout(300_000);
  let aws: EmbeddedAws;
  let env: SearchEnvironment;
  let work: string;
  let repo: AssetRepository;
  const running: RunningIndexService[] = [];
  const window = parseWindow("hourly", "2026-11-01T10");

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createSearchEnvironment(aws);
    work = await mkdtemp(path.join(tmpdir(), "index-service-"));
    await writeCatalogue(env, await loadPhotos(12), {
      start: new Date("2026-11-01T10:00:00Z"),
      hours: 1,
      seed: 3,
      listingsPerPeakHour: 12,
      badEvents: false,
    });
    repo = new AssetRepository(env.s3, env.assetBucket);
    const embedder = new PooledPixelsEmbedder();
    const record = await buildSegment(
      {
        s3: env.s3,
        settings: env.settings(path.join(work, "scratch")),
        embedder: async () => embedder,
        cache: () => ImageCache.open(path.join(work, "cache"), 50_000_000),
        log: silent,
        now: () => new Date("2026-11-02T00:00:00Z"),
      },
      { window, force: false },
    );
    expect(record.status, JSON.stringify(record)).to.equal("published");
  });
  after(async () => {
    for (const r of running) await r.stop();
    await aws?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function start(overrides: { manifestSha256?: string } = {}): Promise<RunningIndexService> {
    const published = await repo.readPublished("hourly", window.name);
    if (!published) throw new Error("the hourly segment is not published");
    const { pointer } = published;
    const settings = loadIndexServiceSettings(
      environmentFor({
        assetBucket: env.assetBucket,
        manifestKey: pointer.manifestKey,
        manifestVersionId: pointer.manifestVersionId ?? undefined,
        manifestSha256: overrides.manifestSha256 ?? pointer.manifestSha256,
        host: "127.0.0.1",
        grpcPort: 0,
        segmentDir: await mkdtemp(path.join(work, "segment-")),
      }),
    );
    const service = await startIndexService(settings, silent, aws.clientConfig());
    running.push(service);
    return service;
  }

  it("loads the published segment, verified, and finds an item by its own vector", async () => {
    const service = await start();
    await service.ready;
    const { Client } = segmentIndexProto();
    const client: SegmentIndexClient = new Client(`127.0.0.1:${service.port}`, grpc.credentials.createInsecure());
    try {
      const info = await call<{ itemCount: number; embeddingVersion: string; tier: string; windowStart: string }>(
        (cb) => client.info({}, {}, cb),
      );
      expect(info.tier).to.equal("hourly");
      expect(info.windowStart).to.equal("2026-11-01T10:00:00.000Z");
      expect(info.itemCount).to.be.greaterThan(3);
      const published = await repo.readPublished("hourly", window.name);
      const firstItem = (await repo.getBytes(
        published!.manifest.files.items.key,
        published!.manifest.files.items.versionId,
      ))!;
      const itemId = (JSON.parse(Buffer.from(firstItem).toString("utf8").split("\n")[0]) as { itemId: string }).itemId;
      const stored = await call<VectorResponse>((cb) => client.vector({ itemId }, {}, cb));
      expect(stored.found).to.equal(true);
      const res = await call<SearchResponse>((cb) =>
        client.search({ vector: stored.vector, embeddingVersion: info.embeddingVersion, k: 3, ef: 0 }, {}, cb),
      );
      expect(res.hits[0].itemId).to.equal(itemId);
      expect(res.hits[0].distance).to.be.closeTo(0, 1e-4);
    } finally {
      client.close();
    }
  });

  it("refuses a manifest that is not the one its pointer named", async () => {
    const service = await start({ manifestSha256: "f".repeat(64) });
    await service.ready.then(
      () => expect.fail("a manifest whose sha256 differs from the pointer's must not load"),
      (err: Error) => expect(err.message).to.match(/sha256 [0-9a-f]{64} is not the pointer's f{64}/),
    );
  });
});
