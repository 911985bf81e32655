/**
 * Bench suite `search-build` (issue 12): the image search's segment builds on this machine.
 *   - embedding throughput of the CNN embedder (photos/s, CPU, at a batch size);
 *   - hourly build throughput excluding embedding (vectors/s into HNSW);
 *   - daily and monthly compaction for 1M vectors in total (a month of 30 dailies; one day of
 *     24 hourlies holds 1/30 of it), index size on disk and resident memory per million vectors;
 *   - the image cache's effect on a re-run of an hourly build on embedded AWS.
 * Vectors at scale are synthetic with the structure of real embeddings (workloads/search/bench/
 * synthetic.ts): the project's photos embedded by the CNN, PCA-projected to 128-d, and sampled
 * around with the PCA's variances. The figures at scale are for 128-d vectors, the dimension a
 * production index of this size would use (1M x 1280-d floats alone are 5 GB).
 * Options: --batch N (16) --threads N (2) --seeds N (256 photos) --dimension N (128)
 *          --hourly-vectors N (50000) --vectors N (1000000) --cache-photos N (64)
 */
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedAws } from "../embedded-aws";
import { toModelInput } from "../../workloads/shared/image-model/preprocess";
import { createLogger } from "../../workloads/shared/log";
import { buildSegment } from "../../workloads/search/builder/build-segment";
import { DEFAULT_INDEX } from "../../workloads/search/builder/config";
import { writeSegment } from "../../workloads/search/builder/segment-files";
import { windowOf } from "../../workloads/search/segments/windows";
import { ImageCache } from "../../workloads/search/cache/image-cache";
import { CnnEmbedder } from "../../workloads/search/embedder/cnn-embedder";
import { l2Normalise } from "../../workloads/search/embedder/embedder";
import { BUILT_EMBEDDER } from "../../workloads/search/embedder/paths";
import { fitPca, Projection } from "../../workloads/search/embedder/projection";
import { compactAndWrite, cleanUp, residentBytes, splitIntoSegments } from "./search/segments";
import { syntheticVectors } from "./search/synthetic";
import { createSearchEnvironment, loadPhotos, writeCatalogue } from "../../workloads/search/local/environment";
import { modelVersion } from "../../workloads/shared/image-model/model-source";
import { readFile } from "node:fs/promises";
import { numberOption, type Report } from "./figures";

const LIMITS = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const PARAMS = { library: "hnswlib-node", ...DEFAULT_INDEX };
const MiB = 2 ** 20;

