/**
 * Coverage planner: which ready segments the front asks, so that every instant of the retention
 * period is searched exactly once, with the coarsest segments available. A month whose monthly
 * segment is ready is served by it; otherwise each of its days by the daily segment, and a day
 * without one by its hourly segments. What no ready segment covers is reported as a gap (the
 * front answers `partial` with those windows). Pure: the front calls it on every change of the
 * discovered segment set, and property tests check it over random sets. Tiers and their windows
 * are the build's (`build/windows.ts`).
 */
import { windowOf as tierWindow, type Tier } from "./windows";

export type { Tier } from "./windows";

/** The part of a segment the planner needs; `start` is the window's start in UTC, aligned to its tier. */
export interface PlannableSegment {
  tier: Tier;
  start: Date;
}

export interface Window {
  start: Date;
  end: Date;
}

export interface CoveragePlan<S extends PlannableSegment> {
  /** Segments to query, in time order; their windows never overlap. */
  segments: S[];
  /** Stretches of the retention period no ready segment covers, in time order, merged. */
  gaps: Window[];
}

/** The window a segment of `tier` starting at `start` covers: [start, end). */
export function windowOf(tier: Tier, start: Date): Window {
  const w = tierWindow(tier, start);
  return { start: w.start, end: w.end };
}

/** The start of the `tier` window holding instant `t`. */
export function alignTo(tier: Tier, t: Date): Date {
  return tierWindow(tier, t).start;
}

/** Is `start` a window start of `tier` (a segment claiming another start is refused, not guessed at)? */
export function isAligned(tier: Tier, start: Date): boolean {
  return alignTo(tier, start).getTime() === start.getTime();
}

export interface PlanOptions<S> {
  /**
   * Which of two ready segments of the same tier and window to query (during a re-build or a model
   * roll-out both may be ready): return the preferred one. Default: the first seen.
   */
  prefer?: (a: S, b: S) => S;
}

/**
 * Plans coverage of [from, to) with the given ready segments. Segments whose window lies wholly
 * outside the period are ignored; a chosen segment may reach past the period's edges (a monthly
 * segment when retention starts mid-month), which is still one look per instant inside it.
 */
export function planCoverage<S extends PlannableSegment>(
  ready: readonly S[],
  from: Date,
  to: Date,
  options: PlanOptions<S> = {},
): CoveragePlan<S> {
  if (!(from.getTime() < to.getTime())) return { segments: [], gaps: [] };
  const prefer = options.prefer ?? ((a: S) => a);
  const byWindow = new Map<string, S>();
  for (const s of ready) {
    if (!isAligned(s.tier, s.start)) {
      throw new Error(`segment ${s.tier} ${s.start.toISOString()}: the window does not start on a ${s.tier} boundary`);
    }
    const key = `${s.tier}@${s.start.getTime()}`;
    const seen = byWindow.get(key);
    byWindow.set(key, seen === undefined ? s : prefer(seen, s));
  }
  const find = (tier: Tier, start: Date) => byWindow.get(`${tier}@${start.getTime()}`);
  // Months holding any segment and days holding an hourly one: the walk skips the others whole, so a
  // plan costs what the segments are, not an hour-by-hour walk of the retention period (a year of
  // empty hours cost the front milliseconds per query).
  const monthsUsed = new Set<number>();
  const daysUsed = new Set<number>();
  for (const s of byWindow.values()) {
    monthsUsed.add(alignTo("monthly", s.start).getTime());
    if (s.tier === "hourly") daysUsed.add(alignTo("daily", s.start).getTime());
  }

  const segments: S[] = [];
  const gaps: Window[] = [];
  const gap = (start: Date, end: Date) => {
    const s = new Date(Math.max(start.getTime(), from.getTime()));
    const e = new Date(Math.min(end.getTime(), to.getTime()));
    if (s >= e) return;
    const last = gaps[gaps.length - 1];
    if (last !== undefined && last.end.getTime() === s.getTime()) last.end = e;
    else gaps.push({ start: s, end: e });
  };
  // Walk the period coarsest-first: a month by its monthly segment, else its days, else their hours.
  const finer: Record<Tier, Tier | undefined> = { monthly: "daily", daily: "hourly", hourly: undefined };
  const touched: Record<Tier, Set<number>> = { monthly: monthsUsed, daily: daysUsed, hourly: new Set() };
  const walk = (tier: Tier, start: Date, end: Date): void => {
    for (let w = start; w < end && w < to; w = windowOf(tier, w).end) {
      const wEnd = windowOf(tier, w).end;
      if (wEnd <= from) continue;
      const segment = find(tier, w);
      const child = finer[tier];
      if (segment !== undefined) segments.push(segment);
      else if (child === undefined || !touched[tier].has(w.getTime())) gap(w, wEnd);
      else walk(child, w, wEnd);
    }
  };
  walk("monthly", alignTo("monthly", from), to);
  return { segments, gaps };
}
