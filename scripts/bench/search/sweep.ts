/** Small statistics the serving bench reports with: quantiles, and the ef a recall target needs. */

/** The q-quantile (0..1) of `xs` by the nearest-rank rule; NaN for no values. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface EfPoint {
  ef: number;
  recall: number;
}

/** The smallest ef whose recall reaches `target`, or undefined if none does. */
export function smallestEfAt<P extends EfPoint>(points: readonly P[], target: number): P | undefined {
  return [...points].sort((a, b) => a.ef - b.ef).find((p) => p.recall >= target);
}
