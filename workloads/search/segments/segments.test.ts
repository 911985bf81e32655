import { expect } from "chai";
import fc from "fast-check";
import {
  assignHosts,
  decodeAssignment,
  encodeAssignment,
  segmentMemoryBytes,
  type AssignOptions,
  type HostPlan,
} from "./assignment";
import { parsePointerKey, parseRunRecordKey, parseSegmentKey, pointerKey, runRecordKey, segmentPrefix } from "./keys";
import { horizonOf, parseSegmentId, segmentId, startOf, type PublishedSegment } from "./segment";
import { TIERS, windowOf, type Tier } from "./windows";

/** Any window of any tier between 2024 and 2028, by its name. */
const window = fc
  .record({ tier: fc.constantFrom(...TIERS), t: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }) })
  .map(({ tier, t }) => windowOf(tier as Tier, new Date(t)));
const version = fc.stringMatching(
  /^[a-z][a-z0-9-]{0,12}(@sha256:[0-9a-f]{12})?(\+pca128@sha256:[0-9a-f]{12})?(\/v[0-9])?$/,
);
const buildId = fc.stringMatching(/^[0-9a-z][0-9a-z-]{3,20}$/);

const published = fc
  .record({ w: window, embeddingVersion: version, buildId, itemCount: fc.integer({ min: 0, max: 2_000_000 }) })
  .map(({ w, embeddingVersion, buildId, itemCount }): PublishedSegment => ({
    tier: w.tier,
    window: w.name,
    start: w.start,
    embeddingVersion,
    buildId,
    manifestKey: `${segmentPrefix(w.tier, w.name, buildId)}manifest.json`,
    manifestVersionId: null,
    manifestSha256: "a".repeat(64),
    itemCount,
    dimension: 128,
    m: 16,
  }));

describe("segments: one definition, each encoding beside its decoder", () => {
  it("round-trips a segment id, whatever its embedding version", () => {
    fc.assert(
      fc.property(window, version, (w, v) => {
        const key = { tier: w.tier, window: w.name, embeddingVersion: v };
        expect(parseSegmentId(segmentId(key))).to.deep.equal(key);
        expect(startOf(key).getTime()).to.equal(w.start.getTime());
        expect(horizonOf(key).getTime()).to.equal(w.end.getTime());
      }),
    );
    expect(() => parseSegmentId("weekly/2026-11/x")).to.throw('segment id "weekly/2026-11/x"');
    expect(() => parseSegmentId("daily/2026-11-31/x")).to.throw("not a daily window");
  });

  it("round-trips pointer, segment-file and run-record keys, and reads nothing else as one", () => {
    fc.assert(
      fc.property(window, buildId, (w, b) => {
        expect(parsePointerKey(pointerKey(w.tier, w.name))).to.deep.equal({ tier: w.tier, window: w.name });
        expect(parseSegmentKey(`${segmentPrefix(w.tier, w.name, b)}index.hnsw`)).to.deep.equal({
          tier: w.tier,
          window: w.name,
          buildId: b,
        });
        expect(parseRunRecordKey(runRecordKey(b))).to.equal(b);
      }),
    );
    for (const key of [
      "pointers/weekly/2026-11.json",
      "pointers/daily/2026-11.json",
      "pointers/daily/x/y.json",
      "runs/a/b.json",
    ]) {
      expect(parsePointerKey(key), key).to.equal(undefined);
    }
  });

  it("round-trips a host's assignment document, and refuses a bad one naming the field", () => {
    fc.assert(
      fc.property(fc.array(published, { maxLength: 8 }), fc.nat(100_000), (segments, flatMaxItems) => {
        const doc = { host: "shard-2026-11", flatMaxItems, segments };
        expect(decodeAssignment(encodeAssignment(doc), "doc")).to.deep.equal(doc);
      }),
    );
    expect(() => decodeAssignment("{", "cm/shard-a")).to.throw("cm/shard-a: not JSON");
    expect(() =>
      decodeAssignment('{"schema":1,"host":"a","flatMaxItems":0,"segments":[{"tier":"weekly"}]}', "cm"),
    ).to.throw("cm: segments.0.tier");
  });
});

