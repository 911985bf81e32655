/**
 * The index service: one process serves one segment over gRPC (`proto/index.proto`). It answers
 * NOT_SERVING on grpc.health.v1 until its segment is loaded and verified, and again from the
 * moment it starts draining, so the front and Kubernetes stop sending it queries before it goes.
 *
 * hnswlib's search is synchronous on the event loop, so ef is bounded (`maxEf`): a query cannot
 * hold the loop, and with it health checks and other queries' deadlines, for longer than a search
 * at maxEf takes (measured by `npm run bench -- --only search-serve`). Every answer reports how
 * long its search held the loop.
 */
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "../../shared/log";
import {
  SERVICE_NAME,
  segmentIndexProto,
  type SearchRequest,
  type SearchResponse,
  type SegmentInfo,
  type VectorResponse,
} from "../proto/index";
import type { LoadedSegment } from "./segment";

export interface IndexServiceOptions {
  /** ef used when a request leaves it 0; hnswlib does not save ef with an index. */
  ef: number;
  /** The largest ef a request may ask for: the bound on how long one search holds the event loop. */
  maxEf: number;
  /** The largest k a request may ask for. */
  maxK: number;
  /** How long a drain lets calls under way finish before closing them, ms. */
  drainTimeoutMs: number;
}

export class IndexService {
  private readonly server = new grpc.Server({
    // Clients re-resolve and spread over new replicas when connections age out (grpc-node#2455).
    "grpc.max_connection_age_ms": 5 * 60_000,
    "grpc.max_connection_age_grace_ms": 30_000,
  });
  private readonly health = new HealthImplementation({ "": "NOT_SERVING", [SERVICE_NAME]: "NOT_SERVING" });
  private segment: LoadedSegment | undefined;
  private draining = false;

  constructor(
    private readonly options: IndexServiceOptions,
    private readonly log: Logger,
  ) {
    if (options.ef < 1 || options.ef > options.maxEf) {
      throw new Error(`ef ${options.ef}: expected 1..maxEf (${options.maxEf})`);
    }
    this.health.addToServer(this.server);
    this.server.addService(segmentIndexProto().service, {
      search: (call: grpc.ServerUnaryCall<SearchRequest, SearchResponse>, done: grpc.sendUnaryData<SearchResponse>) =>
        this.answer(done, () => this.search(call.request)),
      info: (_call: grpc.ServerUnaryCall<object, SegmentInfo>, done: grpc.sendUnaryData<SegmentInfo>) =>
        this.answer(done, () => this.info()),
      tombstones: (_call: grpc.ServerUnaryCall<object, object>, done: grpc.sendUnaryData<object>) =>
        this.answer(done, () => ({ tombstones: this.ready().tombstones })),
      vector: (
        call: grpc.ServerUnaryCall<{ itemId: string }, VectorResponse>,
        done: grpc.sendUnaryData<VectorResponse>,
      ) =>
        this.answer(done, () => {
          const segment = this.ready();
          const vector = segment.vectorOf(call.request.itemId);
          return { found: vector !== undefined, vector: vector ?? [], embeddingVersion: segment.info.embeddingVersion };
        }),
    });
  }

  /** Listens on host:port (0: any free port) and returns the port; health stays NOT_SERVING until `serve`. */
  async listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
  }

  /** Starts answering with a loaded, verified segment. */
  serve(segment: LoadedSegment): void {
    if (this.draining) throw new Error("the index service is draining; it serves no new segment");
    this.segment = segment;
    this.setHealth("SERVING");
    this.log.info({ segment: segment.info.segmentId, items: segment.info.itemCount }, "serving");
  }

  /** NOT_SERVING at once, then lets calls under way finish for up to drainTimeoutMs, then closes. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.setHealth("NOT_SERVING");
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

  private setHealth(status: "SERVING" | "NOT_SERVING"): void {
    this.health.setStatus("", status);
    this.health.setStatus(SERVICE_NAME, status);
  }

  private answer<T>(done: grpc.sendUnaryData<T>, work: () => T): void {
    try {
      done(null, work());
    } catch (err) {
      if (err instanceof CallError) done({ code: err.code, details: err.message });
      else {
        this.log.error({ err }, "search failed");
        done({ code: grpc.status.INTERNAL, details: (err as Error).message });
      }
    }
  }

  private ready(): LoadedSegment {
    if (this.draining) throw new CallError(grpc.status.UNAVAILABLE, "the index service is draining");
    if (this.segment === undefined) throw new CallError(grpc.status.UNAVAILABLE, "the segment is not loaded yet");
    return this.segment;
  }

  private search(request: SearchRequest): SearchResponse {
    const segment = this.ready();
    const { dimension, embeddingVersion, segmentId, itemCount } = segment.info;
    if (request.vector.length !== dimension || request.embeddingVersion !== embeddingVersion) {
      throw new CallError(
        grpc.status.INVALID_ARGUMENT,
        `query vector has dimension ${request.vector.length} and embedding version "${request.embeddingVersion}"; ` +
          `segment ${segmentId} holds dimension ${dimension}, embedding version "${embeddingVersion}"`,
      );
    }
    if (!request.vector.every(Number.isFinite)) {
      throw new CallError(grpc.status.INVALID_ARGUMENT, "query vector holds a value that is not a finite number");
    }
    if (request.k < 1 || request.k > this.options.maxK) {
      throw new CallError(grpc.status.INVALID_ARGUMENT, `k ${request.k}: expected 1..${this.options.maxK}`);
    }
    const ef = request.ef === 0 ? this.options.ef : request.ef;
    if (ef > this.options.maxEf) {
      throw new CallError(grpc.status.INVALID_ARGUMENT, `ef ${ef}: expected at most ${this.options.maxEf}`);
    }
    const started = process.hrtime.bigint();
    // hnswlib throws when asked for more neighbours than the index holds.
    const hits = itemCount === 0 ? [] : segment.search(request.vector, Math.min(request.k, itemCount), ef);
    const searchMicros = Number((process.hrtime.bigint() - started) / 1000n);
    return { hits, segmentId, searchMicros };
  }

  private info(): SegmentInfo {
    const { info } = this.ready();
    return {
      segmentId: info.segmentId,
      tier: info.tier,
      windowStart: info.windowStart.toISOString(),
      windowEnd: info.windowEnd.toISOString(),
      itemCount: info.itemCount,
      dimension: info.dimension,
      embeddingVersion: info.embeddingVersion,
      metric: info.metric,
      m: info.m,
      efConstruction: info.efConstruction,
      ef: this.options.ef,
      maxEf: this.options.maxEf,
    };
  }
}

class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}
