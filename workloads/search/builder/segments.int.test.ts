import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { createLogger } from "../../shared/log";
import { ImageCache } from "../cache/image-cache";
import { PooledPixelsEmbedder } from "../embedder/pooled-pixels-embedder";
import type { DraftEvent, GeneratedFeed } from "../feed/generator";
import { createSearchEnvironment, loadPhotos, writeCatalogue, type SearchEnvironment } from "../local/environment";
import { AssetRepository } from "../repository/asset-repository";
import { SEGMENT_FILES } from "../segments/keys";
import { buildSegment, type BuildDeps } from "./build-segment";
import { RunRecord } from "./run-record";
import { readSegmentData } from "./segment-files";
import { inputWindows, parseWindow, windowOf, type Window } from "../segments/windows";

const START = new Date("2026-11-01T00:00:00Z");
const LATER = new Date("2026-12-05T00:00:00Z");
const silent = createLogger("search-build-test", { write: () => undefined } as never);

/** What a window must hold, from the simulation's own events: per item, its last event in the window. */
function expectedItems(feed: GeneratedFeed, w: Window): Map<string, string> {
  const last = new Map<string, DraftEvent>();
  const inWindow = feed.truth.filter((e) => Date.parse(e.at) >= +w.start && Date.parse(e.at) < +w.end);
  for (const e of inWindow.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq)) last.set(e.itemId, e);
  const out = new Map<string, string>();
  for (const [id, e] of last) if (e.photo) out.set(id, e.photo.key);
  return out;
}

