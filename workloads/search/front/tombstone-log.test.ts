import { expect } from "chai";
import { SegmentRegistry } from "./discovery";
import { SegmentClients } from "./segment-clients";
import { items, Segments, silent, V1 } from "./testing";
import { TombstoneLog } from "./tombstone-log";

describe("the front's tombstone log (from live index services)", function () {
  this.timeout(30_000);
  const segments = new Segments();
  const clients = new SegmentClients();
  after(async () => {
    clients.close();
    await segments.stopAll();
  });

  it("holds each item's latest tombstone across live segments, and forgets a retired segment's", async () => {
    const registry = new SegmentRegistry();
    const log = new TombstoneLog(registry, clients, 2_000, silent);
    const hour = await segments.start("hourly", "2026-11-02T10:00:00", items("h", 3), V1, [
      { itemId: "sold-item", at: "2026-11-02T10:20:00.000Z", kind: "sold" },
      { itemId: "new-photo", at: "2026-11-02T10:40:00.000Z", kind: "photo-changed" },
    ]);
    const day = await segments.start("daily", "2026-11-01T00:00:00", items("d", 3), V1, [
      { itemId: "new-photo", at: "2026-11-01T08:00:00.000Z", kind: "photo-changed" },
    ]);
    registry.add(day);
    registry.add(hour);
    await log.refresh();
    expect(log.lookup("sold-item")?.toISOString()).to.equal("2026-11-02T10:20:00.000Z");
    expect(log.lookup("new-photo")?.toISOString()).to.equal("2026-11-02T10:40:00.000Z");
    expect(log.lookup("h-0")).to.equal(undefined);
    registry.retire(hour.id);
    await log.refresh();
    expect(log.lookup("sold-item")).to.equal(undefined);
    expect(log.lookup("new-photo")?.toISOString()).to.equal("2026-11-01T08:00:00.000Z");
  });
});
