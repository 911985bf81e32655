/**
 * The front's view of the tombstone log: every live segment's tombstones (items sold, deleted or
 * given a new photo in its window), fetched from its shard host when discovery first lists it
 * and forgotten when it retires. Compaction carries an hour's tombstones into its day and month,
 * so the live segments together always hold the tombstones that still matter. Refreshed on every
 * change of the segment set, never per query; a segment whose tombstones could not be fetched yet
 * is retried at the next change or refresh.
 */
import type { Logger } from "../../shared/log";
import type { DiscoveredSegment, Discovery } from "./discovery";
import type { TombstoneLookup } from "./merge";
import type { HostClients } from "./host-clients";

export class TombstoneLog {
  private readonly bySegment = new Map<string, Map<string, Date>>();
  private latest = new Map<string, Date>();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly discovery: Discovery,
    private readonly clients: HostClients,
    private readonly deadlineMs: number,
    private readonly log: Logger,
  ) {
    discovery.onChange((segments) => void this.refresh(segments));
  }

  /** Fetches what new segments hold and drops what retired ones held; resolves when done. */
  refresh(segments: DiscoveredSegment[] = this.discovery.current()): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.apply(segments));
    return this.refreshing;
  }

  readonly lookup: TombstoneLookup = (itemId) => this.latest.get(itemId);

  private async apply(segments: DiscoveredSegment[]): Promise<void> {
    const live = new Set(segments.map((s) => s.id));
    for (const id of [...this.bySegment.keys()]) if (!live.has(id)) this.bySegment.delete(id);
    const byHost = new Map<string, string[]>();
    for (const s of segments) {
      if (!this.bySegment.has(s.id)) byHost.set(s.address, [...(byHost.get(s.address) ?? []), s.id]);
    }
    await Promise.all(
      [...byHost].map(async ([address, ids]) => {
        try {
          const res = await this.clients.tombstones(address, ids, this.deadlineMs);
          for (const { segmentId, tombstones } of res.segments) {
            if (ids.includes(segmentId))
              this.bySegment.set(segmentId, new Map(tombstones.map((t) => [t.itemId, new Date(t.at)])));
          }
        } catch (err) {
          this.log.warn(
            { host: address, segments: ids.length, err: (err as Error).message },
            "tombstones not fetched; retried later",
          );
        }
      }),
    );
    const latest = new Map<string, Date>();
    for (const rows of this.bySegment.values()) {
      for (const [item, at] of rows) {
        const seen = latest.get(item);
        if (seen === undefined || at > seen) latest.set(item, at);
      }
    }
    this.latest = latest;
  }
}
