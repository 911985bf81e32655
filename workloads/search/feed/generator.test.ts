import { expect } from "chai";
import { generateFeed } from "./generator";

describe("catalogue feed generator", () => {
  const plan = (photos: number) => ({
    start: new Date("2026-11-01T00:00:00Z"),
    hours: 24,
    seed: 11,
    listingsPerPeakHour: 3,
    badEvents: false,
    photoKeys: Array.from({ length: photos }, (_, i) => `photos/p${i}.jpg`),
  });
  const photosOf = (feed: ReturnType<typeof generateFeed>) => feed.truth.flatMap((e) => (e.photo ? [e.photo.key] : []));

  it("gives every listing and photo change a photo no other has, while the pool lasts", () => {
    const feed = generateFeed(plan(500));
    const used = photosOf(feed);
    expect(used.length).to.be.greaterThan(30);
    expect(new Set(used).size).to.equal(used.length);
  });

  it("starts the pool over only once every photo has been used, and is the same for the same seed", () => {
    const used = photosOf(generateFeed(plan(10)));
    expect(used.length).to.be.greaterThan(10);
    expect(new Set(used.slice(0, 10)).size).to.equal(10);
    expect(photosOf(generateFeed(plan(10)))).to.deep.equal(used);
  });
});
