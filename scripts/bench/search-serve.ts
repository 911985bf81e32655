/**
 * Bench suite `search-serve` (issue 13): serving the tiers on this machine.
 *   - recall@10 of the whole query path (coverage plan → gRPC index services → merge) against
 *     exact search over the same vectors, split into monthly, daily and hourly segments; ef swept,
 *     and QPS and p50/p99 latency at the smallest ef that reaches recall@10 >= 0.95;
 *   - one index service's queries per core at that recall: the server's CPU time per query (its
 *     own process, pinned to one core, the client on the other), split into hnswlib's search
 *     (measured in process, no gRPC) and the gRPC service around it;
 *   - the merge overhead: the same vectors in one index against the tiers, each at its own
 *     smallest ef with recall@10 >= 0.95: CPU per query (servers + client) and latency;
 *   - find-by-new-photo on the project's real photos: each indexed, then queried with a cropped,
 *     turned, recoloured, re-encoded copy; hit@1 and hit@10 of the original;
 *   - search by photo end to end through the front's HTTP API (embedding included): p50/p99.
 * Every index service is its own process (`search/bench/index-server.ts`, the real IndexService);
 * the front's Searcher and the load generator run in this process.
 *
 * Where the vectors come from (`search/bench/synthetic.ts`): the project's photos embedded by the
 * CNN and PCA-projected to 128-d are the seeds; each vector is a seed plus Gaussian noise along the
 * PCA axes with the variances PCA measured over the photos (spread 1: not shrunk, so clusters
 * overlap as real embeddings do and recall depends on ef), L2-normalised. Queries are fresh samples
 * from the same distribution. Indexes, vectors' ground truth and build times are cached under
 * `.cache/bench/search-serve/<hash of every parameter and of the seeds>/`; a second run loads them.
 * Options: --vectors N (1000000) --queries N (200) --seeds N (256) --photos N (300) --spread X (1)
 *   --load N (2000: queries per throughput measurement) --concurrency N (16) --workers N (2)
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { toModelInput } from "../../workloads/shared/image-model/preprocess";
import { modelVersion } from "../../workloads/shared/image-model/model-source";
import { DEFAULT_INDEX } from "../../workloads/search/builder/config";
import { processCpuSeconds } from "../../workloads/search/bench/cpu";
import { drive } from "../../workloads/search/bench/drive";
import { exactTopK, recall } from "../../workloads/search/bench/exact";
import type { ServeSpec } from "../../workloads/search/bench/index-server";
import { buildIndexes, cacheKey, writeAtomically, type BuildJob } from "../../workloads/search/bench/segment-cache";
import { startBenchServers, type BenchServer } from "../../workloads/search/bench/servers";
import { quantile, smallestEfAt } from "../../workloads/search/bench/sweep";
import { syntheticVectors } from "../../workloads/search/bench/synthetic";
import { CnnEmbedder } from "../../workloads/search/embedder/cnn-embedder";
import { l2Normalise } from "../../workloads/search/embedder/embedder";
import { BUILT_EMBEDDER } from "../../workloads/search/embedder/paths";
import { fitPca, Projection } from "../../workloads/search/embedder/projection";
import { windowOf, type Tier } from "../../workloads/search/segments/coverage";
import { SegmentRegistry } from "../../workloads/search/front/discovery";
import { environmentFor as frontEnvironment, loadFrontSettings } from "../../workloads/search/front/config";
import { startFront } from "../../workloads/search/front/main";
import { mergeAnswers } from "../../workloads/search/front/merge";
import { SegmentClients } from "../../workloads/search/front/segment-clients";
import { Searcher } from "../../workloads/search/front/searcher";
import type { SearchRequest, SearchResponse } from "../../workloads/search/proto/index";
import { IndexService } from "../../workloads/search/index-service/server";
import { HnswSegment } from "../../workloads/search/index-service/segment";
import { loadPhotos } from "../../workloads/search/local/environment";
import { newPhotoOf } from "../../workloads/search/local/serve";
import { numberOption, type Report } from "./figures";

const silent = pino({ level: "silent" });
const LIMITS = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const NOW = new Date("2026-11-20T12:00:00Z");
const VERSION = "bench";
const K = 10;
const TARGET = 0.95;
const EFS = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];
/** The front's default OVERSAMPLE: each segment is asked for k' = 20. */
const OVERSAMPLE = 2;
const CACHE = path.resolve(__dirname, "..", "..", ".cache", "bench", "search-serve");

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
/** Pins a process to CPUs (`taskset`), so one server's figures are one core's; false where it cannot. */
function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync("taskset", ["-acp", cpus, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** SegmentClients that also add up how long each segment's search held its loop (the services report it). */
class MeteredClients extends SegmentClients {
  searchMicros = 0;
  override async search(address: string, request: SearchRequest, deadlineMs: number): Promise<SearchResponse> {
    const res = await super.search(address, request, deadlineMs);
    this.searchMicros += res.searchMicros;
    return res;
  }
}

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
  const { queries, truth, own } = prepared;
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

  // hnswlib alone, in this process (no gRPC): the largest segment, against exact search over it.
  const hnswlib = new HierarchicalNSW("ip", d);
  hnswlib.readIndexSync(path.join(dir, largest.file));
  const ownIds = own.map((rows) => rows.map((r) => r - largest.from));
  const inProcess: { ef: number; recall: number; usPerQuery: number }[] = [];
  for (const ef of EFS) {
    hnswlib.setEf(ef);
    const found = queries.map((q) => hnswlib.searchKnn(q, K).neighbors);
    const before = ownCpu();
    const rounds = Math.max(1, Math.ceil(load / queries.length));
    for (let r = 0; r < rounds; r++) for (const q of queries) hnswlib.searchKnn(q, K);
    const usPerQuery = ((ownCpu() - before) * 1e6) / (rounds * queries.length);
    inProcess.push({ ef, recall: recall(found, ownIds), usPerQuery });
    report({
      label: `service.hnswlib.ef${ef}`,
      value: recall(found, ownIds),
      note: `recall@10; ${Math.round(1e6 / usPerQuery)} queries per CPU second`,
    });
    if (recall(found, ownIds) >= 0.99) break;
  }
  const serviceAt = smallestEfAt(inProcess, TARGET) ?? inProcess[inProcess.length - 1];

  const spec = (p: { tier: Tier; start: Date; from: number; count: number }, file: string, id: string): ServeSpec => {
    const w = windowOf(p.tier, p.start);
    return {
      indexFile: path.join(dir, file),
      segment: {
        segmentId: id,
        tier: p.tier,
        windowStart: w.start.toISOString(),
        windowEnd: w.end.toISOString(),
        itemCount: p.count,
        dimension: d,
        embeddingVersion: VERSION,
        metric: "ip",
        m: DEFAULT_INDEX.m,
        efConstruction: DEFAULT_INDEX.efConstruction,
      },
      idPrefix: "v",
      idFrom: p.from,
      ef: 64,
      maxEf: 1024,
    };
  };
  const started = Date.now();
  const servers: BenchServer[] = [];
  const clients = new MeteredClients();
  try {
    const all = await startBenchServers([
      ...parts.map((p) => spec(p, p.file, `${p.tier}/${p.start.toISOString()}`)),
      spec({ ...parts[0], from: 0, count: total }, "single.hnsw", "single"),
    ]);
    servers.push(...all);
    const tierServers = all.slice(0, parts.length);
    const singleServer = all[parts.length];
    const largestServer = tierServers[parts.indexOf(largest)];
    report({
      label: "machine.load-average",
      value: os.loadavg()[0],
      note: "1-minute load average before measuring: other work on this machine's cores inflates latencies",
    });
    report({
      label: "servers.start-seconds",
      value: (Date.now() - started) / 1000,
      unit: "s",
      note: `${all.length} index service processes, loading their indexes`,
    });

    // One index service: its CPU per query through gRPC, pinned to one core, the client on the other.
    const pinned = os.cpus().length >= 2 && pin(largestServer.pid, "0") && pin(process.pid, "1");
    const ask = (address: string, q: number[], ef: number) =>
      clients.search(address, { vector: q, embeddingVersion: VERSION, k: K, ef }, 10_000);
    const viaGrpc = await Promise.all(queries.map((q) => ask(largestServer.address, q, serviceAt.ef)));
    const serviceRecall = recall(
      viaGrpc.map((r) => r.hits.map((h) => h.itemId)),
      own.map((rows) => rows.map((r) => `v${r}`)),
    );
    const serverBefore = cpuOf([largestServer.pid]);
    const clientBefore = ownCpu();
    clients.searchMicros = 0;
    const serviceRun = await drive(load, concurrency, async (i) => {
      await ask(largestServer.address, queries[i % queries.length], serviceAt.ef);
    });
    const serverUs = ((cpuOf([largestServer.pid]) - serverBefore) * 1e6) / load;
    const clientUs = ((ownCpu() - clientBefore) * 1e6) / load;
    const heldUs = clients.searchMicros / load;
    if (pinned) {
      pin(process.pid, `0-${os.cpus().length - 1}`);
      pin(largestServer.pid, `0-${os.cpus().length - 1}`);
    }
    const where = `${largest.count} vectors, ef ${serviceAt.ef}, ${concurrency} in flight; ${pinned ? "server pinned to core 0, client to core 1" : "not pinned"}`;
    report({ label: "service.ef", value: serviceAt.ef, note: `smallest ef with recall@10 >= ${TARGET} in process` });
    report({
      label: "service.recall-at-10",
      value: serviceRecall,
      note: "through gRPC, against exact search over the segment",
    });
    report({
      label: "service.qps-per-core",
      value: 1e6 / serverUs,
      unit: "queries/s",
      note: `queries / the server process's CPU seconds (gRPC + search), one process; ${where}`,
    });
    report({
      label: "service.qps",
      value: load / serviceRun.seconds,
      unit: "queries/s",
      note: "wall clock, the same run",
    });
    report({ label: "service.server-us-per-query", value: serverUs, unit: "µs", note: "server CPU, all its threads" });
    report({
      label: "service.search-us-per-query",
      value: heldUs,
      unit: "µs",
      note: "wall time the server reports its loop held by the search: CPU plus any preemption",
    });
    report({
      label: "service.hnswlib.qps-per-core",
      value: 1e6 / serviceAt.usPerQuery,
      unit: "queries/s",
      note: `searchKnn in this process, no gRPC, ef ${serviceAt.ef}, one thread`,
    });
    report({
      label: "service.grpc-us-per-query",
      value: serverUs - serviceAt.usPerQuery,
      unit: "µs",
      note: "server CPU per query minus hnswlib's: what the gRPC service adds",
    });
    report({
      label: "service.client-us-per-query",
      value: clientUs,
      unit: "µs",
      note: "the gRPC client's CPU per query",
    });
    report({
      label: "service.p50",
      value: quantile(serviceRun.latenciesMs, 0.5),
      unit: "ms",
      note: `${concurrency} in flight`,
    });

    // The tiers through the front's Searcher (plan → gRPC → merge) and the single index, ef swept.
    // One Searcher per ef (each registers a listener on discovery), as a front holds one.
    const searchers = new Map<number, Searcher>();
    const searcher = (ef: number) => {
      let found = searchers.get(ef);
      if (found === undefined) {
        const options = { retentionMs: 120 * 86_400_000, oversample: OVERSAMPLE, deadlineMs: 10_000, ef };
        found = new Searcher(registry, clients, () => undefined, options, silent);
        searchers.set(ef, found);
      }
      return found;
    };
    const registry = new SegmentRegistry();
    parts.forEach((p, n) =>
      registry.add({
        id: `${p.tier}/${p.start.toISOString()}`,
        tier: p.tier,
        start: p.start,
        embeddingVersion: VERSION,
        address: tierServers[n].address,
      }),
    );
    const truthIds = truth.map((rows) => rows.map((r) => `v${r}`));
    const tiersPath = async (ef: number, q: number[]) => {
      const res = await searcher(ef).search(new Map([[VERSION, q]]), K, NOW);
      if (res.partial || res.segments !== parts.length)
        throw new Error(`tiers: ${res.segments} segments, partial ${res.partial}`);
      return res.hits.map((h) => h.itemId);
    };
    const singlePath = async (ef: number, q: number[]) =>
      (await ask(singleServer.address, q, ef)).hits.map((h) => h.itemId);

    const measure = async (
      name: "tiers" | "single",
      search: (ef: number, q: number[]) => Promise<string[]>,
      pids: number[],
    ) => {
      const points: { ef: number; recall: number; latenciesMs: number[] }[] = [];
      for (const ef of EFS) {
        const found: string[][] = [];
        const { latenciesMs } = await drive(queries.length, 1, async (i) => {
          found[i] = await search(ef, queries[i]);
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
      const serversBefore = cpuOf(pids);
      const frontBefore = ownCpu();
      clients.searchMicros = 0;
      const loaded = await drive(load, concurrency, async (i) => {
        await search(at.ef, queries[i % queries.length]);
      });
      const serversUs = ((cpuOf(pids) - serversBefore) * 1e6) / load;
      const frontUs = ((ownCpu() - frontBefore) * 1e6) / load;
      const cpuUs = serversUs + frontUs;
      const note = `ef ${at.ef}`;
      report({
        label: `${name}.ef`,
        value: at.ef,
        note:
          `smallest swept ef with recall@10 >= ${TARGET}` +
          (name === "tiers" ? `; hnswlib searches at max(ef, k') = ${Math.max(at.ef, K * OVERSAMPLE)}` : ""),
      });
      report({ label: `${name}.recall-at-10`, value: at.recall, note });
      report({
        label: `${name}.p50`,
        value: quantile(at.latenciesMs, 0.5),
        unit: "ms",
        note: `${note}, one query at a time`,
      });
      report({
        label: `${name}.p99`,
        value: quantile(at.latenciesMs, 0.99),
        unit: "ms",
        note: `${note}, one query at a time`,
      });
      report({
        label: `${name}.qps`,
        value: load / loaded.seconds,
        unit: "queries/s",
        note: `${note}, ${concurrency} in flight; every process on this machine's ${os.cpus().length} cores`,
      });
      report({
        label: `${name}.loaded-p99`,
        value: quantile(loaded.latenciesMs, 0.99),
        unit: "ms",
        note: `${concurrency} in flight`,
      });
      report({
        label: `${name}.cpu-us-per-query`,
        value: cpuUs,
        unit: "µs",
        note: `CPU of ${pids.length} index service process(es) and the client/front, per query`,
      });
      report({ label: `${name}.servers-us-per-query`, value: serversUs, unit: "µs", note: "of which index services" });
      report({
        label: `${name}.client-us-per-query`,
        value: frontUs,
        unit: "µs",
        note: name === "tiers" ? "of which the front: plan, gRPC clients, merge" : "of which the gRPC client",
      });
      report({
        label: `${name}.search-us-per-query`,
        value: clients.searchMicros / load,
        unit: "µs",
        note: "wall time the services report their loops held by searches, summed over the segments asked (CPU plus preemption: with more processes than cores it exceeds their CPU)",
      });
      return { ...at, cpuUs };
    };
    const tiers = await measure(
      "tiers",
      tiersPath,
      tierServers.map((s) => s.pid),
    );
    // The merge alone: the segments' answers to every query, merged again and again in this process.
    const answers = await Promise.all(
      queries.map((q) =>
        Promise.all(
          parts.map(async (p, n) => ({
            segmentId: p.file,
            horizon: windowOf(p.tier, p.start).end,
            hits: (
              await clients.search(
                tierServers[n].address,
                { vector: q, embeddingVersion: VERSION, k: K * OVERSAMPLE, ef: tiers.ef },
                10_000,
              )
            ).hits,
          })),
        ),
      ),
    );
    const mergeRounds = Math.max(1, Math.ceil(load / queries.length));
    const mergeBefore = ownCpu();
    for (let r = 0; r < mergeRounds; r++) for (const a of answers) mergeAnswers(a, K, () => undefined);
    report({
      label: "tiers.merge-us-per-query",
      value: ((ownCpu() - mergeBefore) * 1e6) / (mergeRounds * answers.length),
      unit: "µs",
      note: `mergeAnswers over ${parts.length} answers of ${K * OVERSAMPLE} hits, in process`,
    });
    const single = await measure("single", singlePath, [singleServer.pid]);
    report({
      label: "merge-overhead",
      value: tiers.cpuUs / single.cpuUs,
      unit: "×",
      note: `CPU per query, tiers (ef ${tiers.ef}, ${parts.length} segments, k'=${K * OVERSAMPLE}) over one index (ef ${single.ef}), both recall@10 >= ${TARGET} through gRPC`,
    });
    report({
      label: "merge-overhead.latency-p50",
      value: quantile(tiers.latenciesMs, 0.5) / quantile(single.latenciesMs, 0.5),
      unit: "×",
      note: "p50 latency one query at a time, the same pair",
    });
  } finally {
    clients.close();
    await Promise.all(servers.map((s) => s.stop()));
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
