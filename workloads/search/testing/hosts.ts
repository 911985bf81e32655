/**
 * Test support (not shipped): real shard hosts on loopback, in this process, serving segments
 * made from in-memory items (an HNSW index or an exact scan each, written to a temporary
 * directory as a build would), a deliberately slow host speaking the same protocol, and seeded
 * random unit vectors.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { loadShardHostSettings, environmentFor } from "../host/config";
import type { FetchedSegment } from "../host/fetch-segment";
import { startShardHost, type RunningShardHost } from "../host/main";
import { shardHostProto } from "../proto/index";
import { encodeAssignment, searchKindOf } from "../segments/assignment";
import { segmentId, type PublishedSegment } from "../segments/segment";
import { windowOf, type Tier } from "../segments/windows";

export const silent = pino({ level: "silent" });
export const DIM = 8;
export const V1 = "cnn@1";
export const V2 = "cnn@2";
export const NOW = new Date("2026-11-02T12:30:00Z");

let seed = 1;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
export const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
export const randomVector = () => unit(Array.from({ length: DIM }, rand));
export const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

export interface Item {
  id: string;
  vector: number[];
}

export interface TestSegment {
  segment: PublishedSegment;
  items: Item[];
  tombstones: { itemId: string; at: string; kind: string }[];
}

/** A segment of `items` for `tier` starting at `startIso` (a window start, UTC, no zone). */
export function testSegment(
  tier: Tier,
  startIso: string,
  items: Item[],
  version = V1,
  tombstones: TestSegment["tombstones"] = [],
  buildId = "b1",
): TestSegment {
  const start = new Date(`${startIso}Z`);
  const window = windowOf(tier, start);
  return {
    segment: {
      tier,
      window: window.name,
      start: window.start,
      embeddingVersion: version,
      buildId,
      manifestKey: `segments/${tier}/${window.name}/${buildId}/manifest.json`,
      manifestVersionId: null,
      manifestSha256: "0".repeat(64),
      itemCount: items.length,
      dimension: items[0]?.vector.length ?? DIM,
      m: 16,
    },
    items,
    tombstones,
  };
}

export interface TestHost {
  name: string;
  address: string;
  running: RunningShardHost;
  /** Serves exactly these segments from now on (retired ones keep answering for the grace period). */
  assign(segments: TestSegment[]): Promise<void>;
  /** How many times each segment was fetched (loads). */
  fetches: Map<string, number>;
}

/** Real shard hosts on loopback, stopped by `stopAll`. */
export class Hosts {
  private readonly hosts: TestHost[] = [];
  private readonly servers: grpc.Server[] = [];
  private readonly dirs: string[] = [];

