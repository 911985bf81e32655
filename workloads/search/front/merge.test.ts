import { expect } from "chai";
import fc from "fast-check";
import { mergeAnswers, type SegmentAnswer } from "./merge";

const at = (iso: string) => new Date(`${iso}Z`);
const none = () => undefined;

describe("merging segment answers", () => {
  const monthly: SegmentAnswer = {
    segmentId: "monthly/2026-10",
    horizon: at("2026-11-01T00:00:00"),
    hits: [
      { itemId: "a", distance: 0.1 },
      { itemId: "b", distance: 0.3 },
      { itemId: "c", distance: 0.5 },
    ],
  };
  const hourly: SegmentAnswer = {
    segmentId: "hourly/2026-11-02T10",
    horizon: at("2026-11-02T11:00:00"),
    hits: [
      { itemId: "d", distance: 0.2 },
      { itemId: "b", distance: 0.25 },
    ],
  };

  it("keeps the k closest across segments, naming the segment that found each", () => {
    const { hits } = mergeAnswers([monthly, hourly], 3, none);
    expect(hits).to.deep.equal([
      { itemId: "a", distance: 0.1, segmentId: "monthly/2026-10" },
      { itemId: "d", distance: 0.2, segmentId: "hourly/2026-11-02T10" },
      { itemId: "b", distance: 0.25, segmentId: "hourly/2026-11-02T10" },
    ]);
  });

  it("collapses an item found in two segments to its closest hit", () => {
    const result = mergeAnswers([monthly, hourly], 10, none);
    expect(result.hits.filter((h) => h.itemId === "b")).to.deep.equal([
      { itemId: "b", distance: 0.25, segmentId: "hourly/2026-11-02T10" },
    ]);
    expect(result.duplicates).to.equal(1);
  });

  it("hides hits of segments built before the item was sold, deleted or changed its photo", () => {
    // "a" was sold after the monthly segment's horizon; "b" changed its photo inside the hourly
    // segment's window, so the hourly segment holds the new photo and the monthly one the old.
    const tombstones = new Map([
      ["a", at("2026-11-01T08:00:00")],
      ["b", at("2026-11-02T10:30:00")],
    ]);
    const result = mergeAnswers([monthly, hourly], 10, (id) => tombstones.get(id));
    expect(result.hits.map((h) => `${h.itemId}@${h.segmentId}`)).to.deep.equal([
      "d@hourly/2026-11-02T10",
      "b@hourly/2026-11-02T10",
      "c@monthly/2026-10",
    ]);
    expect(result.hidden).to.equal(2);
    expect(result.duplicates).to.equal(0);
  });

  it("shows a relisted item from the segment that saw the relisting", () => {
    const tombstones = new Map([["a", at("2026-10-20T00:00:00")]]); // deleted in October, relisted in November
    const relisted: SegmentAnswer = {
      segmentId: "daily/2026-11-02",
      horizon: at("2026-11-03T00:00:00"),
      hits: [{ itemId: "a", distance: 0.4 }],
    };
    const stale: SegmentAnswer = { ...monthly, horizon: at("2026-10-15T00:00:00") };
    const { hits } = mergeAnswers([stale, relisted], 10, (id) => tombstones.get(id));
    expect(hits.find((h) => h.itemId === "a")).to.deep.equal({
      itemId: "a",
      distance: 0.4,
      segmentId: "daily/2026-11-02",
    });
  });

  it("merges the same way whatever order the segments answer in", () => {
    const answerArb = fc.record({
      segmentId: fc.constantFrom("s1", "s2", "s3"),
      horizon: fc.constant(at("2026-11-01T00:00:00")),
      hits: fc.array(
        fc.record({ itemId: fc.constantFrom("a", "b", "c", "d", "e"), distance: fc.integer({ min: 0, max: 4 }) }),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(fc.array(answerArb, { maxLength: 4 }), fc.integer({ min: 1, max: 5 }), (answers, k) => {
        const forward = mergeAnswers(answers, k, none).hits;
        const backward = mergeAnswers([...answers].reverse(), k, none).hits;
        expect(backward).to.deep.equal(forward);
        expect(new Set(forward.map((h) => h.itemId)).size).to.equal(forward.length);
        for (let i = 1; i < forward.length; i++) expect(forward[i - 1].distance).to.be.at.most(forward[i].distance);
      }),
    );
  });
});
