/**
 * A segment as a search thread holds it: its item ids and a synchronous k-NN search. Small
 * segments are scanned exactly (hnswlib's BruteforceSearch over the segment's vectors: recall 1.0,
 * and cheaper than walking a graph below the measured size); larger ones walk their HNSW graph.
 * Both search in hnswlib's native code on the thread that loaded them.
 */
import { readFileSync } from "node:fs";
import { BruteforceSearch, HierarchicalNSW, type SpaceName } from "hnswlib-node";
import type { SearchKind } from "../segments/assignment";

export interface LocalHit {
  itemId: string;
  distance: number;
}

export interface Searchable {
  readonly kind: SearchKind;
  readonly count: number;
  /** The k nearest items, closest first; `ef` is ignored by an exact scan. */
  search(query: number[], k: number, ef: number): LocalHit[];
  vectorOf(itemId: string): number[] | undefined;
}

/** What a search thread needs to open a segment: files already downloaded and verified. */
export interface SegmentFiles {
  kind: SearchKind;
  metric: SpaceName;
  dimension: number;
  /** Item ids in label order. */
  ids: string[];
  /** index.hnsw for a graph, vectors.f32 for a scan. */
  path: string;
}

class Labels {
  private readonly byId = new Map<string, number>();
  constructor(readonly ids: readonly string[]) {
    ids.forEach((id, label) => this.byId.set(id, label));
  }
  labelOf(id: string): number | undefined {
    return this.byId.get(id);
  }
}

export class HnswSearchable implements Searchable {
  readonly kind = "hnsw" as const;
  private ef = -1;
  private readonly labels: Labels;
  constructor(
    private readonly index: HierarchicalNSW,
    ids: readonly string[],
  ) {
    this.labels = new Labels(ids);
  }
  get count(): number {
    return this.labels.ids.length;
  }
  search(query: number[], k: number, ef: number): LocalHit[] {
    // ef is not saved with an index and defaults to 10: set it before the first search and on change.
    if (ef !== this.ef) {
      this.index.setEf(ef);
      this.ef = ef;
    }
    const { neighbors, distances } = this.index.searchKnn(query, Math.min(k, this.count));
    return neighbors.map((label, i) => ({ itemId: this.labels.ids[label], distance: distances[i] }));
  }
  vectorOf(itemId: string): number[] | undefined {
    const label = this.labels.labelOf(itemId);
    return label === undefined ? undefined : this.index.getPoint(label);
  }
}

export class FlatSearchable implements Searchable {
  readonly kind = "flat" as const;
  private readonly labels: Labels;
  constructor(
    private readonly index: BruteforceSearch,
    private readonly vectors: Float32Array,
    private readonly dimension: number,
    ids: readonly string[],
  ) {
    this.labels = new Labels(ids);
  }
  get count(): number {
    return this.labels.ids.length;
  }
  search(query: number[], k: number): LocalHit[] {
    const { neighbors, distances } = this.index.searchKnn(query, Math.min(k, this.count));
    return neighbors.map((label, i) => ({ itemId: this.labels.ids[label], distance: distances[i] }));
  }
  vectorOf(itemId: string): number[] | undefined {
    const label = this.labels.labelOf(itemId);
    return label === undefined
      ? undefined
      : Array.from(this.vectors.subarray(label * this.dimension, (label + 1) * this.dimension));
  }
}

/** Opens downloaded files; an error names the file and what does not match. */
export function openSegment(files: SegmentFiles): Searchable {
  if (files.kind === "hnsw") {
    const index = new HierarchicalNSW(files.metric, files.dimension);
    index.readIndexSync(files.path);
    if (index.getCurrentCount() !== files.ids.length) {
      throw new Error(
        `${files.path}: the index holds ${index.getCurrentCount()} items, the item list ${files.ids.length}`,
      );
    }
    return new HnswSearchable(index, files.ids);
  }
  const bytes = readFileSync(files.path);
  const rows = bytes.byteLength / (4 * files.dimension);
  if (!Number.isInteger(rows) || rows !== files.ids.length) {
    throw new Error(
      `${files.path}: ${bytes.byteLength} bytes is not ${files.ids.length} rows of ${files.dimension} float32`,
    );
  }
  return flatFrom(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice(), files);
}

/** An exact-scan segment over rows of `dimension` floats (label i = row i). */
export function flatFrom(
  vectors: Float32Array,
  files: Pick<SegmentFiles, "metric" | "dimension" | "ids">,
): FlatSearchable {
  const index = new BruteforceSearch(files.metric, files.dimension);
  index.initIndex(Math.max(1, files.ids.length));
  for (let row = 0; row < files.ids.length; row++) {
    index.addPoint(Array.from(vectors.subarray(row * files.dimension, (row + 1) * files.dimension)), row);
  }
  return new FlatSearchable(index, vectors, files.dimension, files.ids);
}
