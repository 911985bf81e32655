/**
 * One window's events folded into the items it leaves live and the tombstones it publishes.
 * Pure: the hourly build and its tests call it the same way.
 *
 * Order is time, then the item's revision (`seq`), so events delivered out of order within the
 * window are applied as they happened, and the last write wins per item. A redelivered event
 * (same eventId) is applied once. `seq` 0 is a new item's listing: any other event at revision
 * 0 refers to an item the catalogue never listed and is reported, not applied.
 */
import { compareEvents, type PhotoRef } from "../feed/events";
import type { BadEvent, SourcedEvent } from "../feed/read-feed";

export interface ItemState {
  itemId: string;
  at: string;
  seq: number;
  photo: PhotoRef;
  /** The event that set this state (reported if its photo cannot be used). */
  object: string;
  line: number;
}

export type TombstoneKind = "sold" | "deleted" | "photo-changed";

/** Vectors of this item older than (at, seq), in any segment, are stale. */
export interface Tombstone {
  itemId: string;
  at: string;
  seq: number;
  kind: TombstoneKind;
}

export interface Applied {
  live: ItemState[];
  tombstones: Tombstone[];
  bad: BadEvent[];
  duplicates: number;
}

export function applyEvents(events: SourcedEvent[]): Applied {
  const seen = new Set<string>();
  const bad: BadEvent[] = [];
  let duplicates = 0;
  const ordered = [...events].sort(
    (a, b) => compareEvents(a.event, b.event) || a.object.localeCompare(b.object) || a.line - b.line,
  );
  const state = new Map<string, ItemState | undefined>();
  const tombstones: Tombstone[] = [];
  for (const { event, object, line } of ordered) {
    if (seen.has(event.eventId)) {
      duplicates++;
      continue;
    }
    seen.add(event.eventId);
    if (event.type !== "listed" && event.seq === 0) {
      bad.push({
        reason: "unknown-item",
        object,
        line,
        detail: `${event.type} of item ${event.itemId} at revision 0: it was never listed`,
      });
      continue;
    }
    const { itemId, at, seq } = event;
    if (event.type === "listed" || event.type === "photo-changed") {
      state.set(itemId, { itemId, at, seq, photo: event.photo, object, line });
      if (event.type === "photo-changed") tombstones.push({ itemId, at, seq, kind: "photo-changed" });
    } else {
      state.set(itemId, undefined);
      tombstones.push({ itemId, at, seq, kind: event.type });
    }
  }
  const live = [...state.values()]
    .filter((s): s is ItemState => s !== undefined)
    .sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
  return { live, tombstones, bad, duplicates };
}
