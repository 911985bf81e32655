import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import {
  packVectors,
  shardHostProto,
  type SearchRequest,
  type SearchResponse,
  type ShardHostClient,
} from "../proto/index";
import { dot, Hosts, items, randomVector, testSegment, V1, type Item } from "../testing/hosts";

const call = <T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

/** The shard host over gRPC on loopback, with real search threads and real hnswlib indexes. */
describe("shard host", function () {
  this.timeout(30_000);
  const hosts = new Hosts();
  const clients: ShardHostClient[] = [];
  after(async () => {
    clients.forEach((c) => c.close());
    await hosts.stopAll();
  });
  const clientOf = (address: string) => {
    const { Client } = shardHostProto();
    const c = new Client(address, grpc.credentials.createInsecure());
    clients.push(c);
    return c;
  };
  const search = (c: ShardHostClient, req: Partial<SearchRequest> & { queries: number[][] }) =>
    call<SearchResponse>((cb) =>
      c.search(
        {
          segmentIds: req.segmentIds ?? [],
          embeddingVersion: req.embeddingVersion ?? V1,
          dimension: req.dimension ?? req.queries[0]?.length ?? 8,
          vectors: req.vectors ?? packVectors(req.queries, req.dimension ?? req.queries[0]?.length ?? 8),
          k: req.k ?? 10,
          ef: req.ef ?? 0,
          tag: req.tag ?? 0,
        },
        {},
        cb,
      ),
    );
  const exact = (pool: Item[], q: number[], k: number) =>
    pool
      .map((i) => ({ id: i.id, d: 1 - dot(i.vector, q) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, k)
      .map((x) => x.id);

  const big = items("big", 300);
  const small = items("small", 40);
  const month = testSegment("monthly", "2026-10-01T00:00:00", big);
  const hour = testSegment("hourly", "2026-11-02T10:00:00", small);
  const ids = [`monthly/2026-10/${V1}`, `hourly/2026-11-02T10/${V1}`];

  it("searches small segments exactly and large ones by their graph, and says which in Info", async () => {
    const host = await hosts.start("kinds", [month, hour], { flatMaxItems: 50 });
    const c = clientOf(host.address);
    const info = await call<{ segments: { segmentId: string; search: string; itemCount: number }[]; host: string }>(
      (cb) => c.info({}, {}, cb),
    );
    expect(info.host).to.equal("kinds");
    expect(info.segments.map((s) => [s.segmentId, s.search, s.itemCount])).to.deep.equal([
      [ids[0], "hnsw", 300],
      [ids[1], "flat", 40],
    ]);
    // The exact scan finds the exact top 10 of its segment for every query.
    for (let i = 0; i < 20; i++) {
      const q = randomVector();
      const res = await search(c, { segmentIds: [ids[1]], queries: [q] });
      expect(res.results[0].hits.map((h) => h.itemId)).to.deep.equal(exact(small, q, 10));
    }
  });

  it("answers a batch exactly as it answers each query alone, and a stream as the batch", async () => {
    const host = await hosts.start("batch", [month, hour], { flatMaxItems: 50, searchThreads: 2 });
    const c = clientOf(host.address);
    const queries = Array.from({ length: 16 }, () => randomVector());
    const batch = await search(c, { segmentIds: ids, queries });
    expect(batch.results).to.have.length(16);
    for (const [i, q] of queries.entries()) {
      const alone = await search(c, { segmentIds: ids, queries: [q] });
      expect(batch.results[i].hits).to.deep.equal(alone.results[0].hits);
      // Hits name their segment by its index in the request; both segments contribute across queries.
      expect(alone.results[0].hits.every((h) => h.segment === 0 || h.segment === 1)).to.equal(true);
    }
    const stream = c.searchStream();
    const answers: SearchResponse[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on("data", (r: SearchResponse) => answers.push(r));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    for (const [i, q] of queries.entries()) {
      stream.write({
        segmentIds: ids,
        embeddingVersion: V1,
        dimension: 8,
        vectors: packVectors([q], 8),
        k: 10,
        ef: 0,
        tag: i + 1,
      });
    }
    stream.end();
    await done;
    expect(answers.map((a) => a.tag)).to.deep.equal(queries.map((_, i) => i + 1));
    expect(answers.map((a) => a.results[0].hits)).to.deep.equal(batch.results.map((r) => r.hits));
  });

  it("merges its segments locally, keeping an item's hit from the freshest segment that holds it", async () => {
    const twin = { id: "twin", vector: randomVector() };
    const host = await hosts.start("merge", [
      testSegment("daily", "2026-11-01T00:00:00", [twin, ...items("d", 20)]),
      testSegment("hourly", "2026-11-02T10:00:00", [twin, ...items("h", 20)]),
    ]);
    const c = clientOf(host.address);
    const res = await search(c, {
      segmentIds: [`daily/2026-11-01/${V1}`, `hourly/2026-11-02T10/${V1}`],
      queries: [twin.vector],
      k: 5,
    });
    const hits = res.results[0].hits;
    expect(hits.filter((h) => h.itemId === "twin")).to.deep.equal([hits[0]]);
    expect(hits[0].segment).to.equal(1); // the hourly segment's window ends later
    expect(hits).to.have.length(5);
  });

  it("refuses a malformed request naming what is wrong, and lists segments it does not serve as missing", async () => {
    const host = await hosts.start("refuse", [hour]);
    const c = clientOf(host.address);
    const q = randomVector();
    const refusals: [Partial<SearchRequest> & { queries: number[][] }, string][] = [
      [{ segmentIds: [], queries: [q] }, "segment_ids: name at least one segment"],
      [{ segmentIds: [ids[1]], queries: [q], k: 0 }, "k 0: expected 1..200"],
      [{ segmentIds: [ids[1]], queries: [q], ef: 401 }, "ef 401: expected at most 400"],
      [
        { segmentIds: [ids[1]], queries: [q], vectors: new Uint8Array(30) },
        "vectors: 30 bytes is not a whole number of 8-d float32 queries",
      ],
      [
        { segmentIds: [ids[1]], queries: [[1, 0, 0]] },
        'queries have dimension 3 and embedding version "cnn@1"; segment hourly/2026-11-02T10/cnn@1 holds dimension 8',
      ],
      [{ segmentIds: [ids[1]], queries: [q], embeddingVersion: "other@1" }, 'embedding version "other@1"'],
      [{ segmentIds: [ids[1]], queries: [q.map(() => Number.NaN)] }, "vectors: a value is not a finite number"],
    ];
    for (const [req, message] of refusals) {
      const err = await search(c, req).then(
        () => expect.fail(`must refuse ${message}`),
        (e: grpc.ServiceError) => e,
      );
      expect(err.code, message).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(err.details).to.contain(message);
    }
    const partly = await search(c, { segmentIds: [ids[1], "daily/2026-11-01/cnn@1"], queries: [q] });
    expect(partly.missing).to.deep.equal([
      { segmentId: "daily/2026-11-01/cnn@1", reason: "host refuse does not serve it" },
    ]);
    expect(partly.results[0].hits).to.have.length(10);
  });

  it("keeps a retired segment answering for its grace period, then lists it as missing", async () => {
    const host = await hosts.start("retire", [month, hour], { retireGraceMs: 400 });
    const c = clientOf(host.address);
    await host.assign([month]);
    const info = await call<{ segments: { segmentId: string }[] }>((cb) => c.info({}, {}, cb));
    expect(info.segments.map((s) => s.segmentId)).to.deep.equal([ids[0]]);
    const during = await search(c, { segmentIds: ids, queries: [randomVector()] });
    expect(during.missing).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 700));
    const after = await search(c, { segmentIds: ids, queries: [randomVector()] });
    expect(after.missing.map((m) => m.segmentId)).to.deep.equal([ids[1]]);
    // Assigned again: fetched again and served.
    await host.assign([month, hour]);
    const back = await search(c, { segmentIds: ids, queries: [randomVector()] });
    expect(back.missing).to.deep.equal([]);
  });

  it("opens a new build of a window beside the old one and switches to it without a miss", async () => {
    const host = await hosts.start("rebuild", [hour], { retireGraceMs: 200 });
    const c = clientOf(host.address);
    const rebuilt = testSegment(
      "hourly",
      "2026-11-02T10:00:00",
      [{ id: "new", vector: [1, 0, 0, 0, 0, 0, 0, 0] }],
      V1,
      [],
      "b2",
    );
    const queries: Promise<SearchResponse>[] = [];
    const switching = host.assign([rebuilt]);
    for (let i = 0; i < 20; i++) queries.push(search(c, { segmentIds: [ids[1]], queries: [randomVector()], k: 1 }));
    await switching;
    const answers = await Promise.all(queries);
    expect(answers.every((a) => a.missing.length === 0 && a.results[0].hits.length === 1)).to.equal(true);
    const now = await search(c, { segmentIds: [ids[1]], queries: [[1, 0, 0, 0, 0, 0, 0, 0]], k: 1 });
    expect(now.results[0].hits[0].itemId).to.equal("new");
    expect(host.fetches.get(`${ids[1]}@b2`)).to.equal(1);
  });

  it("turns NOT_SERVING the moment it drains", async () => {
    const host = await hosts.start("drain", [hour]);
    const health = new grpc.Client(host.address, grpc.credentials.createInsecure());
    const check = () =>
      call<{ status: number }>((cb) =>
        health.makeUnaryRequest(
          "/grpc.health.v1.Health/Check",
          () => Buffer.alloc(0),
          (b: Buffer) => ({ status: b.length > 1 ? b[1] : 0 }),
          {},
          cb,
        ),
      );
    expect((await check()).status).to.equal(1); // SERVING
    const draining = host.running.server.drain();
    expect(host.running.server.isDraining).to.equal(true);
    await draining;
    health.close();
  });
});
