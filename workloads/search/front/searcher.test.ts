import { expect } from "chai";
import { frontPath, type FrontPath } from "../testing/front";
import { dot, Hosts, items, NOW, randomVector, testSegment, unit, V1, V2 } from "../testing/hosts";

describe("search front over real shard hosts", function () {
  this.timeout(30_000);
  const hosts = new Hosts();
  let path: FrontPath;
  let tombstones: Map<string, Date>;

  beforeEach(async () => {
    tombstones = new Map();
    path = await frontPath((id) => tombstones.get(id));
  });
  afterEach(async () => {
    await path.close();
    await hosts.stopAll();
  });

  const monthlyItems = items("m", 60);
  const dailyItems = items("d", 40);
  const hourlyItems = items("h", 20);
  const monthly = testSegment("monthly", "2026-10-01T00:00:00", monthlyItems);
  const daily = testSegment("daily", "2026-11-01T00:00:00", dailyItems);
  const hourly = testSegment("hourly", "2026-11-02T10:00:00", hourlyItems);

  /** The month on one host, November's day and hour on another (as the assignment groups them). */
  async function threeTiers(): Promise<void> {
    const a = await hosts.start("shard-2026-10", [monthly]);
    const b = await hosts.start("shard-2026-11", [daily, hourly], { flatMaxItems: 25 });
    await path.addHosts(a.address, b.address);
  }

  it("merges the tiers of several hosts into the exact top k over all their items, one call per host", async () => {
    await threeTiers();
    const query = randomVector();
    const calls = path.batcher.calls;
    const res = await path.searcher.search(new Map([[V1, query]]), 10, NOW);
    const exact = [...monthlyItems, ...dailyItems, ...hourlyItems]
      .map((i) => ({ id: i.id, d: 1 - dot(i.vector, query) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 10);
    expect(res.hits.map((h) => h.itemId)).to.deep.equal(exact.map((e) => e.id));
    expect(res.partial).to.equal(false);
    expect(res.segments).to.equal(3);
    expect(res.hosts).to.equal(2);
    expect(path.batcher.calls - calls).to.equal(2);
    expect(new Set(res.hits.map((h) => h.segmentId.split("/")[0])).size).to.be.greaterThan(1);
  });

  it("returns an item found in two segments once, hides sold items and photos changed after a segment was built", async () => {
    const shared = { id: "shared", vector: randomVector() };
    const changed = { id: "changed", vector: randomVector() };
    const sold = { id: "sold", vector: randomVector() };
    const day = testSegment("daily", "2026-11-01T00:00:00", [shared, changed, sold, ...dailyItems]);
    const hour = testSegment("hourly", "2026-11-02T10:00:00", [shared, { id: "changed", vector: randomVector() }]);
    // Both on one host (its local merge keeps the freshest segment's hit) and split over two hosts.
    const one = await hosts.start("one", [day, hour]);
    const two = [await hosts.start("day", [day]), await hosts.start("hour", [hour])];
    tombstones.set("sold", new Date("2026-11-02T09:00:00Z"));
    tombstones.set("changed", new Date("2026-11-02T10:15:00Z")); // the hourly segment holds the new photo
    for (const addresses of [[one.address], two.map((h) => h.address)]) {
      const p = await frontPath((id) => tombstones.get(id));
      await p.addHosts(...addresses);
      for (const query of [shared.vector, changed.vector, sold.vector]) {
        const res = await p.searcher.search(new Map([[V1, query]]), 50, NOW);
        const ids = res.hits.map((h) => h.itemId);
        expect(ids.filter((id) => id === "shared")).to.have.length(1);
        expect(ids).to.not.include("sold");
        expect(res.hits.filter((h) => h.itemId === "changed").map((h) => h.segmentId)).to.deep.equal([
          `hourly/2026-11-02T10/${V1}`,
        ]);
      }
      await p.close();
    }
  });

  it("answers partial, naming the windows, when a host misses its deadline or is down", async () => {
    await threeTiers();
    const slow = await hosts.slow("hourly", "2026-11-02T11:00:00", 10_000);
    const down = await hosts.start("down", [testSegment("hourly", "2026-11-02T09:00:00", items("x", 3))]);
    await path.addHosts(slow, down.address);
    await down.running.stop(); // listed, but gone: its segment fails at query time
    const started = Date.now();
    const res = await path.searcher.search(new Map([[V1, randomVector()]]), 10, NOW);
    expect(Date.now() - started).to.be.below(8_000); // the slow host answers after 10 s: not waited for
    expect(res.partial).to.equal(true);
    expect(res.missing.map((m) => [m.segmentId, m.start.toISOString(), m.end.toISOString()])).to.deep.equal([
      [`hourly/2026-11-02T09/${V1}`, "2026-11-02T09:00:00.000Z", "2026-11-02T10:00:00.000Z"],
      [`hourly/2026-11-02T11/${V1}`, "2026-11-02T11:00:00.000Z", "2026-11-02T12:00:00.000Z"],
    ]);
    expect(res.missing[1].reason).to.match(/deadline/i);
    expect(res.hits).to.have.length(10);
    expect(res.hits.map((h) => h.itemId)).to.not.include("late");
  });

  it("sees a segment a host gains and forgets one it retires while queries run, with none failed", async () => {
    const host = await hosts.start("live", [monthly, daily], { retireGraceMs: 300 });
    await path.addHosts(host.address);
    const query = randomVector();
    let running = true;
    const failures: unknown[] = [];
    let queries = 0;
    const loop = (async () => {
      while (running) {
        const res = await path.searcher.search(new Map([[V1, query]]), 5, NOW).catch((e: unknown) => {
          failures.push(e);
          return undefined;
        });
        if (res?.partial) failures.push(res.missing);
        queries++;
      }
    })();
    const fresh = testSegment("hourly", "2026-11-02T11:00:00", [{ id: "fresh", vector: query }]);
    await host.assign([monthly, daily, fresh]);
    await path.directory.refresh();
    const seen = await path.searcher.search(new Map([[V1, query]]), 5, NOW);
    expect(seen.hits[0]).to.include({ itemId: "fresh", segmentId: `hourly/2026-11-02T11/${V1}` });
    // Retired: Info stops listing it at once, it keeps answering for the grace period, then closes.
    await host.assign([monthly, daily]);
    const during = await path.searcher.search(new Map([[V1, query]]), 5, NOW);
    expect(during.partial).to.equal(false);
    await path.directory.refresh();
    await new Promise((r) => setTimeout(r, 500));
    const after = await path.searcher.search(new Map([[V1, query]]), 5, NOW);
    expect(after.hits.map((h) => h.itemId)).to.not.include("fresh");
    expect(after.partial).to.equal(false);
    running = false;
    await loop;
    expect(failures).to.deep.equal([]);
    expect(queries).to.be.greaterThan(10);
  });

  it("queries each segment with its own embedding version, and says which windows it cannot search", async () => {
    const v2Items = items("v2", 10).map((i) => ({ ...i, vector: unit([...i.vector]) }));
    const host = await hosts.start("versions", [
      testSegment("daily", "2026-11-01T00:00:00", dailyItems, V1),
      testSegment("daily", "2026-11-01T00:00:00", v2Items, V2),
      testSegment("hourly", "2026-11-02T10:00:00", hourlyItems, V2),
    ]);
    await path.addHosts(host.address);
    // A front that can embed in both versions prefers V2 where both are served.
    const both = await path.searcher.search(
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
    const onlyV1 = await path.searcher.search(new Map([[V1, randomVector()]]), 5, NOW);
    expect(onlyV1.partial).to.equal(true);
    expect(onlyV1.missing).to.have.length(1);
    expect(onlyV1.missing[0].start.toISOString()).to.equal("2026-11-02T10:00:00.000Z");
    expect(onlyV1.missing[0].end.toISOString()).to.equal("2026-11-02T11:00:00.000Z");
    expect(onlyV1.missing[0].reason).to.contain(`"${V2}"`);
    expect(onlyV1.uncovered.map((w) => w.start.toISOString())).to.include("2026-11-02T00:00:00.000Z");
  });

  it("reports a vector of the wrong dimension as the host's refusal, naming both dimensions", async () => {
    const host = await hosts.start("dims", [daily]);
    await path.addHosts(host.address);
    const res = await path.searcher.search(new Map([[V1, [1, 0, 0]]]), 5, NOW);
    expect(res.partial).to.equal(true);
    expect(res.missing[0].reason).to.contain("queries have dimension 3").and.contain("holds dimension 8");
  });

  it("finds an item's freshest vector for search by item id, and names an item no segment holds", async () => {
    const old = { id: "item-x", vector: randomVector() };
    const fresh = { id: "item-x", vector: randomVector() };
    const a = await hosts.start("old", [testSegment("daily", "2026-11-01T00:00:00", [old, ...dailyItems])]);
    const b = await hosts.start("new", [testSegment("hourly", "2026-11-02T10:00:00", [fresh])], { flatMaxItems: 10 });
    await path.addHosts(a.address, b.address);
    const vectors = await path.searcher.vectorsOf("item-x", [V1]);
    expect(vectors.get(V1)?.map((x) => Number(x.toFixed(5)))).to.deep.equal(
      fresh.vector.map((x) => Number(x.toFixed(5))),
    );
    await path.searcher.vectorsOf("nope", [V1]).then(
      () => expect.fail("an unknown item must be refused"),
      (err: Error) =>
        expect(err.message).to.equal('item "nope" is in no ready segment (unknown, not yet indexed, sold or deleted)'),
    );
  });

  it("sends concurrent queries to a host as one batch, with the answers a query alone gets", async () => {
    await threeTiers();
    const queries = Array.from({ length: 12 }, () => randomVector());
    const alone = [];
    for (const q of queries) alone.push(await path.searcher.search(new Map([[V1, q]]), 10, NOW));
    const calls = path.batcher.calls;
    const together = await Promise.all(queries.map((q) => path.searcher.search(new Map([[V1, q]]), 10, NOW)));
    expect(path.batcher.calls - calls).to.equal(2); // one per host for all twelve
    expect(together.map((r) => r.hits)).to.deep.equal(alone.map((r) => r.hits));
  });
});
