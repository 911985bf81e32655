/**
 * Batches concurrent queries bound for the same shard host and the same segments into one
 * Search call: the per-call cost of gRPC and HTTP/2 (about 0.3 ms of CPU each side) is paid once
 * per batch, not once per query. A batch leaves when it is full or when the batch window ends;
 * a window of 0 still gathers what arrives in the same turn of the event loop, so a query alone
 * waits for nothing.
 */
import { packVectors, type MissingSegment, type WireHit } from "../proto/index";
import type { HostClients } from "./host-clients";

export interface HostQuery {
  segmentIds: string[];
  embeddingVersion: string;
  vector: readonly number[];
  k: number;
  ef: number;
}

export interface HostAnswer {
  hits: WireHit[];
  missing: MissingSegment[];
  /** Host search-thread time for this query's batch, divided among its queries, µs. */
  searchMicros: number;
}

export interface BatcherOptions {
  /** How long a batch waits for more queries, ms (0: the current event-loop turn only). */
  windowMs: number;
  /** The most queries in one call (at most the host's max batch). */
  maxBatch: number;
  /** Per-call deadline, ms. */
  deadlineMs: number;
}

interface Waiting {
  query: HostQuery;
  resolve(answer: HostAnswer): void;
  reject(err: Error): void;
}

interface Batch {
  address: string;
  waiting: Waiting[];
  /** Cancels the batch window's timer. */
  clear(): void;
}

export class Batcher {
  private readonly open = new Map<string, Batch>();
  /** Calls made and queries sent, for the front's metrics and the bench. */
  calls = 0;
  queries = 0;

  constructor(
    private readonly clients: HostClients,
    private readonly options: BatcherOptions,
  ) {}

  search(address: string, query: HostQuery): Promise<HostAnswer> {
    const key = [address, query.embeddingVersion, query.k, query.ef, query.vector.length, ...query.segmentIds].join(
      "\0",
    );
    return new Promise((resolve, reject) => {
      let batch = this.open.get(key);
      if (batch === undefined) {
        const fire = () => this.send(key);
        const clear =
          this.options.windowMs > 0
            ? (
                (t: NodeJS.Timeout) => () =>
                  clearTimeout(t)
              )(setTimeout(fire, this.options.windowMs))
            : (
                (t: NodeJS.Immediate) => () =>
                  clearImmediate(t)
              )(setImmediate(fire));
        batch = { address, waiting: [], clear };
        this.open.set(key, batch);
      }
      batch.waiting.push({ query, resolve, reject });
      if (batch.waiting.length >= this.options.maxBatch) this.send(key);
    });
  }

  private send(key: string): void {
    const batch = this.open.get(key);
    if (batch === undefined) return;
    this.open.delete(key);
    batch.clear();
    const first = batch.waiting[0].query;
    this.calls++;
    this.queries += batch.waiting.length;
    this.clients
      .search(
        batch.address,
        {
          segmentIds: first.segmentIds,
          embeddingVersion: first.embeddingVersion,
          dimension: first.vector.length,
          vectors: packVectors(
            batch.waiting.map((w) => w.query.vector),
            first.vector.length,
          ),
          k: first.k,
          ef: first.ef,
          tag: 0,
        },
        this.options.deadlineMs,
      )
      .then(
        (res) => {
          const share = res.searchMicros / batch.waiting.length;
          batch.waiting.forEach((w, i) =>
            w.resolve({ hits: res.results[i]?.hits ?? [], missing: res.missing, searchMicros: share }),
          );
        },
        (err: Error) => batch.waiting.forEach((w) => w.reject(err)),
      );
  }
}
