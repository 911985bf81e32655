import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { segmentIndexProto } from "../proto/index";
import { IndexService } from "../index-service/server";
import { HnswSegment } from "../index-service/segment";
import { windowOf, type Tier } from "./coverage";
import { SegmentRegistry, type DiscoveredSegment } from "./discovery";
import { SegmentClients } from "./segment-clients";
import { Searcher } from "./searcher";

const DIM = 8;
const V1 = "cnn@1";
const V2 = "cnn@2";
const NOW = new Date("2026-11-02T12:30:00Z");
const silent = pino({ level: "silent" });

let seed = 1;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const randomVector = () => unit(Array.from({ length: DIM }, rand));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

interface Item {
  id: string;
  vector: number[];
}

/** Real index services on loopback, one per segment; stopped after each test. */
class Segments {
  private services: IndexService[] = [];
  private servers: grpc.Server[] = [];

  async start(tier: Tier, startIso: string, items: Item[], version = V1): Promise<DiscoveredSegment> {
    const index = new HierarchicalNSW("ip", DIM);
    index.initIndex(Math.max(1, items.length), 16, 200, 100);
    items.forEach((item, label) => index.addPoint(item.vector, label));
    const start = new Date(`${startIso}Z`);
    const id = `${tier}/${startIso}/${version}`;
    const service = new IndexService({ ef: 100, maxEf: 400, maxK: 200, drainTimeoutMs: 500 }, silent);
    const port = await service.listen("127.0.0.1", 0);
    service.serve(
      new HnswSegment(
        {
          segmentId: id,
          tier,
          windowStart: start,
          windowEnd: windowOf(tier, start).end,
          itemCount: items.length,
          dimension: DIM,
          embeddingVersion: version,
          metric: "ip",
          m: 16,
          efConstruction: 200,
        },
        index,
        items.map((i) => i.id),
      ),
    );
    this.services.push(service);
    return { id, tier, start, embeddingVersion: version, address: `127.0.0.1:${port}` };
  }

  /** A server speaking the protocol that answers after `delayMs`: a segment under load. */
  async slow(tier: Tier, startIso: string, delayMs: number): Promise<DiscoveredSegment> {
    const server = new grpc.Server();
    server.addService(segmentIndexProto().service, {
      search: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        setTimeout(
          () => done(null, { hits: [{ itemId: "late", distance: 0 }], segmentId: "slow", searchMicros: 1 }),
          delayMs,
        ),
      info: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, {}),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.servers.push(server);
    return {
      id: `${tier}/${startIso}/${V1}`,
      tier,
      start: new Date(`${startIso}Z`),
      embeddingVersion: V1,
      address: `127.0.0.1:${port}`,
    };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.services.map((s) => s.drain()));
    for (const s of this.servers) s.forceShutdown();
    this.services = [];
    this.servers = [];
  }
}

const items = (prefix: string, n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, vector: randomVector() }));

