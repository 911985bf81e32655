/**
 * Bench suite `search-serve` (issue 21): serving the tiers through shard hosts on this machine.
 *   - flat vs HNSW per segment size: an exact scan (hnswlib's BruteforceSearch) against the graph
 *     at the ef a host uses, µs per query and recall, and the size where they cross: the host's
 *     FLAT_MAX_ITEMS default;
 *   - recall@10 of the whole query path (coverage plan → batched gRPC → a shard host's search
 *     threads and local merge → the front's merge) against exact search over the same vectors,
 *     split into monthly, daily and hourly segments as the assignment function places them; ef
 *     swept, and at the smallest ef that reaches recall@10 >= 0.95: p50/p99 one query at a time,
 *     p50/p99 and QPS at 16 in flight, QPS at saturation (64 in flight), CPU per query;
 *   - the same for one index of all the vectors through the same host code, and the merge
 *     overhead as ratios measured in this run (tiers ÷ one index, CPU per query and p50);
 *   - one host's queries per CPU-second (the host process's CPU, all its threads);
 *   - find-by-new-photo on the project's real photos, and search by photo end to end.
 * Each host is its own process (`bench/search/host-server.ts`, the real shard host serving cached
 * files); the front's search path and the load generator run in this process.
 *
 * Where the vectors come from (`bench/search/synthetic.ts`): the project's photos embedded by the
 * CNN and PCA-projected to 128-d are the seeds; each vector is a seed plus Gaussian noise along the
 * PCA axes with the variances PCA measured over the photos (spread 1: not shrunk, so clusters
 * overlap as real embeddings do and recall depends on ef), L2-normalised. Queries are fresh samples
 * from the same distribution. Indexes, vectors' ground truth and build times are cached under
 * `.cache/bench/search-serve/<hash of every parameter and of the seeds>/`; a second run loads them.
 * Options: --vectors N (1000000) --queries N (200) --seeds N (256) --photos N (300) --spread X (1)
 *   --load N (2000: queries per throughput measurement) --concurrency N (16) --saturation N (64)
 *   --workers N (2) --host-memory GiB (4) --threads N (2: search threads per host)
 *   --batch-window MS (1) --flat-max N (the measured crossover)
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import { toModelInput } from "../../workloads/shared/image-model/preprocess";
import { modelVersion } from "../../workloads/shared/image-model/model-source";
import { DEFAULT_INDEX } from "../../workloads/search/builder/config";
import { CnnEmbedder } from "../../workloads/search/embedder/cnn-embedder";
import { l2Normalise } from "../../workloads/search/embedder/embedder";
import { BUILT_EMBEDDER } from "../../workloads/search/embedder/paths";
import { fitPca, Projection } from "../../workloads/search/embedder/projection";
import { environmentFor as frontEnvironment, loadFrontSettings } from "../../workloads/search/front/config";
import { HostRegistry } from "../../workloads/search/front/discovery";
import { startFront } from "../../workloads/search/front/main";
import { flatFrom } from "../../workloads/search/host/searchable";
import { loadPhotos } from "../../workloads/search/local/environment";
import { newPhotoOf } from "../../workloads/search/local/serve";
import { assignHosts } from "../../workloads/search/segments/assignment";
import { windowOf, type Tier } from "../../workloads/search/segments/windows";
import { REPO_ROOT } from "../../workloads/shared/repo-root";
import { encodePublished, type PublishedSegment } from "../../workloads/search/segments/segment";
import { frontPath, type FrontPath } from "../../workloads/search/testing/front";
import { Hosts, silent, testSegment } from "../../workloads/search/testing/hosts";
import { processCpuSeconds } from "./search/cpu";
import { drive } from "./search/drive";
import { exactTopK, recall } from "./search/exact";
import type { HostSpec } from "./search/host-server";
import { buildIndexes, cacheKey, writeAtomically, type BuildJob } from "./search/segment-cache";
import { startBenchServers, type BenchServer } from "./search/servers";
import { quantile, smallestEfAt } from "./search/sweep";
import { syntheticVectors } from "./search/synthetic";
import { numberOption, type Report } from "./figures";

const LIMITS = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const NOW = new Date("2026-11-20T12:00:00Z");
const VERSION = "bench";
const K = 10;
const TARGET = 0.95;
const EFS = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];
/** The front's default OVERSAMPLE: each segment is asked for k' = 20. */
const OVERSAMPLE = 2;
const CACHE = path.join(REPO_ROOT, ".cache", "bench", "search-serve");

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

