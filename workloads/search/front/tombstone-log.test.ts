import { expect } from "chai";
import { frontPath } from "../testing/front";
import { Hosts, items, silent, testSegment, V1 } from "../testing/hosts";
import { TombstoneLog } from "./tombstone-log";

describe("the front's tombstone log (from live shard hosts)", function () {
  this.timeout(30_000);
  const hosts = new Hosts();
  after(() => hosts.stopAll());

  it("holds each item's latest tombstone across live segments, and forgets a retired segment's", async () => {
    const path = await frontPath(() => undefined);
    const log = new TombstoneLog(path.directory, path.clients, 2_000, silent);
    const hour = testSegment("hourly", "2026-11-02T10:00:00", items("h", 3), V1, [
      { itemId: "sold-item", at: "2026-11-02T10:20:00.000Z", kind: "sold" },
      { itemId: "new-photo", at: "2026-11-02T10:40:00.000Z", kind: "photo-changed" },
    ]);
    const day = testSegment("daily", "2026-11-01T00:00:00", items("d", 3), V1, [
      { itemId: "new-photo", at: "2026-11-01T08:00:00.000Z", kind: "photo-changed" },
    ]);
    const host = await hosts.start("tombstones", [day, hour], { retireGraceMs: 0 });
    await path.addHosts(host.address);
    await log.refresh();
    expect(log.lookup("sold-item")?.toISOString()).to.equal("2026-11-02T10:20:00.000Z");
    expect(log.lookup("new-photo")?.toISOString()).to.equal("2026-11-02T10:40:00.000Z");
    expect(log.lookup("h-0")).to.equal(undefined);
    await host.assign([day]);
    await path.directory.refresh();
    await log.refresh();
    expect(log.lookup("sold-item")).to.equal(undefined);
    expect(log.lookup("new-photo")?.toISOString()).to.equal("2026-11-01T08:00:00.000Z");
    await path.close();
  });
});
