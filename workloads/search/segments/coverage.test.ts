import { expect } from "chai";
import fc from "fast-check";
import { alignTo, planCoverage, windowOf, type PlannableSegment, type Tier } from "./coverage";

const HOUR = 3_600_000;
const utc = (iso: string) => new Date(`${iso}Z`);
const seg = (tier: Tier, iso: string, id = `${tier}:${iso}`) => ({ tier, start: utc(iso), id });
const label = (s: { id: string }) => s.id;

describe("coverage planner", () => {
  it("serves a month by its monthly segment, and the month after by days and hours", () => {
    const ready = [
      seg("monthly", "2026-10-01T00:00:00"),
      seg("daily", "2026-10-05T00:00:00"), // inside the ready month: never asked
      seg("daily", "2026-11-01T00:00:00"),
      seg("hourly", "2026-11-02T00:00:00"),
      seg("hourly", "2026-11-02T01:00:00"),
      seg("hourly", "2026-11-01T05:00:00"), // inside the ready day: never asked
    ];
    const plan = planCoverage(ready, utc("2026-10-15T00:00:00"), utc("2026-11-02T02:00:00"));
    expect(plan.segments.map(label)).to.deep.equal([
      "monthly:2026-10-01T00:00:00",
      "daily:2026-11-01T00:00:00",
      "hourly:2026-11-02T00:00:00",
      "hourly:2026-11-02T01:00:00",
    ]);
    expect(plan.gaps).to.deep.equal([]);
  });

  it("reports what nothing covers as merged gaps, clipped to the period", () => {
    const ready = [seg("hourly", "2026-11-02T03:00:00")];
    const plan = planCoverage(ready, utc("2026-11-02T01:30:00"), utc("2026-11-02T05:00:00"));
    expect(plan.segments.map(label)).to.deep.equal(["hourly:2026-11-02T03:00:00"]);
    expect(plan.gaps).to.deep.equal([
      { start: utc("2026-11-02T01:30:00"), end: utc("2026-11-02T03:00:00") },
      { start: utc("2026-11-02T04:00:00"), end: utc("2026-11-02T05:00:00") },
    ]);
  });

  it("asks one of two ready segments of the same window, the preferred one", () => {
    const a = { ...seg("daily", "2026-11-01T00:00:00"), id: "old-model" };
    const b = { ...seg("daily", "2026-11-01T00:00:00"), id: "new-model" };
    const plan = planCoverage([a, b], utc("2026-11-01T00:00:00"), utc("2026-11-02T00:00:00"), {
      prefer: (x, y) => (x.id === "new-model" ? x : y),
    });
    expect(plan.segments.map(label)).to.deep.equal(["new-model"]);
  });

  it("refuses a segment whose window does not start on its tier's boundary, naming it", () => {
    expect(() =>
      planCoverage([seg("daily", "2026-11-01T05:00:00")], utc("2026-11-01T00:00:00"), utc("2026-11-03T00:00:00")),
    ).to.throw("segment daily 2026-11-01T05:00:00.000Z: the window does not start on a daily boundary");
  });

  it("knows calendar months: February, and the turn of the year", () => {
    expect(windowOf("monthly", utc("2028-02-01T00:00:00")).end).to.deep.equal(utc("2028-03-01T00:00:00"));
    expect(windowOf("monthly", utc("2026-12-01T00:00:00")).end).to.deep.equal(utc("2027-01-01T00:00:00"));
    expect(alignTo("monthly", utc("2026-12-31T23:59:59"))).to.deep.equal(utc("2026-12-01T00:00:00"));
  });

  describe("properties over random segment sets", () => {
    // Three months from 2027-01-01 (a 28-day February included), counted in hours.
    const base = utc("2027-01-01T00:00:00").getTime();
    const spanHours = 90 * 24;
    const tierArb = fc.constantFrom<Tier>("hourly", "daily", "monthly");
    const segmentArb = fc
      .tuple(tierArb, fc.integer({ min: 0, max: spanHours - 1 }))
      .map(([tier, h]) => ({ tier, start: alignTo(tier, new Date(base + h * HOUR)) }));
    const periodArb = fc
      .tuple(fc.integer({ min: 0, max: spanHours }), fc.integer({ min: 0, max: spanHours }))
      .map(([a, b]) => ({ from: new Date(base + Math.min(a, b) * HOUR), to: new Date(base + Math.max(a, b) * HOUR) }));
    const caseArb = fc.record({ ready: fc.array(segmentArb, { maxLength: 60 }), period: periodArb });

    const covers = (s: PlannableSegment, t: number) => {
      const w = windowOf(s.tier, s.start);
      return w.start.getTime() <= t && t < w.end.getTime();
    };
    // Every window edge is an hour boundary, so checking each hour of the period checks every instant.
    const hoursOf = (from: Date, to: Date) =>
      Array.from({ length: (to.getTime() - from.getTime()) / HOUR }, (_, i) => from.getTime() + i * HOUR);

    it("covers no instant twice", () => {
      fc.assert(
        fc.property(caseArb, ({ ready, period }) => {
          const { segments } = planCoverage(ready, period.from, period.to);
          for (const t of hoursOf(period.from, period.to)) {
            expect(segments.filter((s) => covers(s, t)).length).to.be.at.most(1);
          }
          const sorted = [...segments].sort((a, b) => a.start.getTime() - b.start.getTime());
          for (let i = 1; i < sorted.length; i++) {
            expect(windowOf(sorted[i - 1].tier, sorted[i - 1].start).end.getTime()).to.be.at.most(
              sorted[i].start.getTime(),
            );
          }
        }),
      );
    });

    it("leaves out no instant some ready segment covers, and reports exactly the others as gaps", () => {
      fc.assert(
        fc.property(caseArb, ({ ready, period }) => {
          const { segments, gaps } = planCoverage(ready, period.from, period.to);
          for (const t of hoursOf(period.from, period.to)) {
            const anyReady = ready.some((s) => covers(s, t));
            const chosen = segments.some((s) => covers(s, t));
            const inGap = gaps.some((g) => g.start.getTime() <= t && t < g.end.getTime());
            expect(chosen).to.equal(anyReady);
            expect(inGap).to.equal(!anyReady);
          }
        }),
      );
    });

    it("never asks a finer segment where a coarser ready one covers its window", () => {
      const rank: Record<Tier, number> = { monthly: 0, daily: 1, hourly: 2 };
      fc.assert(
        fc.property(caseArb, ({ ready, period }) => {
          const { segments } = planCoverage(ready, period.from, period.to);
          for (const chosen of segments) {
            const coarser = ready.filter((r) => rank[r.tier] < rank[chosen.tier] && covers(r, chosen.start.getTime()));
            expect(coarser, `${chosen.tier} ${chosen.start.toISOString()}`).to.deep.equal([]);
          }
        }),
      );
    });

    it("asks only segments that reach into the period", () => {
      fc.assert(
        fc.property(caseArb, ({ ready, period }) => {
          for (const s of planCoverage(ready, period.from, period.to).segments) {
            const w = windowOf(s.tier, s.start);
            expect(w.start.getTime() < period.to.getTime() && w.end.getTime() > period.from.getTime()).to.equal(true);
          }
        }),
      );
    });
  });
});
