/**
 * Bench suite `search-serve` (issue 13): serving the tiers on this machine.
 *   - recall@10 of the whole query path (coverage plan → gRPC index services → merge) against
 *     exact search over the same vectors, split into monthly, daily and hourly segments, with
 *     QPS and p50/p99 latency at each ef;
 *   - one index service's QPS (one core: hnswlib searches on its event loop) at recall@10 >= 0.95;
 *   - the merge overhead: the same vectors in one index against the tiers, at the same ef;
 *   - find-by-new-photo on the project's real photos: each indexed, then queried with a cropped,
 *     turned, recoloured, re-encoded copy; hit@1 and hit@10 of the original;
 *   - search by photo end to end through the front's HTTP API (embedding included): p50/p99.
 * Vectors at scale are synthetic with the structure of real embeddings (search/bench/synthetic.ts:
 * the project's photos embedded by the CNN, PCA-projected to 128-d, sampled around with the PCA's
 * variances). Queries are fresh samples from the same distribution.
 * Options: --vectors N (1000000) --queries N (200) --seeds N (256) --photos N (300)
 */
import * as os from "node:os";
import { readFile } from "node:fs/promises";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { toModelInput } from "../../workloads/shared/image-model/preprocess";
import { modelVersion } from "../../workloads/shared/image-model/model-source";
import { DEFAULT_INDEX } from "../../workloads/search/build/config";
import { syntheticVectors } from "../../workloads/search/bench/synthetic";
import { CnnEmbedder } from "../../workloads/search/embedder/cnn-embedder";
import { l2Normalise } from "../../workloads/search/embedder/embedder";
import { BUILT_EMBEDDER } from "../../workloads/search/embedder/paths";
import { fitPca, Projection } from "../../workloads/search/embedder/projection";
import { windowOf, type Tier } from "../../workloads/search/front/coverage";
import { SegmentRegistry } from "../../workloads/search/front/discovery";
import { environmentFor as frontEnvironment, loadFrontSettings } from "../../workloads/search/front/config";
import { startFront } from "../../workloads/search/front/main";
import { SegmentClients } from "../../workloads/search/front/segment-clients";
import { Searcher } from "../../workloads/search/front/searcher";
import { IndexService } from "../../workloads/search/index-service/server";
import { HnswSegment } from "../../workloads/search/index-service/segment";
import { loadPhotos } from "../../workloads/search/local/environment";
import { newPhotoOf } from "../../workloads/search/local/serve";
import { numberOption, type Report } from "./figures";

const silent = pino({ level: "silent" });
const LIMITS = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const NOW = new Date("2026-11-20T12:00:00Z");
const VERSION = "bench";

/** Monthly, daily and hourly segments holding 70 %, 20 % and 10 % of the vectors. */
const LAYOUT: { tier: Tier; start: string; share: number }[] = [
  { tier: "monthly", start: "2026-09-01T00:00:00", share: 0.35 },
  { tier: "monthly", start: "2026-10-01T00:00:00", share: 0.35 },
  ...[1, 2, 3, 4, 5].map((d) => ({ tier: "daily" as const, start: `2026-11-0${d}T00:00:00`, share: 0.04 })),
  ...Array.from({ length: 10 }, (_, h) => ({
    tier: "hourly" as const,
    start: `2026-11-20T0${h}:00:00`.replace(/T0(\d\d)/, "T$1"),
    share: 0.01,
  })),
];

const row = (v: Float32Array, d: number, i: number) => Array.from(v.subarray(i * d, (i + 1) * d));
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

function buildIndex(vectors: Float32Array, d: number, from: number, count: number): HierarchicalNSW {
  const index = new HierarchicalNSW("ip", d);
  index.initIndex(Math.max(count, 1), DEFAULT_INDEX.m, DEFAULT_INDEX.efConstruction, DEFAULT_INDEX.randomSeed);
  for (let i = 0; i < count; i++) index.addPoint(row(vectors, d, from + i), i);
  return index;
}