export async function run(argv: string[], report: Report): Promise<void> {
  const batch = numberOption(argv, "batch", 16);
  const threads = numberOption(argv, "threads", 2);
  const seedCount = numberOption(argv, "seeds", 256);
  const dimension = numberOption(argv, "dimension", 128);
  const hourlyVectors = numberOption(argv, "hourly-vectors", 50_000);
  const total = numberOption(argv, "vectors", 1_000_000);
  const cachePhotos = numberOption(argv, "cache-photos", 64);
  const session = { threads, executionProvider: "cpu" as const };
  const version = modelVersion(BUILT_EMBEDDER, await readFile(BUILT_EMBEDDER));
  report({
    label: "machine",
    value: `${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    note: `${version}, ${threads} inference threads, CPU execution; HNSW ${PARAMS.metric} M=${PARAMS.m} efConstruction=${PARAMS.efConstruction}`,
  });

  // 1. The CNN on real photos: throughput, and the embeddings the synthetic vectors grow from.
  const photos = [...(await loadPhotos(seedCount)).values()];
  const decodeStarted = Date.now();
  const inputs = await Promise.all(photos.map((p) => toModelInput(p, LIMITS)));
  const decodeMs = Date.now() - decodeStarted;
  const embedder = await CnnEmbedder.load(BUILT_EMBEDDER, version, session);
  const features: Float32Array[] = [];
  await embedder.embed(inputs.slice(0, batch)); // warm-up
  const embedStarted = Date.now();
  for (let i = 0; i < inputs.length; i += batch) features.push(...(await embedder.embed(inputs.slice(i, i + batch))));
  const embedMs = Date.now() - embedStarted;
  await embedder.close();
  report({
    label: "embed.throughput",
    value: (inputs.length * 1000) / embedMs,
    unit: "photos/s",
    note: `CPU, batch ${batch}, ${inputs.length} photos, inference only`,
  });
  report({
    label: "embed.decode",
    value: (inputs.length * 1000) / decodeMs,
    unit: "photos/s",
    note: "sharp decode + resize, libuv pool",
  });

  // 2. PCA fitted on those embeddings: the projection the scale figures use.
  const pcaStarted = Date.now();
  const projection = Projection.serialise(fitPca(features, dimension, 30));
  const totalVariance = varianceOf(features);
  const kept = projection.file.variances.reduce((s, v) => s + v, 0);
  report({
    label: "pca.variance-kept",
    value: kept / totalVariance,
    note: `${dimension} of 1280 dimensions, fitted on ${features.length} embeddings in ${((Date.now() - pcaStarted) / 1000).toFixed(1)} s`,
  });
  const source = { seeds: features.map((f) => l2Normalise(projection.apply(f))), variances: projection.file.variances };

  // 3. Hourly build excluding embedding: vectors into HNSW.
  {
    const vectors = syntheticVectors(source, hourlyVectors, 1);
    const [segment] = splitIntoSegments(vectors, dimension, 1, 0);
    const dir = await mkdtemp(path.join(os.tmpdir(), "search-bench-hourly-"));
    const timings = await writeSegment(dir, segment, PARAMS);
    await cleanUp(dir);
    report({
      label: "hourly.index-throughput",
      value: (hourlyVectors * 1000) / timings.indexMs,
      unit: "vectors/s",
      note: `${hourlyVectors} vectors, ${dimension}-d, one thread`,
    });
  }

  // 4. Compaction at scale: one day (24 hourlies) and the month (30 dailies) of `total` vectors.
  {
    const perDay = Math.round(total / 30);
    const day = await compactAndWrite(
      splitIntoSegments(syntheticVectors(source, perDay, 2), dimension, 24, 3_600_000),
      PARAMS,
    );
    await cleanUp(day.dir);
    report({
      label: "compact.daily",
      value: day.totalMs / 1000,
      unit: "s",
      note: `${day.vectors} vectors from 24 hourlies (merge ${day.mergeMs} ms)`,
    });
    const month = await compactAndWrite(
      splitIntoSegments(syntheticVectors(source, total, 3), dimension, 30, 86_400_000),
      PARAMS,
    );
    report({
      label: "compact.monthly",
      value: month.totalMs / 1000,
      unit: "s",
      note: `${month.vectors} vectors from 30 dailies (merge ${(month.mergeMs / 1000).toFixed(1)} s)`,
    });
    report({
      label: "compact.month-in-total",
      value: (30 * day.totalMs + month.totalMs) / 1000,
      unit: "s",
      note: "30 dailies + the monthly: every vector indexed twice",
    });
    const perMillion = 1_000_000 / month.vectors;
    report({
      label: "index.disk-per-million",
      value: (month.indexBytes * perMillion) / MiB,
      unit: "MiB",
      note: `${dimension}-d, M=${PARAMS.m}; vectors.f32 adds ${((month.vectorBytes * perMillion) / MiB).toFixed(0)} MiB`,
    });
    const rss = await residentBytes(path.join(month.dir, "index.hnsw"), PARAMS.metric, dimension);
    report({
      label: "index.resident-per-million",
      value: (rss * perMillion) / MiB,
      unit: "MiB",
      note: "RSS growth of a fresh process loading the index",
    });
    await cleanUp(month.dir);
  }

  // 5. The image cache: an hourly build on embedded AWS, cold, then re-run from its record.
  const aws = await startEmbeddedAws();
  const work = await mkdtemp(path.join(os.tmpdir(), "search-bench-cache-"));
  try {
    const env = await createSearchEnvironment(aws);
    const hour = new Date("2026-11-01T12:00:00Z");
    await writeCatalogue(env, await loadPhotos(cachePhotos), {
      start: hour,
      hours: 1,
      seed: 5,
      listingsPerPeakHour: cachePhotos,
    });
    const cnn = await CnnEmbedder.load(BUILT_EMBEDDER, version, session);
    const deps = {
      s3: env.s3,
      settings: env.settings(path.join(work, "scratch"), { embedBatch: batch }),
      embedder: async () => cnn,
      cache: () => ImageCache.open(path.join(work, "cache"), 1_000_000_000),
      log: createLogger("search-bench", { write: () => undefined } as never),
      now: () => new Date("2026-11-02T00:00:00Z"),
    };
    const cold = await buildSegment(deps, { window: windowOf("hourly", hour), force: false });
    const warm = await buildSegment(deps, { window: windowOf("hourly", hour), force: false, rerunOf: cold });
    await cnn.close();
    if (cold.status !== "published" || warm.status !== "published")
      throw new Error(`cache bench builds: ${cold.error ?? cold.status}, ${warm.error ?? warm.status}`);
    const s = (ms: number) => ms / 1000;
    report({
      label: "cache.rerun-without",
      value: s(cold.timingsMs.total),
      unit: "s",
      note: `${cold.counts.embedded} photos, ${cold.counts.cacheMisses} downloads (${(cold.counts.bytesDownloaded / MiB).toFixed(1)} MiB), download phase ${s(cold.timingsMs.download).toFixed(2)} s`,
    });
    report({
      label: "cache.rerun-with",
      value: s(warm.timingsMs.total),
      unit: "s",
      note: `${warm.counts.cacheMisses} downloads, download phase ${s(warm.timingsMs.download).toFixed(2)} s; S3 here is local (moto)`,
    });
  } finally {
    await aws.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Total variance of unit vectors: the sum of per-dimension variances. */
function varianceOf(rows: Float32Array[]): number {
  const d = rows[0].length;
  let total = 0;
  for (let i = 0; i < d; i++) {
    let s = 0;
    let s2 = 0;
    for (const r of rows) {
      s += r[i];
      s2 += r[i] * r[i];
    }
    total += s2 / rows.length - (s / rows.length) ** 2;
  }
  return total;
}