  /**
   * A host serving `segments`. `flatMaxItems` decides flat vs HNSW per segment as in production;
   * `retireGraceMs` is how long a retired segment keeps answering.
   */
  async start(
    name: string,
    segments: TestSegment[],
    options: { flatMaxItems?: number; retireGraceMs?: number; searchThreads?: number; maxBatch?: number } = {},
  ): Promise<TestHost> {
    const dir = await mkdtemp(path.join(tmpdir(), `shard-host-${name}-`));
    this.dirs.push(dir);
    const flatMaxItems = options.flatMaxItems ?? 0;
    const known = new Map<string, TestSegment>();
    const fetches = new Map<string, number>();
    const remember = (list: TestSegment[]) =>
      list.forEach((s) => known.set(`${segmentId(s.segment)}@${s.segment.buildId}`, s));
    remember(segments);
    const assignmentFile = path.join(dir, "segments.json");
    const document = (list: TestSegment[]) =>
      encodeAssignment({ host: name, flatMaxItems, segments: list.map((s) => s.segment) });
    await writeFile(assignmentFile, document(segments));
    const source = async (segment: PublishedSegment, into: string): Promise<FetchedSegment> => {
      const key = `${segmentId(segment)}@${segment.buildId}`;
      const spec = known.get(key);
      if (spec === undefined) throw new Error(`test host ${name}: no segment ${key}`);
      fetches.set(key, (fetches.get(key) ?? 0) + 1);
      return writeSegmentFiles(spec, into, flatMaxItems);
    };
    const settings = loadShardHostSettings(
      environmentFor({
        assetBucket: "unused-in-tests",
        assignmentFile,
        pollSeconds: 3600,
        host: "127.0.0.1",
        grpcPort: 0,
        opsPort: 0,
        searchThreads: options.searchThreads ?? 2,
        ef: 100,
        maxEf: 400,
        maxK: 200,
        maxBatch: options.maxBatch ?? 256,
        segmentDir: path.join(dir, "segments"),
        retireGraceSeconds: 0,
        drainTimeoutSeconds: 1,
      }),
    );
    const running = await startShardHost(
      // Sub-second grace for tests: the setting is whole seconds.
      settings,
      silent,
      {},
      source,
      options.retireGraceMs,
    );
    await running.ready;
    const host: TestHost = {
      name,
      address: `127.0.0.1:${running.port}`,
      running,
      fetches,
      assign: async (list) => {
        remember(list);
        await running.assign({ host: name, flatMaxItems, segments: list.map((s) => s.segment) });
      },
    };
    this.hosts.push(host);
    return host;
  }

  /** A host speaking the protocol that serves one segment and answers searches after `delayMs`: a host under load. */
  async slow(tier: Tier, startIso: string, delayMs: number): Promise<string> {
    const server = new grpc.Server();
    const start = new Date(`${startIso}Z`);
    const window = windowOf(tier, start);
    server.addService(shardHostProto().service, {
      search: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        setTimeout(
          () => done(null, { results: [{ hits: [{ itemId: "late", distance: 0, segment: 0 }] }], missing: [] }),
          delayMs,
        ),
      info: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        done(null, {
          host: "slow",
          generation: 1,
          segments: [
            {
              segmentId: segmentId({ tier, window: window.name, embeddingVersion: V1 }),
              tier,
              window: window.name,
              windowStart: window.start.toISOString(),
              windowEnd: window.end.toISOString(),
              itemCount: 1,
              dimension: DIM,
              embeddingVersion: V1,
              metric: "ip",
              search: "flat",
            },
          ],
        }),
      tombstones: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, { segments: [] }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.servers.push(server);
    return `127.0.0.1:${port}`;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.running.stop()));
    for (const s of this.servers) s.forceShutdown();
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
    this.hosts.length = 0;
    this.servers.length = 0;
    this.dirs.length = 0;
  }
}

/** Writes a test segment's files as a build would: an HNSW index, or the raw vectors for an exact scan. */
export async function writeSegmentFiles(spec: TestSegment, dir: string, flatMaxItems: number): Promise<FetchedSegment> {
  await mkdir(dir, { recursive: true });
  const dimension = spec.segment.dimension;
  const kind = searchKindOf(spec.items.length, flatMaxItems);
  const ids = spec.items.map((i) => i.id);
  let file: string;
  if (kind === "hnsw") {
    const index = new HierarchicalNSW("ip", dimension);
    index.initIndex(Math.max(1, spec.items.length), 16, 200, 100);
    spec.items.forEach((item, label) => index.addPoint(item.vector, label));
    file = path.join(dir, "index.hnsw");
    index.writeIndexSync(file);
  } else {
    const rows = new Float32Array(spec.items.length * dimension);
    spec.items.forEach((item, i) => rows.set(item.vector, i * dimension));
    file = path.join(dir, "vectors.f32");
    await writeFile(file, new Uint8Array(rows.buffer));
  }
  return {
    files: { kind, metric: "ip", dimension, ids, path: file },
    tombstones: spec.tombstones,
    efConstruction: 200,
  };
}

export const items = (prefix: string, n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, vector: randomVector() }));
