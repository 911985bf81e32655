/**
 * The front's search over the tiers: plan coverage over the segments the shard hosts serve, ask
 * each host once for all of its chosen segments (k' >= k hits each, merged on the host; concurrent
 * queries to the same host and segments share one call, `batcher.ts`), and merge the hosts'
 * answers. A host that fails or misses its deadline, or a segment it no longer serves, makes the
 * answer partial, naming the windows; so does a window whose only served segments were built with
 * an embedding the front cannot make (during a model roll-out the front queries each segment with
 * the vector of its own embedding version, never another).
 */
import type { ServiceError } from "@grpc/grpc-js";
import type { Logger } from "../../shared/log";
import { planCoverage, windowOf, type Window } from "../segments/coverage";
import type { Batcher } from "./batcher";
import type { DiscoveredSegment, Discovery } from "./discovery";
import type { HostClients } from "./host-clients";
import { mergeAnswers, type MergedHit, type SegmentAnswer, type TombstoneLookup } from "./merge";

export interface SearcherOptions {
  /** How far back the search reaches, ms. */
  retentionMs: number;
  /** Each segment is asked for ceil(k × oversample) >= k hits. */
  oversample: number;
  /** Per-host deadline, ms. */
  deadlineMs: number;
  /** ef sent to the hosts (0: each host's own). */
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
  /** Hosts asked. */
  hosts: number;
  hidden: number;
  duplicates: number;
}

export class Searcher {
  constructor(
    private readonly discovery: Discovery,
    private readonly batcher: Batcher,
    private readonly clients: HostClients,
    private readonly tombstoneOf: TombstoneLookup,
    private readonly options: SearcherOptions,
    private readonly log: Logger,
  ) {}

  /**
   * `vectors` maps each embedding version the front can make to the query's vector in it, in the
   * front's order of preference: where two versions of a window are served, the first is asked.
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
    // One call per host and embedding version, naming all of its chosen segments.
    const calls = new Map<string, DiscoveredSegment[]>();
    for (const segment of plan.segments) {
      const key = `${segment.address}\0${segment.embeddingVersion}`;
      calls.set(key, [...(calls.get(key) ?? []), segment]);
    }
    const answers: SegmentAnswer[] = [];
    const missed = (segment: DiscoveredSegment, reason: string) =>
      missing.push({ ...windowOf(segment.tier, segment.start), segmentId: segment.id, reason });
    await Promise.all(
      [...calls.values()].map(async (segments) => {
        const { address, embeddingVersion } = segments[0];
        try {
          const res = await this.batcher.search(address, {
            segmentIds: segments.map((s) => s.id),
            embeddingVersion,
            vector: vectors.get(embeddingVersion) as number[],
            k: kPrime,
            ef: this.options.ef,
          });
          const bySegment = segments.map((s) => ({
            segmentId: s.id,
            horizon: windowOf(s.tier, s.start).end,
            hits: [] as { itemId: string; distance: number }[],
          }));
          for (const hit of res.hits) bySegment[hit.segment]?.hits.push({ itemId: hit.itemId, distance: hit.distance });
          answers.push(...bySegment);
          for (const m of res.missing) {
            const segment = segments.find((s) => s.id === m.segmentId);
            if (segment !== undefined) missed(segment, m.reason);
          }
        } catch (err) {
          const reason = (err as ServiceError).details || (err as Error).message;
          this.log.warn({ host: address, segments: segments.length, reason }, "host did not answer");
          for (const segment of segments) missed(segment, reason);
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
      hosts: calls.size,
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
    const live = candidates.filter((s) => tombstone === undefined || tombstone < windowOf(s.tier, s.start).end);
    const byHost = new Map<string, DiscoveredSegment[]>();
    for (const s of live) byHost.set(s.address, [...(byHost.get(s.address) ?? []), s]);
    const found = await Promise.all(
      [...byHost].map(async ([address, segments]) => {
        const res = await this.clients
          .vector(
            address,
            itemId,
            segments.map((s) => s.id),
            this.options.deadlineMs,
          )
          .catch(() => ({ found: [] }));
        return res.found.flatMap((f) => {
          const s = segments.find((x) => x.id === f.segmentId);
          return s ? [{ version: s.embeddingVersion, horizon: windowOf(s.tier, s.start).end, vector: f.vector }] : [];
        });
      }),
    );
    const best = new Map<string, { horizon: Date; vector: number[] }>();
    for (const f of found.flat()) {
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
