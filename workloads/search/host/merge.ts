/**
 * A host's local merge: the hits of every segment it searched for one query, reduced to one top k.
 * An item found in several of the host's segments keeps the hit of the segment with the latest
 * horizon (window end): that segment saw the item's latest state, and an older segment's vector of
 * it is either the same photo (the same vector, copied by compaction) or one a tombstone has made
 * stale. So the front's merge over host answers gives what a merge over every segment would.
 */
export interface ScoredHit {
  itemId: string;
  distance: number;
  /** Index of the segment (in the request's list) that found it. */
  segment: number;
}

/** `horizons[i]`: the window end (ms) of segment i. */
export function mergeLocal(lists: readonly ScoredHit[][], k: number, horizons: readonly number[]): ScoredHit[] {
  const best = new Map<string, ScoredHit>();
  for (const list of lists) {
    for (const hit of list) {
      const seen = best.get(hit.itemId);
      if (seen === undefined || fresher(hit, seen, horizons)) best.set(hit.itemId, hit);
    }
  }
  return [...best.values()].sort(byDistance).slice(0, k);
}

function fresher(a: ScoredHit, b: ScoredHit, horizons: readonly number[]): boolean {
  const ha = horizons[a.segment];
  const hb = horizons[b.segment];
  if (ha !== hb) return ha > hb;
  return byDistance(a, b) < 0;
}

/** Distance, then item id, then segment: equal distances merge the same way every time. */
export function byDistance(a: ScoredHit, b: ScoredHit): number {
  if (a.distance !== b.distance) return a.distance - b.distance;
  if (a.itemId !== b.itemId) return a.itemId < b.itemId ? -1 : 1;
  return a.segment - b.segment;
}
