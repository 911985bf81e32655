/**
 * How the front learns which segments are served and by which host. Hosts come from a
 * `HostSource` (in the cluster the EndpointSlices of the shard-host Services, watched; locally a
 * registry the run fills in); what each host serves comes from the host itself (its Info RPC),
 * so the front sees exactly what is loaded and answering, never what a controller intends.
 * Either way the front reads the current set on every query and never needs a restart.
 */
import { EventEmitter } from "node:events";
import type { SearchKind } from "../segments/assignment";
import type { Tier } from "../segments/windows";

export interface DiscoveredSegment {
  /** `<tier>/<window>/<embedding version>` (segments/segment.ts). */
  id: string;
  tier: Tier;
  window: string;
  /** Window start, UTC, aligned to the tier. */
  start: Date;
  embeddingVersion: string;
  itemCount: number;
  search: SearchKind;
  /** host:port of the shard host serving it. */
  address: string;
}

export interface Discovery {
  /** The segments served now. */
  current(): DiscoveredSegment[];
  /** Called after every change of the set. */
  onChange(listener: (segments: DiscoveredSegment[]) => void): void;
  close(): Promise<void>;
}

/** Where the shard hosts are: `host:port` addresses, current and changing. */
export interface HostSource {
  current(): string[];
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

/** A list of host addresses the local run and tests fill in. */
export class HostRegistry implements HostSource {
  private readonly addresses = new Set<string>();
  private readonly events = new EventEmitter();

  add(address: string): void {
    if (this.addresses.has(address)) return;
    this.addresses.add(address);
    this.events.emit("change");
  }

  remove(address: string): void {
    if (this.addresses.delete(address)) this.events.emit("change");
  }

  current(): string[] {
    return [...this.addresses];
  }

  onChange(listener: () => void): void {
    this.events.on("change", listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}
