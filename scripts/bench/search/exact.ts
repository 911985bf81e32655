/**
 * Exact k-nearest neighbours by inner product (the `ip` space of the bench's indexes): the ground
 * truth recall is measured against. hnswlib's BruteforceSearch is a linear scan in C++ with the
 * same distance as the HNSW indexes; plain JavaScript takes minutes over 1M vectors × 200 queries.
 */
import { BruteforceSearch } from "hnswlib-node";

export interface Range {
  /** First row, inclusive. */
  from: number;
  /** Last row, exclusive. */
  to: number;
}

/** For each query, the rows (absolute) of the k largest inner products within `range`, largest first. */
export function exactTopK(
  vectors: Float32Array,
  dimension: number,
  queries: readonly number[][],
  k: number,
  range: Range = { from: 0, to: vectors.length / dimension },
): number[][] {
  const rows = vectors.length / dimension;
  if (!(range.from >= 0 && range.from < range.to && range.to <= rows)) {
    throw new Error(`range [${range.from}, ${range.to}) is empty or outside 0..${rows}`);
  }
  const exact = new BruteforceSearch("ip", dimension);
  exact.initIndex(range.to - range.from);
  for (let i = range.from; i < range.to; i++) {
    exact.addPoint(Array.from(vectors.subarray(i * dimension, (i + 1) * dimension)), i);
  }
  const n = Math.min(k, range.to - range.from);
  return queries.map((q) => {
    const { neighbors, distances } = exact.searchKnn(q, n);
    // Closest first (hnswlib's order is not guaranteed); ties by row.
    return neighbors
      .map((row, i) => ({ row, distance: distances[i] }))
      .sort((a, b) => a.distance - b.distance || a.row - b.row)
      .map((x) => x.row);
  });
}

/** Share of the true neighbours found: |found ∩ truth| / |truth|, over all queries. */
export function recall<T>(found: readonly (readonly T[])[], truth: readonly (readonly T[])[]): number {
  if (found.length !== truth.length) throw new Error(`${found.length} answers for ${truth.length} queries`);
  let hits = 0;
  let wanted = 0;
  for (const [i, want] of truth.entries()) {
    const got = new Set(found[i]);
    hits += want.filter((x) => got.has(x)).length;
    wanted += want.length;
  }
  return wanted === 0 ? 1 : hits / wanted;
}
