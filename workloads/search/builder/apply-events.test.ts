import { expect } from "chai";
import type { CatalogueEvent } from "../feed/events";
import type { SourcedEvent } from "../feed/read-feed";
import { applyEvents } from "./apply-events";

const photo = (key: string) => ({ key, versionId: "v1" });
let n = 0;
const ev = (
  e: Partial<CatalogueEvent> & Pick<CatalogueEvent, "type" | "itemId" | "at" | "seq">,
  object = "o1",
): SourcedEvent => ({
  event: {
    eventId: `e${++n}`,
    ...(e.type === "listed" || e.type === "photo-changed" ? { photo: photo("p") } : {}),
    ...e,
  } as CatalogueEvent,
  object,
  line: n,
});

describe("applyEvents", () => {
  it("applies events by time and revision whatever their delivery order; the last write wins", () => {
    const { live, tombstones } = applyEvents([
      ev({ type: "photo-changed", itemId: "a", at: "2026-11-01T10:30:00.000Z", seq: 1, photo: photo("a2") } as never),
      ev({ type: "listed", itemId: "a", at: "2026-11-01T10:10:00.000Z", seq: 0, photo: photo("a1") } as never),
      ev({ type: "sold", itemId: "b", at: "2026-11-01T10:20:00.000Z", seq: 1 }),
      ev({ type: "listed", itemId: "b", at: "2026-11-01T10:05:00.000Z", seq: 0 }),
      // Same millisecond: the revision orders them.
      ev({ type: "listed", itemId: "c", at: "2026-11-01T10:40:00.000Z", seq: 3, photo: photo("c3") } as never),
      ev({ type: "sold", itemId: "c", at: "2026-11-01T10:40:00.000Z", seq: 2 }),
    ]);
    expect(live.map((s) => [s.itemId, s.photo.key])).to.deep.equal([
      ["a", "a2"],
      ["c", "c3"],
    ]);
    expect(tombstones.map((t) => [t.itemId, t.kind])).to.deep.equal([
      ["b", "sold"],
      ["a", "photo-changed"],
      ["c", "sold"],
    ]);
  });

  it("applies a redelivered event once and reports an event of an item never listed", () => {
    const listed = ev({ type: "listed", itemId: "a", at: "2026-11-01T10:10:00.000Z", seq: 0 });
    const sold = ev({ type: "sold", itemId: "a", at: "2026-11-01T10:20:00.000Z", seq: 1 });
    const relisted = ev({ type: "listed", itemId: "a", at: "2026-11-01T10:30:00.000Z", seq: 2 });
    const ghost = ev({ type: "deleted", itemId: "zz", at: "2026-11-01T10:00:00.000Z", seq: 0 }, "o2");
    const result = applyEvents([listed, sold, relisted, { ...sold, object: "o3", line: 99 }, ghost]);
    expect(result.duplicates).to.equal(1);
    expect(result.live.map((s) => s.itemId)).to.deep.equal(["a"]);
    expect(result.bad).to.deep.equal([
      {
        reason: "unknown-item",
        object: "o2",
        line: ghost.line,
        detail: "deleted of item zz at revision 0: it was never listed",
      },
    ]);
  });
});
