/**
 * The search threads of a shard host, one per core by default. Each segment is opened on one
 * thread (the one holding the fewest vectors), so its memory lives where it is searched; a batch
 * goes to every thread that holds one of its segments, the threads search in parallel and merge
 * locally, and the main thread merges their answers once more.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { mergeLocal, type ScoredHit } from "./merge";
import type { SegmentFiles } from "./searchable";
import type { ThreadReply, ThreadRequest } from "./thread-protocol";

// Bundled, the thread is a sibling .js file; under tsx it is the .ts source.
const THREAD_FILE = path.join(__dirname, `search-thread${path.extname(__filename)}`);

type Pending = (reply: ThreadReply) => void;
type Request = ThreadRequest extends infer R ? (R extends { seq: number } ? Omit<R, "seq"> : never) : never;

class SearchThread {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;
  vectors = 0;

  constructor(readonly worker: Worker) {
    worker.on("message", (reply: ThreadReply) => {
      const done = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      done?.(reply);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const done of this.pending.values()) done({ seq: -1, error: err.message });
      this.pending.clear();
    };
    worker.on("error", (err) => fail(new Error(`search thread crashed: ${err.message}`)));
    worker.on("exit", (code) => fail(new Error(`search thread exited with code ${code}`)));
  }

  call(request: Request): Promise<ThreadReply> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, (reply) => ("error" in reply ? reject(new Error(reply.error)) : resolve(reply)));
      this.worker.postMessage({ ...request, seq } as ThreadRequest);
    });
  }
}

export interface ThreadSearch {
  /** Per query, the merged top k; `segment` indexes `keys`. */
  results: ScoredHit[][];
  /** Indexes into `keys` of segments no thread holds. */
  missing: number[];
  /** Search time summed over the threads, µs. */
  micros: number;
}

export class SearchThreads {
  private readonly threads: SearchThread[];
  private readonly placed = new Map<string, { thread: SearchThread; vectors: number }>();

  constructor(count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`search threads ${count}: expected a whole number >= 1`);
    this.threads = Array.from({ length: count }, () => {
      // Worker threads do not inherit tsx's loader hooks, so the TypeScript source registers them itself.
      const worker = THREAD_FILE.endsWith(".ts")
        ? new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(THREAD_FILE)});`, { eval: true })
        : new Worker(THREAD_FILE);
      return new SearchThread(worker);
    });
  }

  get size(): number {
    return this.threads.length;
  }

  /** Opens a segment on the thread holding the fewest vectors. */
  async open(key: string, files: SegmentFiles): Promise<void> {
    if (this.placed.has(key)) throw new Error(`segment ${key} is open already`);
    const thread = this.threads.reduce((a, b) => (b.vectors < a.vectors ? b : a));
    thread.vectors += files.ids.length;
    try {
      await thread.call({ op: "open", key, files });
    } catch (err) {
      thread.vectors -= files.ids.length;
      throw err;
    }
    this.placed.set(key, { thread, vectors: files.ids.length });
  }

  /** Closes a segment once every search sent to its thread before has been answered. */
  async close(key: string): Promise<void> {
    const at = this.placed.get(key);
    if (at === undefined) return;
    this.placed.delete(key);
    at.thread.vectors -= at.vectors;
    await at.thread.call({ op: "close", key });
  }

  async search(
    keys: readonly string[],
    horizons: readonly number[],
    vectors: Float32Array,
    dimension: number,
    k: number,
    ef: number,
  ): Promise<ThreadSearch> {
    const n = vectors.length / dimension;
    const byThread = new Map<SearchThread, number[]>();
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const at = this.placed.get(key);
      if (at === undefined) missing.push(i);
      else byThread.set(at.thread, [...(byThread.get(at.thread) ?? []), i]);
    });
    const answers = await Promise.all(
      [...byThread].map(async ([thread, indexes]) => {
        const reply = await thread.call({
          op: "search",
          keys: indexes.map((i) => keys[i]),
          horizons: indexes.map((i) => horizons[i]),
          vectors,
          dimension,
          k,
          ef,
        });
        if (!("results" in reply)) throw new Error("search thread answered a search with no results");
        // Back to indexes into `keys`.
        const results = reply.results.map((hits) => hits.map((h) => ({ ...h, segment: indexes[h.segment] })));
        return { results, micros: reply.micros, missing: reply.missing.map((m) => indexes[m]) };
      }),
    );
    const results: ScoredHit[][] = [];
    for (let q = 0; q < n; q++) {
      results.push(
        answers.length === 1
          ? answers[0].results[q]
          : mergeLocal(
              answers.map((a) => a.results[q]),
              k,
              horizons,
            ),
      );
    }
    return {
      results,
      missing: [...missing, ...answers.flatMap((a) => a.missing)].sort((a, b) => a - b),
      micros: answers.reduce((s, a) => s + a.micros, 0),
    };
  }

  async vectorOf(keys: readonly string[], itemId: string): Promise<{ key: string; vector: number[] }[]> {
    const byThread = new Map<SearchThread, string[]>();
    for (const key of keys) {
      const at = this.placed.get(key);
      if (at !== undefined) byThread.set(at.thread, [...(byThread.get(at.thread) ?? []), key]);
    }
    const replies = await Promise.all([...byThread].map(([t, ks]) => t.call({ op: "vector", keys: ks, itemId })));
    return replies.flatMap((r) => ("vectors" in r ? r.vectors : []));
  }

  async terminate(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
