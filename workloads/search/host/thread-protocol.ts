/** Messages between a shard host's main thread and its search threads (search-thread.ts). */
import type { SegmentFiles } from "./searchable";
import type { ScoredHit } from "./merge";

export type ThreadRequest =
  | { op: "open"; seq: number; key: string; files: SegmentFiles }
  | { op: "close"; seq: number; key: string }
  | {
      op: "search";
      seq: number;
      /** Loaded segment keys, in the order hits refer to them. */
      keys: string[];
      /** Window end (ms) of each key's segment, for the local merge. */
      horizons: number[];
      vectors: Float32Array;
      dimension: number;
      k: number;
      ef: number;
    }
  | { op: "vector"; seq: number; keys: string[]; itemId: string };

export type ThreadReply =
  | { seq: number; ok: true }
  | { seq: number; error: string }
  | { seq: number; results: ScoredHit[][]; micros: number; missing: number[] }
  | { seq: number; vectors: { key: string; vector: number[] }[] };