describe("segments: host assignment", () => {
  const options: AssignOptions = { hostMemoryBytes: 2_000_000_000, flatMaxItems: 20_000, prefix: "shard" };
  const size = (s: PublishedSegment) => segmentMemoryBytes(s, options.flatMaxItems);
  const previousOf = (plan: HostPlan[]) => new Map(plan.map((h) => [h.name, h.segments.map(segmentId)]));
  const hostOf = (plan: HostPlan[]) => new Map(plan.flatMap((h) => h.segments.map((s) => [segmentId(s), h.name])));
  const segmentSet = fc.uniqueArray(published, { selector: segmentId, maxLength: 40 });
  const budget = fc.integer({ min: 50_000_000, max: 4_000_000_000 });

  it("places every segment on exactly one host, none over its budget unless it holds a single segment", () => {
    fc.assert(
      fc.property(segmentSet, budget, (segments, hostMemoryBytes) => {
        const plan = assignHosts(segments, new Map(), { ...options, hostMemoryBytes });
        const placed = plan.flatMap((h) => h.segments.map(segmentId)).sort();
        expect(placed).to.deep.equal(segments.map(segmentId).sort());
        for (const h of plan) {
          expect(h.bytes).to.equal(h.segments.reduce((n, s) => n + size(s), 0));
          if (h.segments.length > 1) expect(h.bytes).to.be.at.most(hostMemoryBytes);
          expect(h.name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        }
      }),
    );
  });

  it("is stable: the same input gives the same plan, and its own plan as the previous one changes nothing", () => {
    fc.assert(
      fc.property(segmentSet, budget, (segments, hostMemoryBytes) => {
        const o = { ...options, hostMemoryBytes };
        const plan = assignHosts(segments, new Map(), o);
        expect(assignHosts(segments, new Map(), o)).to.deep.equal(plan);
        expect(assignHosts([...segments].reverse(), previousOf(plan), o)).to.deep.equal(plan);
      }),
    );
  });

  it("moves no segment when others are added or removed", () => {
    fc.assert(
      fc.property(
        segmentSet,
        segmentSet,
        fc.integer({ min: 0, max: 40 }),
        budget,
        (base, added, cut, hostMemoryBytes) => {
          const o = { ...options, hostMemoryBytes };
          const before = assignHosts(base, new Map(), o);
          const kept = base.slice(cut);
          const ids = new Set(kept.map(segmentId));
          const after = assignHosts([...kept, ...added.filter((s) => !ids.has(segmentId(s)))], previousOf(before), o);
          const was = hostOf(before);
          const now = hostOf(after);
          for (const s of kept) expect(now.get(segmentId(s)), segmentId(s)).to.equal(was.get(segmentId(s)));
        },
      ),
    );
  });

  it("puts a month's dailies and hourlies on one host while they fit", () => {
    const seg = (tier: Tier, iso: string, itemCount: number): PublishedSegment => {
      const w = windowOf(tier, new Date(`${iso}Z`));
      return {
        tier,
        window: w.name,
        start: w.start,
        embeddingVersion: "v",
        buildId: "b",
        manifestKey: "k",
        manifestVersionId: null,
        manifestSha256: "a".repeat(64),
        itemCount,
        dimension: 128,
        m: 16,
      };
    };
    const november = [
      seg("daily", "2026-11-01T00:00:00", 30_000),
      seg("daily", "2026-11-02T00:00:00", 30_000),
      ...[0, 1, 2].map((h) => seg("hourly", `2026-11-03T0${h}:00:00`, 1_500)),
    ];
    const months = [seg("monthly", "2026-09-01T00:00:00", 900_000), seg("monthly", "2026-10-01T00:00:00", 900_000)];
    const plan = assignHosts([...months, ...november], new Map(), { ...options, hostMemoryBytes: 800_000_000 });
    expect(plan.map((h) => [h.name, h.segments.map((s) => s.window)])).to.deep.equal([
      ["shard-2026-09", ["2026-09"]],
      ["shard-2026-10", ["2026-10", "2026-11-01", "2026-11-02", "2026-11-03T00", "2026-11-03T01", "2026-11-03T02"]],
    ]);
    // A lower budget (a config change) sheds the newest segments of a full host, not the oldest.
    const lower = assignHosts([...months, ...november], previousOf(plan), { ...options, hostMemoryBytes: 700_000_000 });
    expect(lower.find((h) => h.name === "shard-2026-10")?.segments.map((s) => s.window)).to.deep.equal([
      "2026-10",
      "2026-11-01",
    ]);
    expect(lower.flatMap((h) => h.segments).length).to.equal(7);
    expect(() => assignHosts(months, new Map(), { ...options, hostMemoryBytes: 0 })).to.throw("hostMemoryBytes 0");
  });
});
