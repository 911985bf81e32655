/**
 * How the front learns which segments are ready and where their index services listen. Two
 * implementations: the Kubernetes API in the cluster (Services and EndpointSlices labelled as
 * segments, watched), and a registry the embedded run and tests fill in. Either way the front
 * reads the current set on every query and never needs a restart to see a new segment or forget
 * a retired one.
 */
import { EventEmitter } from "node:events";
import type { Tier } from "../segments/coverage";

export interface DiscoveredSegment {
  /** Stable id: `<tier>/<window start ISO>/<embedding version>`, as the build names it. */
  id: string;
  tier: Tier;
  /** Window start, UTC, aligned to the tier. */
  start: Date;
  embeddingVersion: string;
  /** host:port of a ready index service for this segment. */
  address: string;
}

export interface Discovery {
  /** The segments ready now. */
  current(): DiscoveredSegment[];
  /** Called after every change of the set. */
  onChange(listener: (segments: DiscoveredSegment[]) => void): void;
  close(): Promise<void>;
}

/** A registry the local run and tests add segments to and retire them from. */
export class SegmentRegistry implements Discovery {
  private readonly segments = new Map<string, DiscoveredSegment>();
  private readonly events = new EventEmitter();

  add(segment: DiscoveredSegment): void {
    this.segments.set(segment.id, segment);
    this.changed();
  }

  retire(id: string): void {
    if (this.segments.delete(id)) this.changed();
  }

  current(): DiscoveredSegment[] {
    return [...this.segments.values()];
  }

  onChange(listener: (segments: DiscoveredSegment[]) => void): void {
    this.events.on("change", listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  private changed(): void {
    this.events.emit("change", this.current());
  }
}
