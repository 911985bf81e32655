/**
 * Merges the answers of several segments into one top-k, the way segmented engines do: each
 * segment was asked for k' >= k; hits are pooled, stale ones dropped, duplicates collapsed to the
 * closest, and the k closest kept. A hit is stale when the tombstone log holds an event for its
 * item (sold, deleted, photo changed) at or after the segment's horizon: the segment was built
 * without knowing it, so its vector no longer stands for a live item with that photo. A later
 * segment that saw the relisting or the new photo answers for the item instead.
 */

export interface Hit {
  itemId: string;
  /** Smaller is closer (hnswlib's `ip` space: 1 - inner product). */
  distance: number;
}

export interface SegmentAnswer {
  segmentId: string;
  /** The latest event time the segment's build applied: its window's end. */
  horizon: Date;
  hits: readonly Hit[];
}

export interface MergedHit extends Hit {
  /** The segment whose vector matched. */
  segmentId: string;
}

/** The latest tombstone time of an item (sold, deleted or photo changed), if any. */
export type TombstoneLookup = (itemId: string) => Date | undefined;

export interface MergeResult {
  hits: MergedHit[];
  /** Hits hidden because the tombstone log says the segment's vector is stale. */
  hidden: number;
  /** Hits collapsed because a closer hit of the same item was kept. */
  duplicates: number;
}

export function mergeAnswers(answers: readonly SegmentAnswer[], k: number, tombstoneOf: TombstoneLookup): MergeResult {
  const best = new Map<string, MergedHit>();
  let hidden = 0;
  let duplicates = 0;
  for (const answer of answers) {
    for (const hit of answer.hits) {
      const tombstone = tombstoneOf(hit.itemId);
      if (tombstone !== undefined && tombstone.getTime() >= answer.horizon.getTime()) {
        hidden++;
        continue;
      }
      const seen = best.get(hit.itemId);
      if (seen !== undefined) {
        duplicates++;
        if (!closer(hit, answer.segmentId, seen)) continue;
      }
      best.set(hit.itemId, { ...hit, segmentId: answer.segmentId });
    }
  }
  const hits = [...best.values()].sort((a, b) => (closer(a, a.segmentId, b) ? -1 : 1)).slice(0, k);
  return { hits, hidden, duplicates };
}

/** Strict order: distance, then item id, then segment id, so equal distances merge the same way every time. */
function closer(hit: Hit, segmentId: string, other: MergedHit): boolean {
  if (hit.distance !== other.distance) return hit.distance < other.distance;
  if (hit.itemId !== other.itemId) return hit.itemId < other.itemId;
  return segmentId < other.segmentId;
}
