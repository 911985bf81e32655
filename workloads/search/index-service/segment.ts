/**
 * A segment as the index service holds it: what it is, and a synchronous k-NN search over it.
 * `HnswSegment` wraps an hnswlib index whose labels are positions in the segment's id list.
 */
import type { HierarchicalNSW } from "hnswlib-node";

export interface SegmentDescription {
  segmentId: string;
  tier: string;
  windowStart: Date;
  windowEnd: Date;
  itemCount: number;
  dimension: number;
  embeddingVersion: string;
  metric: string;
  m: number;
  efConstruction: number;
}

export interface LoadedSegment {
  info: SegmentDescription;
  /** The k nearest items, closest first; k <= itemCount. */
  search(vector: number[], k: number, ef: number): { itemId: string; distance: number }[];
  /** The item's stored vector, if the segment holds it. */
  vectorOf(itemId: string): number[] | undefined;
  /** Items sold, deleted or given a new photo in the segment's window. */
  tombstones: readonly SegmentTombstone[];
}

export interface SegmentTombstone {
  itemId: string;
  at: string;
  kind: string;
}

export class HnswSegment implements LoadedSegment {
  private ef = -1;
  private readonly labels = new Map<string, number>();

  constructor(
    readonly info: SegmentDescription,
    private readonly index: HierarchicalNSW,
    /** Item id of each label: label i is ids[i]. */
    private readonly ids: readonly string[],
    readonly tombstones: readonly SegmentTombstone[] = [],
  ) {
    if (ids.length !== info.itemCount) {
      throw new Error(`segment ${info.segmentId}: ${ids.length} ids for ${info.itemCount} items`);
    }
    ids.forEach((id, label) => this.labels.set(id, label));
  }

  vectorOf(itemId: string): number[] | undefined {
    const label = this.labels.get(itemId);
    return label === undefined ? undefined : this.index.getPoint(label);
  }

  search(vector: number[], k: number, ef: number): { itemId: string; distance: number }[] {
    // ef is not saved with an index and defaults to 10: set it before the first search and on change.
    if (ef !== this.ef) {
      this.index.setEf(ef);
      this.ef = ef;
    }
    const { neighbors, distances } = this.index.searchKnn(vector, k);
    return neighbors.map((label, i) => ({ itemId: this.ids[label], distance: distances[i] }));
  }
}
