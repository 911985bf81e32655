/**
 * Compaction: the segments of a window (24 hourlies for a day, a month's dailies) merged into
 * one, with no re-embedding. Per item, the newest state wins by (time, revision), whichever
 * segment holds it, so an event delivered late into a later hour still loses to a newer one;
 * items whose newest state is sold or deleted are dropped. Tombstones are kept (the union): the
 * front still needs them against older tiers until those are compacted too.
 */
import type { Tombstone } from "./apply-events";
import type { SegmentContent } from "./segment-files";
import type { SegmentItem } from "../segments/manifest";

interface Newest {
  at: number;
  seq: number;
  order: number;
  live?: { item: SegmentItem; vector: Float32Array };
}

const newer = (a: Newest, b: Newest) => a.at - b.at || a.seq - b.seq || a.order - b.order;

/** `inputs` in window order. */
export function compact(inputs: SegmentContent[]): { content: SegmentContent; dropped: number } {
  const dimension = inputs[0]?.dimension;
  if (dimension === undefined) throw new Error("nothing to compact");
  const state = new Map<string, Newest>();
  const offer = (itemId: string, candidate: Newest) => {
    const current = state.get(itemId);
    if (!current || newer(candidate, current) > 0) state.set(itemId, candidate);
  };
  const tombstones = new Map<string, Tombstone>();
  let order = 0;
  for (const input of inputs) {
    if (input.dimension !== dimension)
      throw new Error(`segments of dimension ${dimension} and ${input.dimension} cannot be merged`);
    order++;
    input.items.forEach((item, i) =>
      offer(item.itemId, {
        at: Date.parse(item.at),
        seq: item.seq,
        order,
        live: { item, vector: input.vectors.subarray(i * dimension, (i + 1) * dimension) },
      }),
    );
    for (const t of input.tombstones) {
      tombstones.set(`${t.itemId}\n${t.seq}\n${t.kind}`, t);
      if (t.kind !== "photo-changed") offer(t.itemId, { at: Date.parse(t.at), seq: t.seq, order });
    }
  }
  const ids = [...state.keys()].sort();
  const live = ids.map((id) => state.get(id)?.live).filter((x) => x !== undefined);
  const vectors = new Float32Array(live.length * dimension);
  live.forEach((l, i) => vectors.set(l.vector, i * dimension));
  const sortedTombstones = [...tombstones.values()].sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) ||
      a.seq - b.seq ||
      (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0) ||
      a.kind.localeCompare(b.kind),
  );
  return {
    content: { dimension, items: live.map((l) => l.item), vectors, tombstones: sortedTombstones },
    dropped: ids.length - live.length,
  };
}
