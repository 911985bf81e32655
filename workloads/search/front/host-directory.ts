/**
 * The segments every shard host serves, as the hosts say (Info), kept current: refreshed when the
 * host source changes and every `refreshMs` (a host loads and retires segments while it serves;
 * it keeps a retired segment answering longer than this, so the front never asks a host for a
 * segment it has closed). A host listed but not answering Info keeps what it last said: its
 * segments fail at query time and make the answer partial, naming their windows, rather than
 * vanishing into "not covered".
 */
import type { Logger } from "../../shared/log";
import type { SearchKind } from "../segments/assignment";
import type { Tier } from "../segments/windows";
import type { DiscoveredSegment, Discovery, HostSource } from "./discovery";
import type { HostClients } from "./host-clients";

export interface HostDirectoryOptions {
  /** How often each host is asked what it serves, ms. */
  refreshMs: number;
  /** Deadline of an Info call, ms. */
  deadlineMs: number;
}

export class HostDirectory implements Discovery {
  private readonly byHost = new Map<string, DiscoveredSegment[]>();
  private readonly listeners: ((segments: DiscoveredSegment[]) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private signature = "";
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly hosts: HostSource,
    private readonly clients: HostClients,
    private readonly options: HostDirectoryOptions,
    private readonly log: Logger,
  ) {
    hosts.onChange(() => void this.refresh());
  }

  /** Asks every host once, then keeps refreshing; resolves after the first round. */
  async start(): Promise<this> {
    await this.refresh();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.refresh().finally(loop), this.options.refreshMs);
    };
    loop();
    return this;
  }

  current(): DiscoveredSegment[] {
    return [...this.byHost.values()].flat();
  }

  /** Every host listed now. */
  addresses(): string[] {
    return this.hosts.current();
  }

  onChange(listener: (segments: DiscoveredSegment[]) => void): void {
    this.listeners.push(listener);
  }

  /** One round of Info calls; rounds never overlap. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.round());
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.refreshing;
    await this.hosts.close();
  }

  private async round(): Promise<void> {
    const live = this.hosts.current();
    for (const address of [...this.byHost.keys()]) if (!live.includes(address)) this.byHost.delete(address);
    this.clients.keepOnly(live);
    await Promise.all(
      live.map(async (address) => {
        try {
          const info = await this.clients.info(address, this.options.deadlineMs);
          this.byHost.set(
            address,
            info.segments.map((s) => ({
              id: s.segmentId,
              tier: s.tier as Tier,
              window: s.window,
              start: new Date(s.windowStart),
              embeddingVersion: s.embeddingVersion,
              itemCount: s.itemCount,
              search: s.search as SearchKind,
              address,
            })),
          );
        } catch (err) {
          this.log.warn(
            { host: address, err: (err as Error).message },
            "host did not say what it serves; keeping what it said last",
          );
        }
      }),
    );
    const segments = this.current();
    const signature = segments
      .map((s) => `${s.address} ${s.id}`)
      .sort()
      .join("\n");
    if (signature === this.signature) return;
    this.signature = signature;
    for (const listener of this.listeners) listener(segments);
  }
}
