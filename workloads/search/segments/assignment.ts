/**
 * Which shard host serves which segments. A host is one process (one Deployment) that loads many
 * segments and answers one top-k per query for all of them, so a query costs one call per host,
 * not one per segment. Pure: the controller calls it every round with the segments to serve and
 * the assignment it made last time, and writes the answer as one document per host (the host
 * reads it and loads or retires segments while it serves).
 *
 * The rules, in order:
 *   1. A segment stays on the host it is on (moving one costs a load, and a window briefly on two hosts).
 *   2. A host over its memory budget (the budget was lowered) gives up its newest segments until it fits.
 *   3. A new segment goes to a host that already holds its month (a month's dailies and hourlies
 *      together, where they replace each other as compactions land), else to the host with room
 *      whose newest month is latest (recent months pack together), else to a new host named after its month.
 * No host holds more than `hostMemoryBytes` of segments unless a single segment is larger than that.
 */
import { z } from "zod";
import { decodePublished, encodePublished, PublishedSegmentJson, segmentId, type PublishedSegment } from "./segment";

export interface AssignOptions {
  /** Segment memory one host may hold, bytes. */
  hostMemoryBytes: number;
  /** Segments with at most this many vectors are searched exactly (flat); 0: none. */
  flatMaxItems: number;
  /** Host names start with this (DNS-1123). */
  prefix: string;
}

export interface HostPlan {
  name: string;
  /** In time order. */
  segments: PublishedSegment[];
  /** Estimated resident bytes of its segments. */
  bytes: number;
}

/** How a host searches a segment: exactly (a scan) when it is small, by its HNSW graph otherwise. */
export type SearchKind = "flat" | "hnsw";

/**
 * The default flat threshold, measured (`npm run bench -- --only search-serve`, flat-vs-hnsw lines, 128-d,
 * k' 20): an exact scan costs 1.05× an HNSW walk at 250 vectors, 1.2× at 500, 7× at 10,000. Up to here a
 * scan is as cheap as the graph and finds the exact neighbours (recall 1.0); above it the graph wins.
 */
export const DEFAULT_FLAT_MAX_ITEMS = 250;

export const searchKindOf = (itemCount: number, flatMaxItems: number): SearchKind =>
  itemCount <= flatMaxItems ? "flat" : "hnsw";

/**
 * Resident bytes of a loaded segment: the float32 vectors, HNSW's level-0 links (2·M ids of 4
 * bytes) for a graph, and ~96 bytes per item for its id and label map in the JavaScript heap.
 * Measured: 722 MiB per million 128-d vectors at M 16 (README, search-build); this gives 702 MiB.
 */
export function segmentMemoryBytes(s: Pick<PublishedSegment, "itemCount" | "dimension" | "m">, flatMaxItems: number) {
  const links = searchKindOf(s.itemCount, flatMaxItems) === "hnsw" ? 8 * s.m : 0;
  return s.itemCount * (4 * s.dimension + links + 96);
}

const monthOf = (s: PublishedSegment) => s.window.slice(0, 7);
const byTime = (a: PublishedSegment, b: PublishedSegment) =>
  a.start.getTime() - b.start.getTime() || segmentId(a).localeCompare(segmentId(b));

export function assignHosts(
  segments: readonly PublishedSegment[],
  previous: ReadonlyMap<string, readonly string[]>,
  options: AssignOptions,
): HostPlan[] {
  if (!(options.hostMemoryBytes > 0)) throw new Error(`hostMemoryBytes ${options.hostMemoryBytes}: expected > 0`);
  const byId = new Map<string, PublishedSegment>();
  for (const s of segments) if (!byId.has(segmentId(s))) byId.set(segmentId(s), s);
  const size = (s: PublishedSegment) => segmentMemoryBytes(s, options.flatMaxItems);

  const hosts = new Map<string, { segments: PublishedSegment[]; bytes: number }>();
  const placed = new Set<string>();
  for (const name of [...previous.keys()].sort()) {
    const kept = (previous.get(name) ?? [])
      .filter((id) => byId.has(id) && !placed.has(id))
      .map((id) => byId.get(id) as PublishedSegment)
      .sort(byTime);
    // Rule 2: shed the newest until within budget (one segment always stays).
    while (kept.length > 1 && kept.reduce((n, s) => n + size(s), 0) > options.hostMemoryBytes) kept.pop();
    if (kept.length === 0) continue;
    kept.forEach((s) => placed.add(segmentId(s)));
    hosts.set(name, { segments: kept, bytes: kept.reduce((n, s) => n + size(s), 0) });
  }

  const fresh = [...byId.values()].filter((s) => !placed.has(segmentId(s))).sort(byTime);
  for (const s of fresh) {
    const room = (h: { bytes: number }) => h.bytes + size(s) <= options.hostMemoryBytes;
    const names = [...hosts.keys()].sort();
    const newestMonth = (name: string) => hosts.get(name)?.segments.map(monthOf).sort().at(-1) ?? "";
    const target =
      names.find((n) => room(hosts.get(n)!) && hosts.get(n)!.segments.some((x) => monthOf(x) === monthOf(s))) ??
      names
        .filter((n) => room(hosts.get(n)!))
        .sort((a, b) => newestMonth(b).localeCompare(newestMonth(a)) || a.localeCompare(b))[0] ??
      newHostName(options.prefix, monthOf(s), hosts);
    const host = hosts.get(target) ?? { segments: [], bytes: 0 };
    host.segments.push(s);
    host.segments.sort(byTime);
    host.bytes += size(s);
    hosts.set(target, host);
  }
  return [...hosts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, h]) => ({ name, segments: h.segments, bytes: h.bytes }));
}

function newHostName(prefix: string, month: string, taken: ReadonlyMap<string, unknown>): string {
  const base = `${prefix}-${month}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The document a host reads (a ConfigMap key in the cluster, a file locally): its name and segments. */
export const HostAssignmentJson = z.strictObject({
  schema: z.literal(1),
  host: z.string().min(1),
  /** Segments searched exactly when at most this many vectors. */
  flatMaxItems: z.int().nonnegative(),
  segments: z.array(PublishedSegmentJson),
});

export interface HostAssignment {
  host: string;
  flatMaxItems: number;
  segments: PublishedSegment[];
}

export function encodeAssignment(a: HostAssignment): string {
  return `${JSON.stringify({ schema: 1, host: a.host, flatMaxItems: a.flatMaxItems, segments: a.segments.map(encodePublished) }, null, 2)}\n`;
}

/** The assignment in `text`, or an error naming `where` and the field. */
export function decodeAssignment(text: string, where: string): HostAssignment {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const parsed = HostAssignmentJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${where}: ${issue.path.join(".") || "document"}: ${issue.message}`);
  }
  return {
    host: parsed.data.host,
    flatMaxItems: parsed.data.flatMaxItems,
    segments: parsed.data.segments.map((s, i) => decodePublished(s, `${where}: segments.${i}`)),
  };
}
