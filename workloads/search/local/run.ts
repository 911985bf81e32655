/**
 * The image search's build side end to end on embedded AWS: a small catalogue (real photos, a
 * generated day of feed), its 24 hourly segments embedded by the CNN, the daily compacted from
 * them, the month forced from that one day; then one window re-run from its record. Prints what
 * it built and where.
 *   tsx workloads/search/local/run.ts [--listings N]   (new listings in a peak hour, default 3)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readFile } from "node:fs/promises";
import { startEmbeddedAws } from "../../../scripts/embedded-aws";
import { modelVersion } from "../../shared/image-model/model-source";
import { createLogger } from "../../shared/log";
import { buildSegment, type BuildDeps } from "../builder/build-segment";
import type { RunRecord } from "../builder/run-record";
import { inputWindows, parseWindow, type Window } from "../segments/windows";
import { ImageCache } from "../cache/image-cache";
import { CnnEmbedder } from "../embedder/cnn-embedder";
import { BUILT_EMBEDDER } from "../embedder/paths";
import { createSearchEnvironment, loadPhotos, writeCatalogue } from "./environment";
import { serveAndSearch } from "./serve";

import { REPO_ROOT as ROOT } from "../../shared/repo-root";

async function main(): Promise<void> {
  const listings = Number(process.argv[process.argv.indexOf("--listings") + 1] ?? "") || 3;
  // More photos than the day's listings and photo changes: every item has a photo of its own.
  const photoCount = 120;
  const log = createLogger("search-local", process.stderr);
  // Bad events are printed below with the table; LOG_LEVEL=info shows the builds' own logs.
  if (!process.env.LOG_LEVEL) log.level = "error";
  const aws = await startEmbeddedAws();
  const work = await mkdtemp(path.join(tmpdir(), "search-local-"));
  const embedder = await CnnEmbedder.load(
    BUILT_EMBEDDER,
    modelVersion(BUILT_EMBEDDER, await readFile(BUILT_EMBEDDER)),
    {
      threads: 2,
      executionProvider: "cpu",
    },
  );
  try {
    const env = await createSearchEnvironment(aws);
    const day = parseWindow("daily", "2026-11-01");
    const feed = await writeCatalogue(env, await loadPhotos(photoCount), {
      start: day.start,
      hours: 24,
      seed: 11,
      listingsPerPeakHour: listings,
      badEvents: true,
    });
    console.log(
      `embedded AWS ${aws.endpoint}; feed s3://${env.feedBucket}/catalogue/ (${feed.objects.length} objects, ${feed.truth.length} events); assets s3://${env.assetBucket}`,
    );
    console.log(`embedder ${embedder.version} (${embedder.dimension}-d); photo cache .cache/search-local/photos`);
    const deps: BuildDeps = {
      s3: env.s3,
      settings: env.settings(path.join(work, "scratch")),
      embedder: async () => embedder,
      // Kept between local runs: the second run downloads no photo it has.
      cache: () => ImageCache.open(path.join(ROOT, ".cache", "search-local", "photos"), 200_000_000),
      log,
      now: () => new Date("2026-12-05T00:00:00Z"),
    };
    const show = (w: Window, r: RunRecord) => {
      const c = r.counts;
      const detail =
        w.tier === "hourly"
          ? `${c.events} events, ${c.duplicates} duplicates, ${c.badEvents} bad, ${c.cacheMisses} downloads`
          : `${c.inputSegments} inputs, ${c.inputItems} vectors in, ${c.droppedSoldOrDeleted} sold/deleted dropped`;
      console.log(
        `${w.tier.padEnd(7)} ${w.name.padEnd(13)} ${r.status.padEnd(10)} ${String(c.items ?? "-").padStart(4)} items ${String(c.tombstones ?? "-").padStart(4)} tombstones  ${detail}  ${r.outputs?.contentSha256.slice(0, 12) ?? r.reasons.join("; ")}`,
      );
      for (const b of r.badEvents)
        console.log(`        bad event ${b.reason}: ${b.object} line ${b.line}: ${b.detail}`);
    };
    const month = parseWindow("monthly", "2026-11");
    let first: RunRecord | undefined;
    for (const w of [...inputWindows(day), day]) {
      const r = await buildSegment(deps, { window: w, force: false });
      first ??= r;
      show(w, r);
    }
    const refused = await buildSegment(deps, { window: month, force: false });
    console.log(
      `monthly 2026-11       ${refused.status}: not built, ${refused.reasons.length} of its 30 dailies are missing (first: ${refused.reasons[0]})`,
    );
    console.log(
      `                      forced (--force) to show a compaction: built from the 1 daily there is; the controller ` +
        `will not serve it while November is open, its daily and hours answer instead`,
    );
    show(month, await buildSegment(deps, { window: month, force: true }));
    const rerun = await buildSegment(deps, { window: inputWindows(day)[0], force: false, rerunOf: first });
    console.log(
      `re-run of ${first?.buildId}: content ${rerun.outputs?.contentSha256 === first?.outputs?.contentSha256 ? "identical" : "DIFFERENT"}`,
    );
    console.log(`repository: segments/<tier>/<window>/<buildId>/, pointers/<tier>/<window>.json, runs/<buildId>.json`);
    const listedEvent = feed.truth.find(
      (e) => e.type === "listed" && e.photo && feed.truth.filter((x) => x.itemId === e.itemId).length === 1,
    );
    if (!listedEvent?.photo) throw new Error("the generated day has no item listed once and never changed");
    const photos = await loadPhotos(photoCount);
    const photo = photos.get(listedEvent.photo.key);
    if (!photo) throw new Error(`photo ${listedEvent.photo.key} is not among the uploaded photos`);
    await serveAndSearch(env, deps, embedder, { itemId: listedEvent.itemId, photo }, log, work, aws.clientConfig());
  } finally {
    await embedder.close();
    await aws.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`search local run failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
