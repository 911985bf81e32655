/**
 * Test support for the front: real index services on loopback (one per segment, an hnswlib index
 * each), a deliberately slow server speaking the same protocol, and seeded random unit vectors.
 */
import * as grpc from "@grpc/grpc-js";
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { segmentIndexProto } from "../proto/index";
import { IndexService } from "../index-service/server";
import { HnswSegment } from "../index-service/segment";
import { windowOf, type Tier } from "../segments/coverage";
import type { DiscoveredSegment } from "./discovery";

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

/** Real index services on loopback, one per segment; stopped after each test. */
export class Segments {
  private services: IndexService[] = [];
  private servers: grpc.Server[] = [];

  async start(
    tier: Tier,
    startIso: string,
    items: Item[],
    version = V1,
    tombstones: { itemId: string; at: string; kind: string }[] = [],
  ): Promise<DiscoveredSegment> {
    const index = new HierarchicalNSW("ip", DIM);
    index.initIndex(Math.max(1, items.length), 16, 200, 100);
    items.forEach((item, label) => index.addPoint(item.vector, label));
    const start = new Date(`${startIso}Z`);
    const id = `${tier}/${startIso}/${version}`;
    const service = new IndexService({ ef: 100, maxEf: 400, maxK: 200, drainTimeoutMs: 500 }, silent);
    const port = await service.listen("127.0.0.1", 0);
    service.serve(
      new HnswSegment(
        {
          segmentId: id,
          tier,
          windowStart: start,
          windowEnd: windowOf(tier, start).end,
          itemCount: items.length,
          dimension: DIM,
          embeddingVersion: version,
          metric: "ip",
          m: 16,
          efConstruction: 200,
        },
        index,
        items.map((i) => i.id),
        tombstones,
      ),
    );
    this.services.push(service);
    return { id, tier, start, embeddingVersion: version, address: `127.0.0.1:${port}` };
  }

  /** A server speaking the protocol that answers after `delayMs`: a segment under load. */
  async slow(tier: Tier, startIso: string, delayMs: number): Promise<DiscoveredSegment> {
    const server = new grpc.Server();
    server.addService(segmentIndexProto().service, {
      search: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        setTimeout(
          () => done(null, { hits: [{ itemId: "late", distance: 0 }], segmentId: "slow", searchMicros: 1 }),
          delayMs,
        ),
      info: (_call: unknown, done: grpc.sendUnaryData<unknown>) => done(null, {}),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    this.servers.push(server);
    return {
      id: `${tier}/${startIso}/${V1}`,
      tier,
      start: new Date(`${startIso}Z`),
      embeddingVersion: V1,
      address: `127.0.0.1:${port}`,
    };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.services.map((s) => s.drain()));
    for (const s of this.servers) s.forceShutdown();
    this.services = [];
    this.servers = [];
  }
}

export const items = (prefix: string, n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, vector: randomVector() }));
