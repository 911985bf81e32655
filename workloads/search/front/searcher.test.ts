import { expect } from "chai";
import { SegmentRegistry } from "./discovery";
import { SegmentClients } from "./segment-clients";
import { Searcher } from "./searcher";
import { dot, items, NOW, randomVector, Segments, silent, unit, V1, V2 } from "./testing";

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

  it("finds an item's freshest vector for search by item id, and names an item no segment holds", async () => {
    const old = { id: "item-x", vector: randomVector() };
    const fresh = { id: "item-x", vector: randomVector() };
    registry.add(await segments.start("daily", "2026-11-01T00:00:00", [old, ...dailyItems]));
    registry.add(await segments.start("hourly", "2026-11-02T10:00:00", [fresh]));
    const vectors = await searcher.vectorsOf("item-x", [V1]);
    expect(vectors.get(V1)?.map((x) => Number(x.toFixed(5)))).to.deep.equal(
      fresh.vector.map((x) => Number(x.toFixed(5))),
    );
    await searcher.vectorsOf("nope", [V1]).then(
      () => expect.fail("an unknown item must be refused"),
      (err: Error) =>
        expect(err.message).to.equal('item "nope" is in no ready segment (unknown, not yet indexed, sold or deleted)'),
    );
  });
});