/** Exact top-k by inner product over every vector. */
function exactTopK(vectors: Float32Array, d: number, n: number, q: number[], k: number): number[] {
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += vectors[o + j] * q[j];
    if (best.length < k || s > best[best.length - 1].s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

export async function run(argv: string[], report: Report): Promise<void> {
  const total = numberOption(argv, "vectors", 1_000_000);
  const queryCount = numberOption(argv, "queries", 200);
  const seedCount = numberOption(argv, "seeds", 256);
  const photoCount = numberOption(argv, "photos", 300);
  const d = 128;
  const version = modelVersion(BUILT_EMBEDDER, await readFile(BUILT_EMBEDDER));
  report({
    label: "machine",
    value: `${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    note: `${total} vectors of ${d} dimensions in ${LAYOUT.length} segments; HNSW ip M=${DEFAULT_INDEX.m} efConstruction=${DEFAULT_INDEX.efConstruction}`,
  });

  // Real embeddings and the PCA the synthetic vectors and the photo figures use.
  const photos = [...(await loadPhotos(Math.max(seedCount, photoCount))).values()];
  const embedder = await CnnEmbedder.load(BUILT_EMBEDDER, version, { threads: 2, executionProvider: "cpu" });
  const features: Float32Array[] = [];
  for (let i = 0; i < photos.length; i += 16) {
    const inputs = await Promise.all(photos.slice(i, i + 16).map((p) => toModelInput(p, LIMITS)));
    features.push(...(await embedder.embed(inputs)));
  }
  await embedder.close();
  const projection = Projection.serialise(fitPca(features.slice(0, seedCount), d, 30));
  const source = {
    seeds: features.slice(0, seedCount).map((f) => l2Normalise(projection.apply(f))),
    variances: projection.file.variances,
  };
  const vectors = syntheticVectors(source, total, 1);
  const queries = Array.from({ length: queryCount }, (_, i) => row(syntheticVectors(source, 1, 1_000 + i), d, 0));

  // The tiers: one index service per segment, on loopback.
  const registry = new SegmentRegistry();
  const services: IndexService[] = [];
  const ids: string[] = Array.from({ length: total }, (_, i) => `v${i}`);
  let offset = 0;
  let largest = { address: "", from: 0, count: 0 };
  const buildStarted = Date.now();
  for (const [n, part] of LAYOUT.entries()) {
    const count = n === LAYOUT.length - 1 ? total - offset : Math.floor(total * part.share);
    const start = new Date(`${part.start}Z`);
    const w = windowOf(part.tier, start);
    const segment = new HnswSegment(
      {
        segmentId: `${part.tier}/${part.start}`,
        tier: part.tier,
        windowStart: w.start,
        windowEnd: w.end,
        itemCount: count,
        dimension: d,
        embeddingVersion: VERSION,
        metric: "ip",
        m: DEFAULT_INDEX.m,
        efConstruction: DEFAULT_INDEX.efConstruction,
      },
      buildIndex(vectors, d, offset, count),
      ids.slice(offset, offset + count),
    );
    const service = new IndexService({ ef: 64, maxEf: 1024, maxK: 1000, drainTimeoutMs: 1000 }, silent);
    const port = await service.listen("127.0.0.1", 0);
    service.serve(segment);
    services.push(service);
    registry.add({
      id: `${part.tier}/${part.start}`,
      tier: part.tier,
      start,
      embeddingVersion: VERSION,
      address: `127.0.0.1:${port}`,
    });
    if (count > largest.count) largest = { address: `127.0.0.1:${port}`, from: offset, count };
    offset += count;
  }
  report({
    label: "build.seconds",
    value: (Date.now() - buildStarted) / 1000,
    unit: "s",
    note: "all segments, one thread",
  });

  const truth = queries.map((q) => exactTopK(vectors, d, total, q, 10));
  const clients = new SegmentClients();
  try {
    // Recall, QPS and latency of the whole path at each ef.
    const tiersMsAtEf = new Map<number, number>();
    for (const ef of [32, 64, 128, 256]) {
      const searcher = new Searcher(
        registry,
        clients,
        () => undefined,
        { retentionMs: 120 * 86_400_000, oversample: 2, deadlineMs: 10_000, ef },
        silent,
      );
      let found = 0;
      const latencies: number[] = [];
      const started = Date.now();
      for (const [i, q] of queries.entries()) {
        const t = performance.now();
        const res = await searcher.search(new Map([[VERSION, q]]), 10, NOW);
        latencies.push(performance.now() - t);
        const want = new Set(truth[i].map((x) => `v${x}`));
        found += res.hits.filter((h) => want.has(h.itemId)).length;
      }
      const seconds = (Date.now() - started) / 1000;
      tiersMsAtEf.set(ef, (seconds * 1000) / queries.length);
      report({
        label: `tiers.ef${ef}.recall-at-10`,
        value: found / (queries.length * 10),
        note: `${LAYOUT.length} segments, k'=20 each`,
      });
      report({
        label: `tiers.ef${ef}.qps`,
        value: queries.length / seconds,
        unit: "queries/s",
        note: "one client, sequential",
      });
      report({ label: `tiers.ef${ef}.p50`, value: quantile(latencies, 0.5), unit: "ms" });
      report({ label: `tiers.ef${ef}.p99`, value: quantile(latencies, 0.99), unit: "ms" });
    }

    // One index service alone (the largest segment), against exact search over its own vectors.
    const own = queries.map((q) =>
      exactTopK(vectors.subarray(largest.from * d, (largest.from + largest.count) * d), d, largest.count, q, 10),
    );
    for (const ef of [32, 64, 128]) {
      let found = 0;
      const started = Date.now();
      for (const [i, q] of queries.entries()) {
        const res = await clients.search(largest.address, { vector: q, embeddingVersion: VERSION, k: 10, ef }, 10_000);
        const want = new Set(own[i].map((x) => `v${largest.from + x}`));
        found += res.hits.filter((h) => want.has(h.itemId)).length;
      }
      const qps = queries.length / ((Date.now() - started) / 1000);
      report({
        label: `service.ef${ef}.recall-at-10`,
        value: found / (queries.length * 10),
        note: `${largest.count} vectors`,
      });
      report({
        label: `service.ef${ef}.qps-per-core`,
        value: qps,
        unit: "queries/s",
        note: "gRPC on loopback, client in the same process",
      });
    }

    // The same vectors in one index, searched directly, against the tiers at the same ef.
    const single = buildIndex(vectors, d, 0, total);
    for (const ef of [64, 128]) {
      single.setEf(ef);
      let found = 0;
      const started = performance.now();
      for (const [i, q] of queries.entries()) {
        const res = single.searchKnn(q, 10);
        const want = new Set(truth[i]);
        found += res.neighbors.filter((x) => want.has(x)).length;
      }
      const ms = (performance.now() - started) / queries.length;
      report({ label: `single.ef${ef}.recall-at-10`, value: found / (queries.length * 10) });
      report({
        label: `merge-overhead.ef${ef}`,
        value: (tiersMsAtEf.get(ef) ?? NaN) / ms,
        note: "time per query, tiers through gRPC and merge over one index in process",
      });
    }
  } finally {
    clients.close();
    for (const s of services) await s.drain();
  }

  // Find by new photo, on real photos: index each photo's embedding, query with a changed copy.
  const real = photos.slice(0, photoCount);
  const photoEmbedder = await CnnEmbedder.load(
    BUILT_EMBEDDER,
    version,
    { threads: 2, executionProvider: "cpu" },
    projection,
  );
  try {
    const originals: number[][] = [];
    for (const p of real) originals.push(Array.from((await photoEmbedder.embed([await toModelInput(p, LIMITS)]))[0]));
    const index = new HierarchicalNSW("ip", d);
    index.initIndex(real.length, DEFAULT_INDEX.m, DEFAULT_INDEX.efConstruction, DEFAULT_INDEX.randomSeed);
    originals.forEach((v, i) => index.addPoint(v, i));
    index.setEf(200);
    let hit1 = 0;
    let hit10 = 0;
    for (const [i, p] of real.entries()) {
      const copy = await newPhotoOf(p);
      const q = Array.from((await photoEmbedder.embed([await toModelInput(copy, LIMITS)]))[0]);
      const res = index.searchKnn(q, 10).neighbors;
      if (res[0] === i) hit1++;
      if (res.includes(i)) hit10++;
    }
    report({
      label: "new-photo.hit-at-1",
      value: hit1 / real.length,
      note: `${real.length} real photos (IFCT food, scikit-image)`,
    });
    report({ label: "new-photo.hit-at-10", value: hit10 / real.length });

    // Search by photo end to end through the front (embedding included), over a small tier set.
    const registry2 = new SegmentRegistry();
    const service = new IndexService({ ef: 64, maxEf: 512, maxK: 1000, drainTimeoutMs: 1000 }, silent);
    const port = await service.listen("127.0.0.1", 0);
    const start = new Date("2026-11-19T00:00:00Z");
    service.serve(
      new HnswSegment(
        {
          segmentId: "daily/2026-11-19",
          tier: "daily",
          windowStart: start,
          windowEnd: windowOf("daily", start).end,
          itemCount: real.length,
          dimension: d,
          embeddingVersion: photoEmbedder.version,
          metric: "ip",
          m: DEFAULT_INDEX.m,
          efConstruction: DEFAULT_INDEX.efConstruction,
        },
        index,
        real.map((_, i) => `photo-${i}`),
      ),
    );
    registry2.add({
      id: "daily/2026-11-19",
      tier: "daily",
      start,
      embeddingVersion: photoEmbedder.version,
      address: `127.0.0.1:${port}`,
    });
    const front = await startFront(
      loadFrontSettings(
        frontEnvironment({
          namespace: "bench",
          embedderModelUri: "unused",
          host: "127.0.0.1",
          httpPort: 0,
          opsPort: 0,
        }),
      ),
      silent,
      registry2,
      [photoEmbedder],
    );
    try {
      const latencies: number[] = [];
      for (const p of real.slice(0, 100)) {
        const body = await newPhotoOf(p);
        const t = performance.now();
        const res = await fetch(`${front.url}/search?k=10`, {
          method: "POST",
          body,
          headers: { "content-type": "image/jpeg" },
        });
        await res.json();
        latencies.push(performance.now() - t);
      }
      report({
        label: "by-photo.p50",
        value: quantile(latencies, 0.5),
        unit: "ms",
        note: "HTTP, decode, CNN on CPU, gRPC, merge",
      });
      report({ label: "by-photo.p99", value: quantile(latencies, 0.99), unit: "ms" });
    } finally {
      await front.stop();
      await service.drain();
    }
  } finally {
    await photoEmbedder.close().catch(() => undefined); // the front closes it too; closing twice is harmless
  }
}
