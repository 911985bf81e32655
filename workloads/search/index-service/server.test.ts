import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import {
  segmentIndexProto,
  SERVICE_NAME,
  type SearchResponse,
  type SegmentIndexClient,
  type SegmentInfo,
} from "../proto/index";
import { IndexService } from "./server";
import { HnswSegment, type SegmentDescription } from "./segment";

const DIM = 16;
const COUNT = 300;

/** Deterministic unit vectors (a small LCG), so the test's exact answers are stable. */
function vectors(count: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: count }, () => {
    const v = Array.from({ length: DIM }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function segment(points: number[][]): HnswSegment {
  const index = new HierarchicalNSW("ip", DIM);
  index.initIndex(points.length, 16, 200, 100);
  points.forEach((p, i) => index.addPoint(p, i));
  const info: SegmentDescription = {
    segmentId: "hourly/2026-11-02T10",
    tier: "hourly",
    windowStart: new Date("2026-11-02T10:00:00Z"),
    windowEnd: new Date("2026-11-02T11:00:00Z"),
    itemCount: points.length,
    dimension: DIM,
    embeddingVersion: "efficientnet-lite0@abc+pca16@def",
    metric: "ip",
    m: 16,
    efConstruction: 200,
  };
  return new HnswSegment(
    info,
    index,
    points.map((_, i) => `item-${i}`),
  );
}

const call = <T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

describe("index service (gRPC on loopback)", () => {
  const points = vectors(COUNT, 7);
  let service: IndexService;
  let client: SegmentIndexClient;
  let health: grpc.Client & { check: grpc.handleUnaryCall<unknown, unknown> } & Record<string, unknown>;
  const checkHealth = (name: string) =>
    call<{ status: string }>((cb) =>
      (
        health as unknown as { check: (r: object, cb: (e: grpc.ServiceError | null, r?: unknown) => void) => void }
      ).check({ service: name }, cb as (e: grpc.ServiceError | null, r?: unknown) => void),
    );

  beforeEach(async () => {
    service = new IndexService({ ef: 50, maxEf: 400, maxK: 100, drainTimeoutMs: 2000 }, pino({ level: "silent" }));
    const port = await service.listen("127.0.0.1", 0);
    const { Client } = segmentIndexProto();
    client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const Health = grpc.makeGenericClientConstructor(healthService, "Health");
    health = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as typeof health;
  });
  afterEach(async () => {
    client.close();
    health.close();
    await service.drain();
  });

  it("is NOT_SERVING until its segment is loaded, then SERVING, and refuses queries before that", async () => {
    expect((await checkHealth("")).status).to.equal("NOT_SERVING");
    expect((await checkHealth(SERVICE_NAME)).status).to.equal("NOT_SERVING");
    const early = await call<SearchResponse>((cb) =>
      client.search({ vector: points[0], embeddingVersion: "efficientnet-lite0@abc+pca16@def", k: 5, ef: 0 }, {}, cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((early as grpc.ServiceError).code).to.equal(grpc.status.UNAVAILABLE);
    service.serve(segment(points));
    expect((await checkHealth("")).status).to.equal("SERVING");
    expect((await checkHealth(SERVICE_NAME)).status).to.equal("SERVING");
  });

  it("finds the exact nearest neighbours of a small segment, closest first", async () => {
    service.serve(segment(points));
    const query = vectors(1, 99)[0];
    const res = await call<SearchResponse>((cb) =>
      client.search({ vector: query, embeddingVersion: "efficientnet-lite0@abc+pca16@def", k: 10, ef: 200 }, {}, cb),
    );
    const exact = points
      .map((p, i) => ({ i, d: 1 - p.reduce((sum, x, j) => sum + x * query[j], 0) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 10);
    expect(res.hits.map((h) => h.itemId)).to.deep.equal(exact.map((e) => `item-${e.i}`));
    for (let i = 0; i < 10; i++) expect(res.hits[i].distance).to.be.closeTo(exact[i].d, 1e-5);
    expect(res.segmentId).to.equal("hourly/2026-11-02T10");
  });

  it("answers INVALID_ARGUMENT naming both sides for a vector of the wrong dimension or embedding version", async () => {
    service.serve(segment(points));
    const wrongDim = await call((cb) =>
      client.search({ vector: [1, 0, 0], embeddingVersion: "efficientnet-lite0@abc+pca16@def", k: 5, ef: 0 }, {}, cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((wrongDim as grpc.ServiceError).code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect((wrongDim as grpc.ServiceError).details).to.equal(
      'query vector has dimension 3 and embedding version "efficientnet-lite0@abc+pca16@def"; ' +
        'segment hourly/2026-11-02T10 holds dimension 16, embedding version "efficientnet-lite0@abc+pca16@def"',
    );
    const wrongVersion = await call((cb) =>
      client.search({ vector: points[0], embeddingVersion: "older-model", k: 5, ef: 0 }, {}, cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((wrongVersion as grpc.ServiceError).details).to.contain('embedding version "older-model"');
    const tooBroad = await call((cb) =>
      client.search({ vector: points[0], embeddingVersion: "efficientnet-lite0@abc+pca16@def", k: 5, ef: 401 }, {}, cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((tooBroad as grpc.ServiceError).details).to.equal("ef 401: expected at most 400");
  });

  it("asks for no more neighbours than the segment holds", async () => {
    service.serve(segment(points.slice(0, 3)));
    const res = await call<SearchResponse>((cb) =>
      client.search({ vector: points[0], embeddingVersion: "efficientnet-lite0@abc+pca16@def", k: 50, ef: 0 }, {}, cb),
    );
    expect(res.hits).to.have.length(3);
  });

  it("describes its segment", async () => {
    service.serve(segment(points));
    const info = await call<SegmentInfo>((cb) => client.info({}, {}, cb));
    expect(info).to.include({
      segmentId: "hourly/2026-11-02T10",
      tier: "hourly",
      windowStart: "2026-11-02T10:00:00.000Z",
      windowEnd: "2026-11-02T11:00:00.000Z",
      itemCount: COUNT,
      dimension: DIM,
      ef: 50,
      maxEf: 400,
    });
  });

  it("turns NOT_SERVING the moment it drains, and closes", async () => {
    service.serve(segment(points));
    const watcher = (
      health as unknown as { watch: (r: object) => grpc.ClientReadableStream<{ status: string }> }
    ).watch({
      service: "",
    });
    const seen: string[] = [];
    const sawNotServing = new Promise<void>((resolve) =>
      watcher.on("data", (m: { status: string }) => {
        seen.push(m.status);
        if (m.status === "NOT_SERVING") resolve();
      }),
    );
    watcher.on("error", () => undefined); // the stream ends with the server
    await new Promise((r) => setTimeout(r, 100));
    const drained = service.drain();
    await sawNotServing;
    await drained;
    expect(seen).to.deep.equal(["SERVING", "NOT_SERVING"]);
    const after = await call((cb) => client.info({}, { deadline: Date.now() + 1000 }, cb)).catch(
      (e: grpc.ServiceError) => e,
    );
    expect((after as grpc.ServiceError).code).to.be.oneOf([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);
  });
});