describe("search segment builds on embedded AWS: two days of feed", function () {
  this.timeout(600_000);
  let aws: EmbeddedAws;
  let env: SearchEnvironment;
  let feed: GeneratedFeed;
  let work: string;
  let repo: AssetRepository;
  let deps: BuildDeps;
  const records = new Map<string, RunRecord>();

  const build = async (w: Window, force = false, rerunOf?: RunRecord) => {
    const record = await buildSegment(deps, { window: w, force, rerunOf });
    records.set(`${w.tier} ${w.name}`, record);
    return record;
  };

  const segment = async (w: Window) => {
    const published = await repo.readPublished(w.tier, w.name);
    if (!published) throw new Error(`${w.tier} ${w.name} is not published`);
    const dir = await mkdtemp(path.join(work, "read-"));
    const { manifest } = published;
    for (const role of ["index", "vectors", "items", "tombstones"] as const)
      await repo.fetchVerified(manifest.files[role], path.join(dir, SEGMENT_FILES[role]));
    return { manifest, dir, data: await readSegmentData(dir, manifest.dimension) };
  };

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createSearchEnvironment(aws);
    work = await mkdtemp(path.join(tmpdir(), "search-build-"));
    feed = await writeCatalogue(env, await loadPhotos(30), {
      start: START,
      hours: 48,
      seed: 7,
      listingsPerPeakHour: 3,
      badEvents: true,
    });
    repo = new AssetRepository(env.s3, env.assetBucket);
    const embedder = new PooledPixelsEmbedder();
    deps = {
      s3: env.s3,
      settings: env.settings(path.join(work, "scratch")),
      embedder: async () => embedder,
      cache: () => ImageCache.open(path.join(work, "cache"), 50_000_000),
      log: silent,
      now: () => LATER,
    };
  });
  after(async () => {
    await aws?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("builds 48 hourly segments holding exactly the items each hour's events leave listed", async () => {
    const hours = [
      ...inputWindows(windowOf("daily", START)),
      ...inputWindows(windowOf("daily", new Date(+START + 86_400_000))),
    ];
    expect(hours).to.have.length(48);
    let duplicates = 0;
    for (const w of hours) {
      const record = await build(w);
      expect(record.status, `${w.name}: ${record.error}`).to.equal("published");
      duplicates += record.counts.duplicates;
      const { manifest, data } = await segment(w);
      const expected = expectedItems(feed, w);
      expect(new Map(data.items.map((i) => [i.itemId, i.photo.key])), w.name).to.deep.equal(expected);
      expect(manifest.itemCount).to.equal(expected.size);
      expect(manifest.embeddingVersion).to.equal("pooled-pixels-8x8@1");
      expect(manifest.inputs.feed.length).to.be.at.least(2);
      expect(manifest.inputs.feed.every((f) => f.versionId)).to.equal(true);
    }
    // The feed delivered some events twice; the builds applied them once.
    expect(duplicates).to.be.above(0);
    const events = feed.truth;
    for (const kind of ["listed", "photo-changed", "sold", "deleted"])
      expect(
        events.some((e) => e.type === kind),
        kind,
      ).to.equal(true);
    expect(
      events.some((e) => e.type === "listed" && e.seq > 0),
      "relisted",
    ).to.equal(true);
  });

  it("reports every bad event with its object and line, and builds the rest", async () => {
    const reported = [...records.values()].flatMap((r) => r.badEvents);
    const got = new Map(
      reported.map((b) => [`${b.object.replace(`s3://${env.feedBucket}/`, "")}:${b.line}`, b.reason]),
    );
    expect(got).to.deep.equal(feed.bad);
    const persisted = await repo.getJson(RunRecord, `runs/${records.get("hourly 2026-11-01T01")?.buildId}.json`);
    expect(persisted?.badEvents.map((b) => b.reason).sort()).to.deep.equal([
      "photo-missing",
      "unknown-item",
      "unparseable",
    ]);
  });

  it("compacts each day from its 24 hourlies without re-embedding and drops sold and deleted items", async () => {
    for (const day of ["2026-11-01", "2026-11-02"]) {
      const w = parseWindow("daily", day);
      const record = await build(w);
      expect(record.status, record.error ?? "").to.equal("published");
      expect(record.counts.inputSegments).to.equal(24);
      expect(record.counts.embedded, "a daily embeds nothing").to.equal(undefined);
      const { data, manifest } = await segment(w);
      expect(new Map(data.items.map((i) => [i.itemId, i.photo.key]))).to.deep.equal(expectedItems(feed, w));
      expect(manifest.inputs.segments.map((s) => s.window)).to.deep.equal(inputWindows(w).map((h) => h.name));
      // The vectors are the hourlies' own (no re-embedding): each matches its item's newest hourly vector.
      const lastHourly = new Map<string, Float32Array>();
      for (const h of inputWindows(w)) {
        const hs = (await segment(h)).data;
        hs.items.forEach((it, i) =>
          lastHourly.set(it.itemId, hs.vectors.subarray(i * hs.dimension, (i + 1) * hs.dimension)),
        );
      }
      data.items.forEach((it, i) =>
        expect(Array.from(data.vectors.subarray(i * data.dimension, (i + 1) * data.dimension))).to.deep.equal(
          Array.from(lastHourly.get(it.itemId) ?? []),
        ),
      );
      expect(data.tombstones.length).to.be.above(0);
    }
  });

  it("refuses a month whose dailies are missing, with the reason, and builds it when forced", async () => {
    const month = parseWindow("monthly", "2026-11");
    const refused = await build(month);
    expect(refused.status).to.equal("incomplete");
    expect(refused.reasons).to.include("daily segment 2026-11-03 is not published");
    expect(refused.reasons).to.have.length(28);
    expect(await repo.readPointer("monthly", "2026-11")).to.equal(undefined);

    const forced = await build(month, true);
    expect(forced.status, forced.error ?? "").to.equal("published");
    const { data, manifest } = await segment(month);
    expect(new Map(data.items.map((i) => [i.itemId, i.photo.key]))).to.deep.equal(expectedItems(feed, month));
    expect(manifest.forcedPast).to.have.length(28);
    expect(manifest.inputs.segments.map((s) => s.window)).to.deep.equal(["2026-11-01", "2026-11-02"]);
  });

  it("publishes segments a shard host can load by the manifest: verified files, every item findable", async () => {
    const month = parseWindow("monthly", "2026-11");
    const { manifest, dir, data } = await segment(month);
    const index = new HierarchicalNSW(manifest.index.metric, manifest.dimension);
    await index.readIndex(path.join(dir, SEGMENT_FILES.index));
    index.setEf(manifest.index.efSearch);
    expect(index.getCurrentCount()).to.equal(manifest.itemCount);
    let found = 0;
    for (let i = 0; i < data.items.length; i++) {
      const q = Array.from(data.vectors.subarray(i * data.dimension, (i + 1) * data.dimension));
      const { neighbors, distances } = index.searchKnn(q, 1);
      if (neighbors[0] === i || distances[0] < 1e-6) found++;
    }
    expect(found).to.equal(data.items.length);
  });

  it("re-runs a build from its run record to byte-identical files", async () => {
    for (const key of ["hourly 2026-11-01T13", "daily 2026-11-02", "monthly 2026-11"]) {
      const original = records.get(key) as RunRecord;
      const before = await repo.readPublished(original.tier, original.window);
      const rerun = await build(parseWindow(original.tier, original.window), false, original);
      expect(rerun.status, rerun.error ?? "").to.equal("published");
      expect(rerun.rerunOf).to.equal(original.buildId);
      const after = await repo.readPublished(original.tier, original.window);
      expect(after?.manifest.buildId).to.equal(rerun.buildId);
      expect(after?.manifest.contentSha256).to.equal(before?.manifest.contentSha256);
      for (const role of ["index", "vectors", "items", "tombstones"] as const)
        expect(after?.manifest.files[role].sha256, `${key} ${role}`).to.equal(before?.manifest.files[role].sha256);
    }
  });

  it("does not build an hour whose feed partition may still receive objects, unless forced", async () => {
    const hour = parseWindow("hourly", "2026-11-03T00");
    const early = { ...deps, now: () => new Date("2026-11-03T01:10:00Z") };
    const record = await buildSegment(early, { window: hour, force: false });
    expect(record.status).to.equal("incomplete");
    expect(record.reasons).to.deep.equal([
      "feed partition 2026-11-03T00 is open until 2026-11-03T01:15:00.000Z (the hour's end plus the delivery stream's buffering)",
    ]);
    expect(await repo.readPointer("hourly", hour.name)).to.equal(undefined);
    const forced = await buildSegment(early, { window: hour, force: true });
    expect(forced.status).to.equal("published");
    expect((await repo.readPublished("hourly", hour.name))?.manifest.forcedPast).to.deep.equal(record.reasons);
  });

  it("does not rebuild a published window unless forced", async () => {
    const record = await build(parseWindow("daily", "2026-11-01"));
    expect(record.status).to.equal("skipped");
    expect(record.reasons[0]).to.contain("already published");
  });
});
