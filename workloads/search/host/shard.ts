/**
 * The segments a shard host serves, changed while it serves. `apply` takes the host's assignment:
 * a new segment (or a new build of a window) is fetched, verified and opened on a search thread,
 * and only then advertised (Info lists it) and routed; a segment no longer assigned stops being
 * advertised at once but keeps answering for `retireGraceMs` — longer than the front takes to
 * see the change and finish what it sent — before its thread closes it. A query in flight is
 * never cut short by a change of assignment.
 */
import { rm } from "node:fs/promises";
import * as path from "node:path";
import type { Logger } from "../../shared/log";
import type { SearchKind } from "../segments/assignment";
import { horizonOf, segmentId, type PublishedSegment } from "../segments/segment";
import { windowOf } from "../segments/windows";
import type { FetchedSegment, SegmentTombstone } from "./fetch-segment";
import type { SearchThreads } from "./search-threads";

export interface ServedEntry {
  id: string;
  /** The search threads' key: the segment id and its build, so a rebuild opens beside the old one. */
  key: string;
  segment: PublishedSegment;
  kind: SearchKind;
  metric: string;
  efConstruction: number;
  windowStart: Date;
  windowEnd: Date;
  horizonMs: number;
  tombstones: SegmentTombstone[];
  dir: string;
}

/** Fetches and verifies a segment's files into `dir` (the asset repository in production). */
export type SegmentSource = (segment: PublishedSegment, dir: string) => Promise<FetchedSegment>;

export interface ShardEvents {
  loaded?(entry: ServedEntry, ms: number): void;
  failed?(id: string, err: Error): void;
  changed?(served: readonly ServedEntry[]): void;
}

export interface ApplyResult {
  loaded: string[];
  retired: string[];
  failed: { id: string; reason: string }[];
}

export class Shard {
  private readonly routes = new Map<string, ServedEntry>();
  private readonly advertised = new Set<string>();
  private readonly retiring = new Map<string, NodeJS.Timeout>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly closing = new Set<Promise<void>>();
  private queue: Promise<unknown> = Promise.resolve();
  private gen = 0;
  private applied = false;

  constructor(
    private readonly threads: SearchThreads,
    private readonly source: SegmentSource,
    private readonly options: { dir: string; retireGraceMs: number; log: Logger; events?: ShardEvents },
  ) {}

  /** Bumped on every change of what is advertised. */
  get generation(): number {
    return this.gen;
  }

  /** True once the first assignment has been applied (whatever failed in it). */
  get ready(): boolean {
    return this.applied;
  }

  /** Segments advertised now, in time order. */
  served(): ServedEntry[] {
    return [...this.advertised]
      .map((id) => this.routes.get(id) as ServedEntry)
      .sort((a, b) => a.windowStart.getTime() - b.windowStart.getTime() || a.id.localeCompare(b.id));
  }

  /** The entry answering for each id now (retiring ones included), or undefined. */
  route(id: string): ServedEntry | undefined {
    return this.routes.get(id);
  }

  /** Makes the served set `segments`; assignments are applied one at a time, in order. */
  apply(segments: readonly PublishedSegment[]): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(segments));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(segments: readonly PublishedSegment[]): Promise<ApplyResult> {
    const result: ApplyResult = { loaded: [], retired: [], failed: [] };
    const wanted = new Map(segments.map((s) => [segmentId(s), s]));
    let changed = false;
    for (const [id, segment] of wanted) {
      const current = this.routes.get(id);
      if (current !== undefined && current.segment.buildId === segment.buildId) {
        if (!this.advertised.has(id)) {
          // Assigned again while retiring: keep it.
          const timer = this.retiring.get(id);
          clearTimeout(timer);
          if (timer !== undefined) this.timers.delete(timer);
          this.retiring.delete(id);
          this.advertised.add(id);
          changed = true;
        }
        continue;
      }
      try {
        const entry = await this.load(segment);
        if (current !== undefined) this.retire(current, false);
        this.routes.set(id, entry);
        this.advertised.add(id);
        changed = true;
        result.loaded.push(id);
      } catch (err) {
        result.failed.push({ id, reason: (err as Error).message });
        this.options.events?.failed?.(id, err as Error);
        this.options.log.error(
          { segment: id, err: (err as Error).message },
          "segment not loaded; retried with the next assignment",
        );
      }
    }
    for (const id of [...this.advertised]) {
      if (wanted.has(id)) continue;
      this.advertised.delete(id);
      this.retire(this.routes.get(id) as ServedEntry, true);
      changed = true;
      result.retired.push(id);
    }
    this.applied = true;
    if (changed) {
      this.gen++;
      this.options.events?.changed?.(this.served());
    }
    return result;
  }

  private async load(segment: PublishedSegment): Promise<ServedEntry> {
    const started = Date.now();
    const id = segmentId(segment);
    const key = `${id}@${segment.buildId}`;
    const dir = path.join(this.options.dir, key.replace(/[^A-Za-z0-9._-]+/g, "_"));
    const fetched = await this.source(segment, dir);
    await this.threads.open(key, fetched.files);
    const window = windowOf(segment.tier, segment.start);
    const entry: ServedEntry = {
      id,
      key,
      segment,
      kind: fetched.files.kind,
      metric: fetched.files.metric,
      efConstruction: fetched.efConstruction,
      windowStart: window.start,
      windowEnd: window.end,
      horizonMs: horizonOf(segment).getTime(),
      tombstones: fetched.tombstones,
      dir,
    };
    this.options.events?.loaded?.(entry, Date.now() - started);
    this.options.log.info(
      { segment: id, build: segment.buildId, search: entry.kind, items: segment.itemCount, ms: Date.now() - started },
      "segment loaded and verified",
    );
    return entry;
  }

  /** Closes `entry` after the grace period; `unroute` also stops routing its id then (a replaced build keeps it). */
  private retire(entry: ServedEntry, unroute: boolean): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.retiring.delete(entry.id);
      if (unroute && this.routes.get(entry.id) === entry) this.routes.delete(entry.id);
      const closed = this.threads
        .close(entry.key)
        .then(() => rm(entry.dir, { recursive: true, force: true }))
        .catch((err: Error) =>
          this.options.log.warn({ segment: entry.id, err: err.message }, "segment not closed cleanly"),
        )
        .finally(() => this.closing.delete(closed));
      this.closing.add(closed);
      this.options.log.info({ segment: entry.id, build: entry.segment.buildId }, "segment retired");
    }, this.options.retireGraceMs);
    this.timers.add(timer);
    if (unroute) this.retiring.set(entry.id, timer);
  }

  /** Stops retirement timers and waits for closes under way (shutdown). */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.retiring.clear();
    await this.queue;
    await Promise.all(this.closing);
  }
}
