import { expect } from "chai";
import fc from "fast-check";
import { cpuSecondsOfStat } from "./cpu";
import { drive } from "./drive";
import { exactTopK, recall } from "./exact";
import { assignJobs, cacheKey, canonicalJson, type BuildJob } from "./segment-cache";
import { quantile, smallestEfAt } from "./sweep";

/** The reference: every inner product, sorted. */
function sortedTopK(vectors: Float32Array, d: number, q: number[], k: number, from: number, to: number): number[] {
  const scored: { row: number; s: number }[] = [];
  for (let i = from; i < to; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += vectors[i * d + j] * q[j];
    scored.push({ row: i, s });
  }
  return scored
    .sort((a, b) => b.s - a.s || a.row - b.row)
    .slice(0, k)
    .map((x) => x.row);
}

describe("search-serve bench helpers", () => {
  describe("exactTopK", () => {
    it("finds the rows a full sort finds, over everything and over a sub-range", () => {
      const d = 8;
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const vectors = Float32Array.from({ length: 300 * d }, random);
      const queries = Array.from({ length: 5 }, () => Array.from({ length: d }, random));
      const all = exactTopK(vectors, d, queries, 10);
      const part = exactTopK(vectors, d, queries, 10, { from: 100, to: 160 });
      queries.forEach((q, i) => {
        expect(all[i]).to.deep.equal(sortedTopK(vectors, d, q, 10, 0, 300));
        expect(part[i]).to.deep.equal(sortedTopK(vectors, d, q, 10, 100, 160));
      });
    });

    it("returns at most the range's size and refuses an empty range", () => {
      const vectors = Float32Array.from([1, 0, 0, 1, 1, 1]);
      expect(exactTopK(vectors, 2, [[1, 0]], 10, { from: 1, to: 3 })).to.deep.equal([[2, 1]]);
      expect(() => exactTopK(vectors, 2, [[1, 0]], 10, { from: 2, to: 2 })).to.throw(/empty or outside/);
    });
  });

  describe("recall", () => {
    it("counts the true neighbours found over all queries", () => {
      expect(
        recall(
          [
            ["a", "b", "x"],
            ["c", "d"],
          ],
          [
            ["a", "b", "c"],
            ["c", "e"],
          ],
        ),
      ).to.equal(3 / 5);
      expect(recall([], [])).to.equal(1);
      expect(() => recall([["a"]], [])).to.throw(/1 answers for 0 queries/);
    });
  });

  describe("quantile and smallestEfAt", () => {
    it("takes the nearest-rank quantile", () => {
      const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
      expect(quantile(xs, 0.5)).to.equal(50);
      expect(quantile(xs, 0.99)).to.equal(99);
      expect(quantile(xs, 1)).to.equal(100);
      expect(quantile([3], 0.99)).to.equal(3);
      expect(Number.isNaN(quantile([], 0.5))).to.equal(true);
    });

    it("picks the smallest ef that reaches the target, whatever the order", () => {
      const points = [
        { ef: 64, recall: 0.99 },
        { ef: 16, recall: 0.9 },
        { ef: 32, recall: 0.95 },
      ];
      expect(smallestEfAt(points, 0.95)?.ef).to.equal(32);
      expect(smallestEfAt(points, 0.999)).to.equal(undefined);
    });
  });

  describe("cpuSecondsOfStat", () => {
    it("adds utime and stime, even when the command holds spaces and parentheses", () => {
      const rest = "S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 7 0 100";
      expect(cpuSecondsOfStat(`42 (node) ${rest}`)).to.equal(3);
      expect(cpuSecondsOfStat(`42 (a (b) c) ${rest}`, 1000)).to.equal(0.3);
      expect(() => cpuSecondsOfStat("garbage")).to.throw(/not a \/proc/);
    });
  });

  describe("cache keys", () => {
    it("do not depend on key order, and change with any value", () => {
      expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: "x" })).to.equal('{"a":"x","b":[1,{"c":3,"d":2}]}');
      expect(cacheKey({ a: 1, b: 2 })).to.equal(cacheKey({ b: 2, a: 1 }));
      expect(cacheKey({ a: 1, b: 2 })).to.not.equal(cacheKey({ a: 1, b: 3 }));
      expect(cacheKey({ a: 1 })).to.match(/^[0-9a-f]{16}$/);
    });
  });

  describe("assignJobs", () => {
    it("puts every job in exactly one queue, largest first, balancing points", () => {
      fc.assert(
        fc.property(fc.array(fc.nat(1000), { maxLength: 20 }), fc.integer({ min: 1, max: 4 }), (counts, workers) => {
          const jobs: BuildJob[] = counts.map((count, i) => ({ file: `j${i}`, from: i, count }));
          const queues = assignJobs(jobs, workers);
          expect(queues.length).to.be.at.most(workers);
          expect(
            queues
              .flat()
              .map((j) => j.file)
              .sort(),
          ).to.deep.equal(jobs.map((j) => j.file).sort());
          for (const q of queues)
            expect(q.map((j) => j.count)).to.deep.equal([...q.map((j) => j.count)].sort((a, b) => b - a));
          // Greedy bound: no queue exceeds the even share by more than the largest job.
          const loads = queues.map((q) => q.reduce((s, j) => s + j.count, 0));
          const total = counts.reduce((s, c) => s + c, 0);
          if (loads.length > 0) expect(Math.max(...loads)).to.be.at.most(total / workers + Math.max(...counts));
        }),
      );
    });

    it("gives the single 1M index one worker and the tiers the other", () => {
      const tiers = [350, 350, 40, 40, 40, 40, 40, ...Array(10).fill(10)].map((count, i) => ({
        file: `s${i}`,
        from: i,
        count,
      }));
      const queues = assignJobs([...tiers, { file: "single", from: 0, count: 1000 }], 2);
      expect(queues[0].map((j) => j.file)).to.deep.equal(["single"]);
      expect(queues[1]).to.have.length(17);
      expect(() => assignJobs(tiers, 0)).to.throw(/workers 0/);
    });
  });

  describe("drive", () => {
    it("runs every call once with at most `concurrency` in flight", async () => {
      let inFlight = 0;
      let most = 0;
      const seen: number[] = [];
      const { latenciesMs } = await drive(25, 4, async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        seen.push(i);
        await new Promise((r) => setImmediate(r));
        inFlight--;
      });
      expect(most).to.equal(4);
      expect([...seen].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 25 }, (_, i) => i));
      expect(latenciesMs).to.have.length(25);
      expect(latenciesMs.every((ms) => ms >= 0)).to.equal(true);
    });
  });
});
