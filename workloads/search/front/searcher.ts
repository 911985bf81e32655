/**
 * The front's search over the tiers: plan coverage over the ready segments it can query, ask each
 * chosen segment for k' >= k in parallel with a deadline each, and merge. A segment that fails or
 * misses its deadline makes the answer partial, naming its window; so does a window whose only
 * ready segments were built with an embedding the front cannot make (during a model roll-out the
 * front queries each segment with the vector of its own embedding version, never another).
 */
import type { ServiceError } from "@grpc/grpc-js";
import type { Logger } from "../../shared/log";
import { planCoverage, windowOf, type Window } from "../segments/coverage";
import type { DiscoveredSegment, Discovery } from "./discovery";
import { mergeAnswers, type MergedHit, type SegmentAnswer, type TombstoneLookup } from "./merge";
import type { SegmentClients } from "./segment-clients";

export interface SearcherOptions {
  /** How far back the search reaches, ms. */
  retentionMs: number;
  /** Each segment is asked for ceil(k × oversample) >= k hits. */
  oversample: number;
  /** Per-segment deadline, ms. */
  deadlineMs: number;
  /** ef sent to index services (0: each service's own). */
  ef: number;
}

export interface MissingWindow extends Window {
  reason: string;
  segmentId?: string;
}

export interface SearchResult {
  hits: MergedHit[];
  /** True when part of the covered period could not be searched (`missing` says which and why). */
  partial: boolean;
  missing: MissingWindow[];
  /** Stretches of the retention period no segment has been built for yet (the current hour, typically). */
  uncovered: Window[];
  /** Segments asked. */
  segments: number;
  hidden: number;
  duplicates: number;
}

export class Searcher {
  constructor(
    private readonly discovery: Discovery,
    private readonly clients: SegmentClients,
    private readonly tombstoneOf: TombstoneLookup,
    private readonly options: SearcherOptions,
    private readonly log: Logger,
  ) {
    discovery.onChange((segments) => clients.keepOnly(segments.map((s) => s.address)));
  }

  /**
   * `vectors` maps each embedding version the front can make to the query's vector in it, in the
   * front's order of preference: where two versions of a window are ready, the first is asked.
   */
  async search(vectors: ReadonlyMap<string, number[]>, k: number, now: Date): Promise<SearchResult> {
    const from = new Date(now.getTime() - this.options.retentionMs);
    const all = this.discovery.current();
    const usable = all.filter((s) => vectors.has(s.embeddingVersion));
    const rank = [...vectors.keys()];
    const plan = planCoverage(usable, from, now, {
      prefer: (a, b) => (rank.indexOf(b.embeddingVersion) < rank.indexOf(a.embeddingVersion) ? b : a),
    });
    const missing: MissingWindow[] = [];
    const uncovered: Window[] = [];
    for (const gap of plan.gaps) this.explainGap(gap, all, usable, missing, uncovered);

    const kPrime = Math.max(k, Math.ceil(k * this.options.oversample));
    const answers: SegmentAnswer[] = [];
    await Promise.all(
      plan.segments.map(async (segment) => {
        const window = windowOf(segment.tier, segment.start);
        try {
          const res = await this.clients.search(
            segment.address,
            {
              vector: vectors.get(segment.embeddingVersion) as number[],
              embeddingVersion: segment.embeddingVersion,
              k: kPrime,
              ef: this.options.ef,
            },
            this.options.deadlineMs,
          );
          answers.push({ segmentId: segment.id, horizon: window.end, hits: res.hits });
        } catch (err) {
          const reason = (err as ServiceError).details || (err as Error).message;
          this.log.warn({ segment: segment.id, address: segment.address, reason }, "segment did not answer");
          missing.push({ ...window, segmentId: segment.id, reason });
        }
      }),
    );
    const merged = mergeAnswers(answers, k, this.tombstoneOf);
    missing.sort((a, b) => a.start.getTime() - b.start.getTime());
    return {
      hits: merged.hits,
      partial: missing.length > 0,
      missing,
      uncovered,
      segments: plan.segments.length,
      hidden: merged.hidden,
      duplicates: merged.duplicates,
    };
  }

  /**
   * The stored vector of an item in each of `versions` (search by item id): from the segment with
   * the latest horizon that holds it and is not made stale by the tombstone log. An item no live
   * segment holds is an error naming it.
   */
  async vectorsOf(itemId: string, versions: readonly string[]): Promise<Map<string, number[]>> {
    const candidates = this.discovery.current().filter((s) => versions.includes(s.embeddingVersion));
    const tombstone = this.tombstoneOf(itemId);
    const found = await Promise.all(
      candidates.map(async (segment) => {
        const horizon = windowOf(segment.tier, segment.start).end;
        if (tombstone !== undefined && tombstone >= horizon) return undefined;
        const res = await this.clients.vector(segment.address, itemId, this.options.deadlineMs).catch(() => undefined);
        return res?.found ? { version: segment.embeddingVersion, horizon, vector: res.vector } : undefined;
      }),
    );
    const best = new Map<string, { horizon: Date; vector: number[] }>();
    for (const f of found) {
      if (f === undefined) continue;
      const seen = best.get(f.version);
      if (seen === undefined || f.horizon > seen.horizon) best.set(f.version, f);
    }
    if (best.size === 0) throw new ItemNotFound(itemId);
    return new Map(versions.filter((v) => best.has(v)).map((v) => [v, best.get(v)?.vector as number[]]));
  }

  /**
   * Splits a gap into what some ready segment covers that the front cannot query (missing: the
   * answer is partial) and what nothing covers yet (uncovered).
   */
  private explainGap(
    gap: Window,
    all: DiscoveredSegment[],
    usable: DiscoveredSegment[],
    missing: MissingWindow[],
    uncovered: Window[],
  ): void {
    const foreign = all
      .filter((s) => !usable.includes(s))
      .map((s) => ({ ...windowOf(s.tier, s.start), version: s.embeddingVersion }))
      .filter((w) => w.start < gap.end && w.end > gap.start)
      .map((w) => ({
        start: new Date(Math.max(w.start.getTime(), gap.start.getTime())),
        end: new Date(Math.min(w.end.getTime(), gap.end.getTime())),
        version: w.version,
      }))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
    let cursor = gap.start;
    const flush = (until: Date) => {
      if (cursor < until) uncovered.push({ start: cursor, end: until });
    };
    for (let i = 0; i < foreign.length;) {
      // Merge overlapping foreign windows into one missing stretch.
      let end = foreign[i].end;
      const versions = new Set<string>();
      const first = foreign[i].start;
      while (i < foreign.length && foreign[i].start <= end) {
        if (foreign[i].end > end) end = foreign[i].end;
        versions.add(foreign[i].version);
        i++;
      }
      flush(first);
      const names = [...versions].sort().map((v) => `"${v}"`);
      missing.push({
        start: first,
        end,
        reason: `only segments of embedding version ${names.join(", ")} are ready here, and this front cannot embed a query in it`,
      });
      cursor = end;
    }
    flush(gap.end);
  }
}

export class ItemNotFound extends Error {
  constructor(readonly itemId: string) {
    super(`item ${JSON.stringify(itemId)} is in no ready segment (unknown, not yet indexed, sold or deleted)`);
  }
}
