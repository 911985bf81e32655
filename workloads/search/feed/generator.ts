/**
 * A realistic catalogue feed for the local run, the tests and the bench: a seeded simulation of
 * a marketplace whose items are listed with a photo, change photos, are sold (and sometimes
 * listed again) or deleted, more by day than by night. Each hour is delivered as a few NDJSON
 * objects, as a delivery stream flushes its buffer, with events out of order inside the hour
 * and some delivered twice. Optionally it also writes the bad events a real feed carries.
 *
 * `truth` is the simulation's own record of every valid event, for tests to derive what each
 * window must contain independently of the build.
 */
import type { CatalogueEvent } from "./events";
import { hourPrefix } from "./partitions";

export interface FeedPlan {
  start: Date;
  hours: number;
  seed: number;
  /** Photo keys in the image store that listings may use (the writer uploads them). */
  photoKeys: string[];
  /** New listings in a peak hour; nights see about a quarter. */
  listingsPerPeakHour: number;
  /** Add an unparseable line, an event of an unknown item and a listing whose photo is missing. */
  badEvents?: boolean;
}

/** An event before its photo's object version is known (the writer fills it in). */
export type DraftEvent = Omit<CatalogueEvent, "photo"> & { photo?: { key: string } };

export interface DraftObject {
  key: string;
  /** A line is an event, or raw text (a bad line). */
  lines: (DraftEvent | { raw: string })[];
}

export interface GeneratedFeed {
  objects: DraftObject[];
  truth: DraftEvent[];
  /** Bad lines written, as `object key:line` -> reason. */
  bad: Map<string, string>;
  /** Photo keys referenced that must NOT exist in the image store. */
  missingPhotoKeys: string[];
}

/** mulberry32: small, seeded, good enough for a simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Item {
  id: string;
  seq: number;
  live: boolean;
  sold: boolean;
}

export function generateFeed(plan: FeedPlan, feedPrefix = ""): GeneratedFeed {
  const random = rng(plan.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const items: Item[] = [];
  const truth: DraftEvent[] = [];
  const objects: DraftObject[] = [];
  const bad = new Map<string, string>();
  const missingPhotoKeys: string[] = [];
  let eventNo = 0;
  // Each listing or photo change takes a photo no item has had yet while the pool lasts (then the pool
  // starts over): where two items share a photo, "found the photographed item" is a tie between them.
  const pool = [...plan.photoKeys];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  let photosUsed = 0;
  const nextPhoto = () => pool[photosUsed++ % pool.length];

  for (let h = 0; h < plan.hours; h++) {
    const hourStart = new Date(+plan.start + h * 3_600_000);
    const hourOfDay = hourStart.getUTCHours();
    const daytime = hourOfDay >= 8 && hourOfDay < 22;
    const hourEvents: DraftEvent[] = [];
    const at = () => new Date(+hourStart + Math.floor(random() * 3_600_000)).toISOString();
    const emit = (item: Item, type: CatalogueEvent["type"], time: string) => {
      const e: DraftEvent = {
        type,
        eventId: `ev-${plan.seed}-${++eventNo}`,
        itemId: item.id,
        at: time,
        seq: item.seq++,
      } as DraftEvent;
      if (type === "listed" || type === "photo-changed") e.photo = { key: nextPhoto() };
      hourEvents.push(e);
    };
    // Events of one item within the hour happen in order: draw times, sort, then emit.
    const listings = Math.max(1, Math.round(plan.listingsPerPeakHour * (daytime ? 1 : 0.25) * (0.7 + 0.6 * random())));
    for (let i = 0; i < listings; i++) {
      const item: Item = { id: `item-${String(items.length + 1).padStart(6, "0")}`, seq: 0, live: true, sold: false };
      items.push(item);
      const times = [at(), at(), at()].sort();
      emit(item, "listed", times[0]);
      // Some change their mind within the hour: a new photo, or gone again.
      const r = random();
      if (r < 0.1) emit(item, "photo-changed", times[1]);
      else if (r < 0.14) {
        emit(item, "sold", times[1]);
        item.live = false;
        item.sold = true;
        if (random() < 0.5) {
          emit(item, "listed", times[2]);
          item.live = true;
          item.sold = false;
        }
      }
    }
    // Older items: photo changes, sales, deletions, relistings.
    const older = items.slice(0, items.length - listings);
    const changes = Math.round(listings * 0.6);
    for (let i = 0; i < changes && older.length > 0; i++) {
      const item = pick(older);
      if (hourEvents.some((e) => e.itemId === item.id)) continue;
      const r = random();
      if (item.live && r < 0.3) emit(item, "photo-changed", at());
      else if (item.live && r < 0.75) {
        emit(item, "sold", at());
        item.live = false;
        item.sold = true;
      } else if (item.live) {
        emit(item, "deleted", at());
        item.live = false;
      } else if (item.sold) {
        emit(item, "listed", at());
        item.live = true;
        item.sold = false;
      }
    }
    truth.push(...hourEvents);

    // Delivery: two or three objects, events shuffled across and within them, a few twice.
    const shuffled = hourEvents
      .map((e) => ({ e, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.e);
    const parts = 2 + Math.floor(random() * 2);
    const prefix = hourPrefix(feedPrefix, hourStart);
    const stamp = hourStart.toISOString().slice(0, 13).replace(/[-T:]/g, "-");
    const hourObjects: DraftObject[] = Array.from({ length: parts }, (_, p) => ({
      key: `${prefix}catalogue-stream-1-${stamp}-${String(p * 20).padStart(2, "0")}-00-${plan.seed}-${h}-${p}.ndjson`,
      lines: [],
    }));
    shuffled.forEach((e, i) => hourObjects[i % parts].lines.push(e));
    for (const e of shuffled) if (random() < 0.05) hourObjects[parts - 1].lines.push(e); // at-least-once delivery
    if (plan.badEvents && h === Math.min(1, plan.hours - 1)) {
      const target = hourObjects[0];
      /** Appends a bad line to the hour's first object and records it, as `key:line`, with the reason a build gives. */
      const plant = (line: DraftObject["lines"][number], reason: string) => {
        target.lines.push(line);
        bad.set(`${target.key}:${target.lines.length}`, reason);
      };
      // The rest of an event the simulation never made (so not in `truth`), its id naming the fault.
      const stray = (fault: string, itemId: string) => ({
        eventId: `ev-${plan.seed}-${fault}`,
        itemId,
        at: at(),
        seq: 0,
      });
      plant({ raw: '{"type":"listed","itemId":"item-broken"' }, "unparseable");
      plant({ type: "sold", ...stray("ghost", "item-never-listed") }, "unknown-item");
      const missingKey = "photos/missing/never-uploaded.jpg";
      missingPhotoKeys.push(missingKey);
      plant({ type: "listed", ...stray("orphan", "item-no-photo"), photo: { key: missingKey } }, "photo-missing");
    }
    objects.push(...hourObjects);
  }
  return { objects, truth, bad, missingPhotoKeys };
}
