/**
 * The shard host's gRPC service (`proto/shard-host.proto`). It answers NOT_SERVING on
 * grpc.health.v1 until its first assignment is applied and from the first moment of a drain, so
 * the front and Kubernetes stop sending it queries before it goes. A Search names segments and
 * carries a batch of queries; the search threads search every named segment the host serves,
 * merge locally, and the answer holds one top k per query. Segments it does not serve are listed
 * as missing (the front answers partial), never silently dropped.
 */
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "../../shared/log";
import {
  SERVICE_NAME,
  shardHostProto,
  unpackVectors,
  type HostInfo,
  type SearchRequest,
  type SearchResponse,
  type TombstonesResponse,
  type VectorResponse,
} from "../proto/index";
import type { HostMetrics } from "./metrics";
import type { SearchThreads } from "./search-threads";
import type { ServedEntry, Shard } from "./shard";

export interface ShardHostOptions {
  /** The host's name (its assignment's), reported by Info. */
  name: string;
  /** ef used when a request leaves it 0. */
  ef: number;
  maxEf: number;
  maxK: number;
  maxBatch: number;
  /** How long a drain lets calls under way finish before closing them, ms. */
  drainTimeoutMs: number;
}

export class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export class ShardHostServer {
  private readonly server = new grpc.Server({
    // Clients re-resolve and spread over new replicas when connections age out (grpc-node#2455).
    "grpc.max_connection_age_ms": 5 * 60_000,
    "grpc.max_connection_age_grace_ms": 30_000,
  });
  private readonly health = new HealthImplementation({ "": "NOT_SERVING", [SERVICE_NAME]: "NOT_SERVING" });
  private draining = false;

  constructor(
    private readonly options: ShardHostOptions,
    private readonly shard: Shard,
    private readonly threads: SearchThreads,
    private readonly metrics: HostMetrics,
    private readonly log: Logger,
  ) {
    if (options.ef < 1 || options.ef > options.maxEf)
      throw new Error(`ef ${options.ef}: expected 1..maxEf (${options.maxEf})`);
    this.health.addToServer(this.server);
    this.server.addService(shardHostProto().service, {
      search: (call: grpc.ServerUnaryCall<SearchRequest, SearchResponse>, done: grpc.sendUnaryData<SearchResponse>) =>
        void this.unary("Search", done, () => this.search(call.request)),
      searchStream: (call: grpc.ServerDuplexStream<SearchRequest, SearchResponse>) => this.stream(call),
      info: (_call: grpc.ServerUnaryCall<object, HostInfo>, done: grpc.sendUnaryData<HostInfo>) =>
        void this.unary("Info", done, async () => this.info()),
      vector: (
        call: grpc.ServerUnaryCall<{ itemId: string; segmentIds: string[] }, VectorResponse>,
        done: grpc.sendUnaryData<VectorResponse>,
      ) => void this.unary("Vector", done, () => this.vector(call.request.itemId, call.request.segmentIds)),
      tombstones: (
        call: grpc.ServerUnaryCall<{ segmentIds: string[] }, TombstonesResponse>,
        done: grpc.sendUnaryData<TombstonesResponse>,
      ) => void this.unary("Tombstones", done, async () => this.tombstones(call.request.segmentIds)),
    });
  }