interface Part {
  tier: Tier;
  start: Date;
  from: number;
  count: number;
  file: string;
}

interface Prepared {
  queries: number[][];
  /** Rows of the exact top 10 over all vectors, per query. */
  truth: number[][];
  /** Rows of the exact top 10 within the largest segment, per query. */
  own: number[][];
  buildSeconds: number;
  truthSeconds: number;
  cached: boolean;
}

const cpuOf = (pids: number[]) => pids.reduce((s, pid) => s + processCpuSeconds(pid), 0);
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
function partsOf(total: number): Part[] {
  let offset = 0;
  return LAYOUT.map((p, n) => {
    const count = n === LAYOUT.length - 1 ? total - offset : Math.floor(total * p.share);
    const part = { tier: p.tier, start: new Date(`${p.start}Z`), from: offset, count, file: `segment-${n}.hnsw` };
    offset += count;
    return part;
  });
}

/** Loads the cached indexes and ground truth for these parameters, or makes them (two workers build). */
async function prepare(
  dir: string,
  total: number,
  d: number,
  source: { seeds: Float32Array[]; variances: number[] },
  spread: number,
  queryCount: number,
  parts: Part[],
  largest: Part,
  workers: number,
): Promise<Prepared> {
  const done = path.join(dir, "done.json");
  const truthFile = path.join(dir, "truth.json");
  const jobs: BuildJob[] = [
    ...parts.map((p) => ({ file: p.file, from: p.from, count: p.count })),
    { file: "single.hnsw", from: 0, count: total },
  ];
  // Only what is missing is made (an index deleted by hand is rebuilt alone).
  const missing = jobs.filter((j) => !existsSync(path.join(dir, j.file)));
  if (existsSync(done) && missing.length === 0) {
    const times = JSON.parse(await readFile(done, "utf8")) as { buildSeconds: number; truthSeconds: number };
    const t = JSON.parse(await readFile(truthFile, "utf8")) as Pick<Prepared, "queries" | "truth" | "own">;
    return { ...t, ...times, cached: true };
  }
  await mkdir(dir, { recursive: true });
  const vectors = syntheticVectors(source, total, 1, spread);
  const vectorsFile = path.join(dir, "vectors.f32");
  await writeFile(vectorsFile, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  const hnsw = {
    metric: "ip",
    dimension: d,
    m: DEFAULT_INDEX.m,
    efConstruction: DEFAULT_INDEX.efConstruction,
    randomSeed: DEFAULT_INDEX.randomSeed,
  };
  const building = buildIndexes(dir, vectorsFile, hnsw, missing, workers);
  let truthSeconds = 0;
  let t: Pick<Prepared, "queries" | "truth" | "own">;
  if (existsSync(truthFile)) {
    t = JSON.parse(await readFile(truthFile, "utf8")) as Pick<Prepared, "queries" | "truth" | "own">;
  } else {
    // Exact search runs here meanwhile (sharing the cores with the build, so a cold run's build
    // time is a fact about that run, not a figure to compare).
    const started = Date.now();
    const queries = Array.from({ length: queryCount }, (_, i) =>
      Array.from(syntheticVectors(source, 1, 1_000 + i, spread)),
    );
    const truth = exactTopK(vectors, d, queries, K);
    const own = exactTopK(vectors, d, queries, K, { from: largest.from, to: largest.from + largest.count });
    truthSeconds = (Date.now() - started) / 1000;
    t = { queries, truth, own };
    await writeAtomically(truthFile, JSON.stringify(t));
  }
  const buildSeconds = await building;
  await rm(vectorsFile);
  const before = existsSync(done)
    ? (JSON.parse(await readFile(done, "utf8")) as { buildSeconds: number; truthSeconds: number })
    : { buildSeconds: 0, truthSeconds: 0 };
  const times = {
    buildSeconds: before.buildSeconds + buildSeconds,
    truthSeconds: before.truthSeconds + truthSeconds,
  };
  await writeAtomically(done, JSON.stringify(times));
  return { ...t, ...times, cached: false };
}

export async function run(argv: string[], report: Report): Promise<void> {
  const total = numberOption(argv, "vectors", 1_000_000);
  const queryCount = numberOption(argv, "queries", 200);
  const seedCount = numberOption(argv, "seeds", 256);
  const photoCount = numberOption(argv, "photos", 300);
  const spread = numberOption(argv, "spread", 1);
  const load = numberOption(argv, "load", 2000);
  const concurrency = numberOption(argv, "concurrency", 16);
  const workers = numberOption(argv, "workers", 2);
  const saturation = numberOption(argv, "saturation", 64);
  const hostMemoryBytes = numberOption(argv, "host-memory", 4) * 2 ** 30;
  const threads = numberOption(argv, "threads", 2);
  const batchWindowMs = numberOption(argv, "batch-window", 1);
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

  const parts = partsOf(total);
  const largest = parts.reduce((a, b) => (b.count > a.count ? b : a));
  const sourceHash = createHash("sha256");
  for (const s of source.seeds) sourceHash.update(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
  sourceHash.update(JSON.stringify(source.variances));
  const key = cacheKey({
    format: 1,
    total,
    d,
    spread,
    queryCount,
    layout: parts.map((p) => [p.tier, p.start.toISOString(), p.from, p.count]),
    hnsw: DEFAULT_INDEX,
    source: sourceHash.digest("hex"),
  });
  const dir = path.join(CACHE, key);
  const prepared = await prepare(dir, total, d, source, spread, queryCount, parts, largest, workers);
  const { queries, truth } = prepared;
  report({
    label: "build.seconds",
    value: prepared.buildSeconds,
    unit: "s",
    note: `${prepared.cached ? "from cache (wall time of the runs that built it)" : "built now (with earlier runs' time if it completed a partial cache)"}: ${LAYOUT.length} segments + one index of all ${total}, ${workers} worker processes; ${path.relative(process.cwd(), dir)}`,
  });
  report({ label: "build.cached", value: prepared.cached ? "yes" : "no" });
  report({
    label: "exact.seconds",
    value: prepared.truthSeconds,
    unit: "s",
    note: `${queryCount} queries, one thread`,
  });

  const loadAverage = os.loadavg()[0];
  report({
    label: "machine.load-average",
    value: loadAverage,
    note: "1-minute load average before measuring: other work on this machine's cores inflates latencies",
  });

  // Every segment's vectors for exact scans, read back from its cached index (labels are rows).
  const vectorsOf = async (part: Part): Promise<string> => {
    const file = path.join(dir, `${part.file}.f32`);
    if (existsSync(file)) return file;
    const index = new HierarchicalNSW("ip", d);
    index.readIndexSync(path.join(dir, part.file));
    const rows = new Float32Array(part.count * d);
    for (let i = 0; i < part.count; i++) rows.set(index.getPoint(i), i * d);
    await writeAtomically(file, new Uint8Array(rows.buffer));
    return file;
  };
  const hourly = parts.find((p) => p.tier === "hourly") as Part;
  const daily = parts.find((p) => p.tier === "daily") as Part;
  const flatFiles = new Map<Part, string>();
  for (const p of parts) if (p.count <= 50_000) flatFiles.set(p, await vectorsOf(p));

  // Flat vs HNSW by segment size, at the ef the tiers use (hnswlib searches max(ef, k') = 20).
  const kPrime = K * OVERSAMPLE;
  const crossover = await flatVersusGraph(
    report,
    d,
    queries,
    [
      { rows: 250, from: hourly },
      { rows: 500, from: hourly },
      { rows: 1_250, from: hourly },
      { rows: 2_500, from: hourly },
      { rows: 5_000, from: hourly },
      { rows: hourly.count, from: hourly, index: path.join(dir, hourly.file) },
      { rows: daily.count, from: daily, index: path.join(dir, daily.file) },
    ],
    flatFiles,
    kPrime,
  );
  const flatMaxItems = numberOption(argv, "flat-max", crossover);
  report({
    label: "flat-max-items",
    value: flatMaxItems,
    note: `segments of at most this many vectors are scanned exactly (${argv.includes("--flat-max") ? "from --flat-max" : "the measured crossover"}); the shard host's FLAT_MAX_ITEMS`,
  });

  // The tiers as the assignment function places them, and one index of everything, each through the host code.
  const published = parts.map((p, n): PublishedSegment => {
    const w = windowOf(p.tier, p.start);
    return {
      tier: p.tier,
      window: w.name,
      start: w.start,
      embeddingVersion: VERSION,
      buildId: `bench-${n}`,
      manifestKey: p.file,
      manifestVersionId: null,
      manifestSha256: "0".repeat(64),
      itemCount: p.count,
      dimension: d,
      m: DEFAULT_INDEX.m,
    };
  });
  const plan = assignHosts(published, new Map(), { hostMemoryBytes, flatMaxItems, prefix: "bench" });
  const specOf = (
    name: string,
    segments: { segment: PublishedSegment; part: Part; indexFile: string }[],
  ): HostSpec => ({
    name,
    flatMaxItems,
    searchThreads: threads,
    ef: 64,
    maxEf: 1024,
    maxBatch: 256,
    segments: segments.map(({ segment, part, indexFile }) => ({
      segment: encodePublished(segment),
      indexFile,
      vectorsFile: flatFiles.get(part) ?? "",
      idPrefix: "v",
      idFrom: part.from,
    })),
  });
  const tierSpecs = plan.map((h) =>
    specOf(
      h.name,
      h.segments.map((segment) => {
        const part = parts[published.indexOf(segment)];
        return { segment, part, indexFile: path.join(dir, part.file) };
      }),
    ),
  );
  const all: Part = {
    tier: "monthly",
    start: new Date("2026-10-01T00:00:00Z"),
    from: 0,
    count: total,
    file: "single.hnsw",
  };
  const singleSpec = specOf("single", [
    {
      segment: { ...published[1], buildId: "single", itemCount: total },
      part: all,
      indexFile: path.join(dir, "single.hnsw"),
    },
  ]);
  report({
    label: "tiers.hosts",
    value: plan.length,
    note: `${parts.length} segments assigned with ${(hostMemoryBytes / 2 ** 30).toFixed(1)} GiB per host: ${plan.map((h) => `${h.name} ${h.segments.length} segments ${(h.bytes / 2 ** 20).toFixed(0)} MiB`).join("; ")}`,
  });
  report({
    label: "tiers.flat-segments",
    value: parts.filter((p) => p.count <= flatMaxItems).length,
    note: `of ${parts.length}; the rest HNSW`,
  });

  const started = Date.now();
  const servers: BenchServer[] = [];
  const paths: FrontPath[] = [];
  try {
    const hosts = await startBenchServers([...tierSpecs, singleSpec]);
    servers.push(...hosts);
    const tierHosts = hosts.slice(0, tierSpecs.length);
    const singleHost = hosts[tierSpecs.length];
    report({
      label: "hosts.start-seconds",
      value: (Date.now() - started) / 1000,
      unit: "s",
      note: `${hosts.length} shard host processes (${threads} search threads each), loading their segments`,
    });
    const truthIds = truth.map((rows) => rows.map((r) => `v${r}`));

    const measure = async (
      name: "tiers" | "single",
      addresses: string[],
      pids: number[],
      segments: number,
      members: Part[],
    ) => {
      // One front path per ef, as a front holds one; all batch concurrent queries within the window.
      const fronts = new Map<number, FrontPath>();
      const front = async (ef: number) => {
        let found = fronts.get(ef);
        if (found === undefined) {
          found = await frontPath(() => undefined, {
            retentionMs: 120 * 86_400_000,
            oversample: OVERSAMPLE,
            deadlineMs: 30_000,
            ef,
            batchWindowMs,
            maxBatch: 64,
          });
          await found.addHosts(...addresses);
          paths.push(found);
          fronts.set(ef, found);
        }
        return found;
      };
      const ask = async (ef: number, q: number[]) => {
        const res = await (await front(ef)).searcher.search(new Map([[VERSION, q]]), K, NOW);
        if (res.partial || res.segments !== segments)
          throw new Error(`${name}: ${res.segments} segments, partial ${res.partial}: ${JSON.stringify(res.missing)}`);
        return res.hits.map((h) => h.itemId);
      };
      const points: { ef: number; recall: number; latenciesMs: number[] }[] = [];
      for (const ef of EFS) {
        const found: string[][] = [];
        const { latenciesMs } = await drive(queries.length, 1, async (i) => {
          found[i] = await ask(ef, queries[i]);
        });
        const r = recall(found, truthIds);
        points.push({ ef, recall: r, latenciesMs });
        report({
          label: `${name}.ef${ef}.recall-at-10`,
          value: r,
          note: `p50 ${quantile(latenciesMs, 0.5).toFixed(2)} ms, one query at a time`,
        });
        if (r >= TARGET) break;
      }
      const at = smallestEfAt(points, TARGET) ?? points[points.length - 1];
      const cpu = async (count: number, concurrency: number) => {
        const hostsBefore = cpuOf(pids);
        const frontBefore = ownCpu();
        const run = await drive(count, concurrency, async (i) => {
          await ask(at.ef, queries[i % queries.length]);
        });
        const hostUs = ((cpuOf(pids) - hostsBefore) * 1e6) / count;
        const frontUs = ((ownCpu() - frontBefore) * 1e6) / count;
        return { ...run, hostUs, frontUs, cpuUs: hostUs + frontUs, qps: count / run.seconds };
      };
      const alone = await cpu(queries.length * 2, 1);
      const loaded = await cpu(load, concurrency);
      const saturated = await cpu(load, saturation);
      const note = `ef ${at.ef}${name === "tiers" ? `; hnswlib searches max(ef, k') = ${Math.max(at.ef, kPrime)}` : ""}`;
      report({ label: `${name}.ef`, value: at.ef, note: `smallest swept ef with recall@10 >= ${TARGET}` });
      report({
        label: `${name}.recall-at-10`,
        value: at.recall,
        note: "through plan → batched gRPC → host threads + local merge → front merge",
      });
      report({
        label: `${name}.p50`,
        value: quantile(alone.latenciesMs, 0.5),
        unit: "ms",
        note: `${note}, one query at a time`,
      });
      report({
        label: `${name}.p99`,
        value: quantile(alone.latenciesMs, 0.99),
        unit: "ms",
        note: `${note}, one query at a time`,
      });
      report({
        label: `${name}.loaded-p50`,
        value: quantile(loaded.latenciesMs, 0.5),
        unit: "ms",
        note: `${concurrency} in flight`,
      });
      report({
        label: `${name}.loaded-p99`,
        value: quantile(loaded.latenciesMs, 0.99),
        unit: "ms",
        note: `${concurrency} in flight`,
      });
      report({
        label: `${name}.qps`,
        value: loaded.qps,
        unit: "queries/s",
        note: `${concurrency} in flight, batch window ${batchWindowMs} ms; every process on this machine's ${os.cpus().length} cores`,
      });
      report({
        label: `${name}.qps-saturated`,
        value: saturated.qps,
        unit: "queries/s",
        note: `${saturation} in flight`,
      });
      report({
        label: `${name}.cpu-us-per-query`,
        value: loaded.cpuUs,
        unit: "µs",
        note: `CPU of the host process(es) and the front per query, ${concurrency} in flight (batched)`,
      });
      report({ label: `${name}.host-us-per-query`, value: loaded.hostUs, unit: "µs", note: "of which shard hosts" });
      report({
        label: `${name}.front-us-per-query`,
        value: loaded.frontUs,
        unit: "µs",
        note: "of which the front: plan, batching, gRPC client, merge",
      });
      report({
        label: `${name}.alone-cpu-us-per-query`,
        value: alone.cpuUs,
        unit: "µs",
        note: "the same, one query at a time (no batching possible)",
      });
      // The same searches in this process, no host around them: what the host adds to hnswlib.
      const aloneUs = searchAlone(dir, queries, members, at.ef, kPrime);
      report({
        label: `${name}.hnswlib-us-per-query`,
        value: aloneUs,
        unit: "µs",
        note: `${members.length} segment(s) searched in this process, one thread, ef ${Math.max(at.ef, kPrime)}, k' ${kPrime}: the search alone`,
      });
      report({
        label: `${name}.host-overhead`,
        value: loaded.hostUs / aloneUs,
        unit: "×",
        note: "host CPU per query ÷ the search alone: gRPC, threads, local merge",
      });
      report({
        label: `${name}.host-queries-per-cpu-second`,
        value: 1e6 / loaded.hostUs,
        unit: "queries/s",
        note: `queries / the host process's CPU seconds (all threads: gRPC, search, merge), ${concurrency} in flight`,
      });
      return { at, alone, loaded };
    };
    const tiers = await measure(
      "tiers",
      tierHosts.map((h) => h.address),
      tierHosts.map((h) => h.pid),
      parts.length,
      parts,
    );
    const single = await measure("single", [singleHost.address], [singleHost.pid], 1, [all]);
    report({
      label: "merge-overhead.cpu",
      value: tiers.loaded.cpuUs / single.loaded.cpuUs,
      unit: "×",
      note: `CPU per query at ${concurrency} in flight, tiers (ef ${tiers.at.ef}, ${parts.length} segments on ${plan.length} host(s)) over one index (ef ${single.at.ef}), both recall@10 >= ${TARGET} through the same host code`,
    });
    report({
      label: "merge-overhead.cpu-alone",
      value: tiers.alone.cpuUs / single.alone.cpuUs,
      unit: "×",
      note: "the same pair, one query at a time",
    });
    report({
      label: "merge-overhead.p50",
      value: quantile(tiers.alone.latenciesMs, 0.5) / quantile(single.alone.latenciesMs, 0.5),
      unit: "×",
      note: "p50 latency one query at a time, the same pair",
    });
  } finally {
    await Promise.all(paths.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.stop()));
  }

  await photoFigures(report, photos.slice(0, photoCount), version, projection, d);
}

/**
 * CPU per query of searching `members` by their HNSW graphs (at max(ef, k')) one after another in this
 * process, as a host's threads would, without gRPC, threads or merge. (Every bench segment is above
 * the flat threshold this machine measures, so the host walks their graphs too.)
 */
function searchAlone(dir: string, queries: number[][], members: Part[], ef: number, kPrime: number): number {
  const indexes = members.map((p) => {
    const index = new HierarchicalNSW("ip", 128);
    index.readIndexSync(path.join(dir, p.file));
    index.setEf(Math.max(ef, kPrime));
    return index;
  });
  const rounds = Math.max(1, Math.ceil(1_000 / queries.length));
  const before = ownCpu();
  for (let r = 0; r < rounds; r++) for (const q of queries) for (const index of indexes) index.searchKnn(q, kPrime);
  return ((ownCpu() - before) * 1e6) / (rounds * queries.length);
}

/**
 * Exact scans against graph walks by segment size: the first `rows` vectors of a cached segment,
 * HNSW built now (or the cached index), k' neighbours at ef = k'. Returns the largest size at
 * which the scan is no slower (0 if it never is).
 */
async function flatVersusGraph(
  report: Report,
  d: number,
  queries: number[][],
  sizes: { rows: number; from: Part; index?: string }[],
  flatFiles: Map<Part, string>,
  kPrime: number,
): Promise<number> {
  let crossover = 0;
  for (const { rows, from, index } of sizes.filter((s) => s.rows <= s.from.count)) {
    const vectors = new Float32Array((await readFile(flatFiles.get(from) as string)).buffer).subarray(0, rows * d);
    const ids = Array.from({ length: rows }, (_, i) => `r${i}`);
    const flat = flatFrom(vectors, { metric: "ip", dimension: d, ids });
    const graph = new HierarchicalNSW("ip", d);
    if (index) graph.readIndexSync(index);
    else {
      graph.initIndex(rows, DEFAULT_INDEX.m, DEFAULT_INDEX.efConstruction, DEFAULT_INDEX.randomSeed);
      for (let i = 0; i < rows; i++) graph.addPoint(Array.from(vectors.subarray(i * d, (i + 1) * d)), i);
    }
    graph.setEf(kPrime);
    const time = (search: (q: number[]) => unknown) => {
      const rounds = Math.max(1, Math.ceil(2_000 / queries.length));
      const before = ownCpu();
      for (let r = 0; r < rounds; r++) for (const q of queries) search(q);
      return ((ownCpu() - before) * 1e6) / (rounds * queries.length);
    };
    const flatUs = time((q) => flat.search(q, kPrime));
    const graphUs = time((q) => graph.searchKnn(q, kPrime));
    const exact = queries.map((q) => flat.search(q, K).map((h) => Number(h.itemId.slice(1))));
    const approx = queries.map((q) => graph.searchKnn(q, kPrime).neighbors.slice(0, K));
    const r = recall(approx, exact);
    report({
      label: `flat-vs-hnsw.${rows}`,
      value: flatUs / graphUs,
      unit: "×",
      note: `exact scan ${flatUs.toFixed(0)} µs vs HNSW ${graphUs.toFixed(0)} µs per query (k' ${kPrime}, ef ${kPrime}, recall@10 ${r.toFixed(3)} vs 1.0), one thread`,
    });
    if (flatUs <= graphUs) crossover = rows;
  }
  return crossover;
}

/** Find by new photo on real photos, and search by photo end to end through the front and a host. */
async function photoFigures(
  report: Report,
  real: Uint8Array[],
  version: string,
  projection: Projection,
  d: number,
): Promise<void> {
  const photoEmbedder = await CnnEmbedder.load(
    BUILT_EMBEDDER,
    version,
    { threads: 2, executionProvider: "cpu" },
    projection,
  );
  const hosts = new Hosts();
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

    // Search by photo end to end through the front (embedding included), over one host.
    const host = await hosts.start("photos", [
      testSegment(
        "daily",
        "2026-11-19T00:00:00",
        originals.map((vector, i) => ({ id: `photo-${i}`, vector })),
        photoEmbedder.version,
      ),
    ]);
    const registry = new HostRegistry();
    registry.add(host.address);
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
      registry,
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
    }
  } finally {
    await hosts.stopAll();
    await photoEmbedder.close().catch(() => undefined); // the front closes it too; closing twice is harmless
  }
}
