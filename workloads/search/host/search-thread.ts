/**
 * A shard host's search thread: it opens the segments the main thread gives it (their memory lives
 * in this isolate) and answers searches over them, merging locally before replying. hnswlib's
 * search is synchronous, so it runs here rather than on the main thread, where gRPC, health checks
 * and deadlines must keep running. Messages are handled one at a time, in order: a close that
 * follows a search waits for it, so retiring a segment never cuts a query short.
 */
import { parentPort } from "node:worker_threads";
import { mergeLocal, type ScoredHit } from "./merge";
import { openSegment, type Searchable } from "./searchable";
import type { ThreadReply, ThreadRequest } from "./thread-protocol";

const open = new Map<string, Searchable>();
const port = parentPort;
if (port === null) throw new Error("search-thread.ts runs as a worker thread");

function handle(req: ThreadRequest): ThreadReply {
  switch (req.op) {
    case "open":
      open.set(req.key, openSegment(req.files));
      return { seq: req.seq, ok: true };
    case "close":
      open.delete(req.key);
      return { seq: req.seq, ok: true };
    case "vector": {
      const vectors: { key: string; vector: number[] }[] = [];
      for (const key of req.keys) {
        const vector = open.get(key)?.vectorOf(req.itemId);
        if (vector !== undefined) vectors.push({ key, vector });
      }
      return { seq: req.seq, vectors };
    }
    case "search": {
      const started = process.hrtime.bigint();
      const segments = req.keys.map((key) => open.get(key));
      const missing = segments.flatMap((s, i) => (s === undefined ? [i] : []));
      const n = req.vectors.length / req.dimension;
      const results: ScoredHit[][] = [];
      for (let q = 0; q < n; q++) {
        // hnswlib takes a plain array: convert once per query, not once per segment.
        const query = Array.from(req.vectors.subarray(q * req.dimension, (q + 1) * req.dimension));
        const lists = segments.map((s, i) =>
          s === undefined || s.count === 0
            ? []
            : s.search(query, req.k, req.ef).map((h) => ({ itemId: h.itemId, distance: h.distance, segment: i })),
        );
        results.push(mergeLocal(lists, req.k, req.horizons));
      }
      return { seq: req.seq, results, missing, micros: Number((process.hrtime.bigint() - started) / 1000n) };
    }
  }
}

port.on("message", (req: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    reply = handle(req);
  } catch (err) {
    reply = { seq: req.seq, error: (err as Error).message };
  }
  port.postMessage(reply);
});