describe("search front over real index services", function () {
  this.timeout(30_000);
  const segments = new Segments();
  let registry: SegmentRegistry;
  let clients: SegmentClients;
  let tombstones: Map<string, Date>;
  const options = { retentionMs: 40 * 24 * 3_600_000, oversample: 2, deadlineMs: 1_500, ef: 0 };
  let searcher: Searcher;

  beforeEach(() => {
    registry = new SegmentRegistry();
    clients = new SegmentClients();
    tombstones = new Map();
    searcher = new Searcher(registry, clients, (id) => tombstones.get(id), options, silent);
  });
  afterEach(async () => {
    clients.close();
    await segments.stopAll();
  });

  const monthlyItems = items("m", 60);
  const dailyItems = items("d", 40);
  const hourlyItems = items("h", 20);

  async function threeTiers(): Promise<void> {
    registry.add(await segments.start("monthly", "2026-10-01T00:00:00", monthlyItems));
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", dailyItems));
    registry.add(await segments.start("hourly", "2026-11-02T10:00:00", hourlyItems));
  }

  it("merges the tiers into the exact top k over all their items", async () => {
    await threeTiers();
    const query = randomVector();
    const res = await searcher.search(new Map([[V1, query]]), 10, NOW);
    const exact = [...monthlyItems, ...dailyItems, ...hourlyItems]
      .map((i) => ({ id: i.id, d: 1 - dot(i.vector, query) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 10);
    expect(res.hits.map((h) => h.itemId)).to.deep.equal(exact.map((e) => e.id));
    expect(res.partial).to.equal(false);
    expect(res.segments).to.equal(3);
    const bySegment = new Set(res.hits.map((h) => h.segmentId.split("/")[0]));
    expect(bySegment.size).to.be.greaterThan(1);
  });

  it("returns an item found in two segments once, hides sold items and photos changed after a segment was built", async () => {
    const shared = { id: "shared", vector: randomVector() };
    const changed = { id: "changed", vector: randomVector() };
    const sold = { id: "sold", vector: randomVector() };
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", [shared, changed, sold, ...dailyItems]));
    registry.add(
      await segments.start("hourly", "2026-11-02T10:00:00", [shared, { id: "changed", vector: randomVector() }]),
    );
    tombstones.set("sold", new Date("2026-11-02T09:00:00Z"));
    tombstones.set("changed", new Date("2026-11-02T10:15:00Z")); // the hourly segment holds the new photo
    for (const query of [shared.vector, changed.vector, sold.vector]) {
      const res = await searcher.search(new Map([[V1, query]]), 50, NOW);
      const ids = res.hits.map((h) => h.itemId);
      expect(ids.filter((id) => id === "shared")).to.have.length(1);
      expect(ids).to.not.include("sold");
      expect(res.hits.filter((h) => h.itemId === "changed").map((h) => h.segmentId)).to.deep.equal([
        `hourly/2026-11-02T10:00:00/${V1}`,
      ]);
    }
  });

  it("answers partial, naming the window, when a segment misses its deadline or is down", async () => {
    await threeTiers();
    registry.add(await segments.slow("hourly", "2026-11-02T11:00:00", 10_000));
    registry.add({
      id: `hourly/2026-11-02T09:00:00/${V1}`,
      tier: "hourly",
      start: new Date("2026-11-02T09:00:00Z"),
      embeddingVersion: V1,
      address: "127.0.0.1:1", // nothing listens there
    });
    const started = Date.now();
    const res = await searcher.search(new Map([[V1, randomVector()]]), 10, NOW);
    expect(Date.now() - started).to.be.below(8_000); // the slow segment answers after 10 s: not waited for
    expect(res.partial).to.equal(true);
    expect(res.missing.map((m) => [m.segmentId, m.start.toISOString(), m.end.toISOString()])).to.deep.equal([
      [`hourly/2026-11-02T09:00:00/${V1}`, "2026-11-02T09:00:00.000Z", "2026-11-02T10:00:00.000Z"],
      [`hourly/2026-11-02T11:00:00/${V1}`, "2026-11-02T11:00:00.000Z", "2026-11-02T12:00:00.000Z"],
    ]);
    expect(res.missing[1].reason).to.match(/deadline/i);
    expect(res.hits).to.have.length(10);
    expect(res.hits.map((h) => h.itemId)).to.not.include("late");
  });

  it("sees a new segment and forgets a retired one while queries run, without a restart", async () => {
    await threeTiers();
    const query = randomVector();
    let running = true;
    const failures: unknown[] = [];
    let queries = 0;
    const loop = (async () => {
      while (running) {
        await searcher.search(new Map([[V1, query]]), 5, NOW).catch((e: unknown) => failures.push(e));
        queries++;
      }
    })();
    const fresh = await segments.start("hourly", "2026-11-02T11:00:00", [{ id: "fresh", vector: query }]);
    registry.add(fresh);
    const seen = await searcher.search(new Map([[V1, query]]), 5, NOW);
    expect(seen.hits[0]).to.include({ itemId: "fresh", segmentId: fresh.id });
    registry.retire(fresh.id);
    const after = await searcher.search(new Map([[V1, query]]), 5, NOW);
    expect(after.hits.map((h) => h.itemId)).to.not.include("fresh");
    expect(after.partial).to.equal(false);
    running = false;
    await loop;
    expect(failures).to.deep.equal([]);
    expect(queries).to.be.greaterThan(0);
  });

  it("queries each segment with its own embedding version, and says which windows it cannot search", async () => {
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", dailyItems, V1));
    const v2Items = items("v2", 10).map((i) => ({ ...i, vector: unit([...i.vector]) }));
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", v2Items, V2));
    registry.add(await segments.start("hourly", "2026-11-02T10:00:00", hourlyItems, V2));
    // A front that can embed in both versions prefers V2 where both are ready.
    const both = await searcher.search(
      new Map([
        [V2, randomVector()],
        [V1, randomVector()],
      ]),
      5,
      NOW,
    );
    expect(both.partial).to.equal(false);
    expect(new Set(both.hits.map((h) => h.segmentId.split("/")[2]))).to.deep.equal(new Set([V2]));
    // A front that can embed only V1 answers partial for the hour only V2 covers.
    const onlyV1 = await searcher.search(new Map([[V1, randomVector()]]), 5, NOW);
    expect(onlyV1.partial).to.equal(true);
    expect(onlyV1.missing).to.have.length(1);
    expect(onlyV1.missing[0].start.toISOString()).to.equal("2026-11-02T10:00:00.000Z");
    expect(onlyV1.missing[0].end.toISOString()).to.equal("2026-11-02T11:00:00.000Z");
    expect(onlyV1.missing[0].reason).to.contain(`"${V2}"`);
    expect(onlyV1.uncovered.map((w) => w.start.toISOString())).to.include("2026-11-02T00:00:00.000Z");
  });

  it("reports a vector of the wrong dimension as the segment's refusal, naming both dimensions", async () => {
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", dailyItems));
    const res = await searcher.search(new Map([[V1, [1, 0, 0]]]), 5, NOW);
    expect(res.partial).to.equal(true);
    expect(res.missing[0].reason).to.contain("query vector has dimension 3").and.contain("holds dimension 8");
  });
});
