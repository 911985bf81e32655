/**
 * The marketplace's catalogue events, one JSON object per line in the feed. An item is listed
 * with a photo, may change its photo, and leaves by being sold or deleted; a sold item may be
 * listed again. `seq` is the item's own revision counter, so two events of one item at the same
 * millisecond still have an order; `eventId` lets the build drop redelivered duplicates.
 */
import { z } from "zod";

/** A photo in the image-store bucket, pinned to one object version. */
export const PhotoRef = z.strictObject({
  key: z.string().min(1),
  versionId: z.string().min(1),
});
export type PhotoRef = z.infer<typeof PhotoRef>;

const base = {
  eventId: z.string().min(1),
  itemId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "item ids are 1-64 letters, digits, _ or -"),
  at: z.iso.datetime(),
  seq: z.int().nonnegative(),
};

export const CatalogueEvent = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("listed"), ...base, photo: PhotoRef }),
  z.strictObject({ type: z.literal("photo-changed"), ...base, photo: PhotoRef }),
  z.strictObject({ type: z.literal("sold"), ...base }),
  z.strictObject({ type: z.literal("deleted"), ...base }),
]);
export type CatalogueEvent = z.infer<typeof CatalogueEvent>;
export type EventType = CatalogueEvent["type"];

/** Events that carry the item's photo (the item is live after them). */
export function hasPhoto(e: CatalogueEvent): e is Extract<CatalogueEvent, { photo: PhotoRef }> {
  return e.type === "listed" || e.type === "photo-changed";
}

/** Application order: time, then the item's revision, then the id (a total, deterministic order). */
export function compareEvents(a: CatalogueEvent, b: CatalogueEvent): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    a.seq - b.seq ||
    (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}