  /** Listens on host:port (0: any free port) and returns the port; health stays NOT_SERVING until `markReady`. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
  }

  markReady(): void {
    if (this.draining) return;
    this.health.setStatus("", "SERVING");
    this.health.setStatus(SERVICE_NAME, "SERVING");
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** NOT_SERVING at once, then lets calls under way finish for up to drainTimeoutMs, then closes. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus(SERVICE_NAME, "NOT_SERVING");
    this.log.info({ timeoutMs: this.options.drainTimeoutMs }, "draining");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, this.options.drainTimeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async unary<T>(method: string, done: grpc.sendUnaryData<T>, work: () => Promise<T>): Promise<void> {
    const end = this.metrics.latency.startTimer({ method });
    try {
      const answer = await work();
      this.metrics.requests.inc({ method, code: "OK" });
      done(null, answer);
    } catch (err) {
      const { code, details } = this.failure(err);
      this.metrics.requests.inc({ method, code: grpc.status[code] });
      done({ code, details });
    } finally {
      end();
    }
  }

  private stream(call: grpc.ServerDuplexStream<SearchRequest, SearchResponse>): void {
    // Answers go out in request order: each waits for the one before it.
    let last: Promise<void> = Promise.resolve();
    call.on("data", (request: SearchRequest) => {
      const answer = this.search(request);
      last = last.then(async () => {
        const end = this.metrics.latency.startTimer({ method: "SearchStream" });
        try {
          call.write(await answer);
          this.metrics.requests.inc({ method: "SearchStream", code: "OK" });
        } catch (err) {
          const { code, details } = this.failure(err);
          this.metrics.requests.inc({ method: "SearchStream", code: grpc.status[code] });
          call.destroy(Object.assign(new Error(details), { code, details }));
        } finally {
          end();
        }
      });
    });
    call.on("end", () => void last.then(() => call.end()));
  }

  private failure(err: unknown): { code: grpc.status; details: string } {
    if (err instanceof CallError) return { code: err.code, details: err.message };
    this.log.error({ err: (err as Error).message }, "call failed");
    return { code: grpc.status.INTERNAL, details: (err as Error).message };
  }

  private checkServing(): void {
    if (this.draining) throw new CallError(grpc.status.UNAVAILABLE, `host ${this.options.name} is draining`);
    if (!this.shard.ready) throw new CallError(grpc.status.UNAVAILABLE, `host ${this.options.name} is not ready yet`);
  }

  private async search(request: SearchRequest): Promise<SearchResponse> {
    this.checkServing();
    const { segmentIds, embeddingVersion, dimension, k } = request;
    const bad = (message: string) => new CallError(grpc.status.INVALID_ARGUMENT, message);
    if (segmentIds.length === 0) throw bad("segment_ids: name at least one segment");
    if (k < 1 || k > this.options.maxK) throw bad(`k ${k}: expected 1..${this.options.maxK}`);
    const ef = request.ef === 0 ? this.options.ef : request.ef;
    if (ef > this.options.maxEf) throw bad(`ef ${ef}: expected at most ${this.options.maxEf}`);
    let vectors: Float32Array;
    try {
      vectors = unpackVectors(request.vectors, dimension);
    } catch (err) {
      throw bad((err as Error).message);
    }
    const n = vectors.length / dimension;
    if (n > this.options.maxBatch) throw bad(`batch of ${n} queries: at most ${this.options.maxBatch}`);
    if (!vectors.every(Number.isFinite)) throw bad("vectors: a value is not a finite number");

    const missing: { segmentId: string; reason: string }[] = [];
    const routed: { index: number; entry: ServedEntry }[] = [];
    segmentIds.forEach((id, index) => {
      const entry = this.shard.route(id);
      if (entry === undefined) missing.push({ segmentId: id, reason: `host ${this.options.name} does not serve it` });
      else routed.push({ index, entry });
    });
    for (const { entry } of routed) {
      const s = entry.segment;
      if (s.embeddingVersion !== embeddingVersion || s.dimension !== dimension) {
        throw bad(
          `queries have dimension ${dimension} and embedding version "${embeddingVersion}"; ` +
            `segment ${entry.id} holds dimension ${s.dimension}, embedding version "${s.embeddingVersion}"`,
        );
      }
    }
    this.metrics.queries.inc(n);
    this.metrics.batch.observe(n);
    this.metrics.missing.inc(missing.length);
    const found = await this.threads.search(
      routed.map((r) => r.entry.key),
      routed.map((r) => r.entry.horizonMs),
      vectors,
      dimension,
      k,
      ef,
    );
    for (const m of found.missing) {
      missing.push({ segmentId: segmentIds[routed[m].index], reason: `host ${this.options.name} closed it` });
    }
    return {
      results: found.results.map((hits) => ({
        hits: hits.map((h) => ({ itemId: h.itemId, distance: h.distance, segment: routed[h.segment].index })),
      })),
      missing,
      searchMicros: found.micros,
      tag: request.tag,
    };
  }

  private info(): HostInfo {
    this.checkServing();
    return {
      host: this.options.name,
      generation: this.shard.generation,
      segments: this.shard.served().map((e) => ({
        segmentId: e.id,
        tier: e.segment.tier,
        window: e.segment.window,
        windowStart: e.windowStart.toISOString(),
        windowEnd: e.windowEnd.toISOString(),
        itemCount: e.segment.itemCount,
        dimension: e.segment.dimension,
        embeddingVersion: e.segment.embeddingVersion,
        metric: e.metric,
        search: e.kind,
        m: e.segment.m,
        efConstruction: e.efConstruction,
        buildId: e.segment.buildId,
      })),
      ef: this.options.ef,
      maxEf: this.options.maxEf,
      maxK: this.options.maxK,
      maxBatch: this.options.maxBatch,
      searchThreads: this.threads.size,
    };
  }

  private async vector(itemId: string, segmentIds: string[]): Promise<VectorResponse> {
    this.checkServing();
    const entries = (segmentIds.length > 0 ? segmentIds.map((id) => this.shard.route(id)) : this.shard.served()).filter(
      (e): e is ServedEntry => e !== undefined,
    );
    const found = await this.threads.vectorOf(
      entries.map((e) => e.key),
      itemId,
    );
    const idOf = new Map(entries.map((e) => [e.key, e.id]));
    return { found: found.map((f) => ({ segmentId: idOf.get(f.key) as string, vector: f.vector })) };
  }

  private tombstones(segmentIds: string[]): TombstonesResponse {
    this.checkServing();
    const entries = segmentIds.length > 0 ? segmentIds.map((id) => this.shard.route(id)) : this.shard.served();
    return {
      segments: entries
        .filter((e): e is ServedEntry => e !== undefined)
        .map((e) => ({ segmentId: e.id, tombstones: e.tombstones })),
    };
  }
}
