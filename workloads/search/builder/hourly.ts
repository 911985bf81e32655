/**
 * The hourly build's content: read the window's feed partition, fold its events, download each
 * live item's photo (through the cache), embed it. Photos that cannot be fetched or decoded
 * become bad events naming the event's object and line; the item is left out, the build goes on.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ImageRejected, toModelInput } from "../../shared/image-model/preprocess";
import type { ImageCache } from "../cache/image-cache";
import type { Embedder } from "../embedder/embedder";
import { readFeedHour, type BadEvent, type FeedObject } from "../feed/read-feed";
import type { SegmentItem } from "../segments/manifest";
import { applyEvents, type ItemState } from "./apply-events";
import type { BuildSettings } from "./config";
import type { SegmentContent } from "./segment-files";
import type { Window } from "../segments/windows";

export interface HourlyResult {
  content: SegmentContent;
  feed: FeedObject[];
  bad: BadEvent[];
  counts: Record<string, number>;
  timingsMs: Record<string, number>;
}

const MISSING = new Set(["NoSuchKey", "NoSuchVersion", "NotFound", "InvalidArgument"]);

export async function buildHourly(
  s3: S3Client,
  settings: BuildSettings,
  window: Window,
  embedder: Embedder,
  cache: ImageCache,
  pinnedFeed?: { key: string; versionId: string | null }[],
): Promise<HourlyResult> {
  const t0 = Date.now();
  const feed = await readFeedHour(s3, settings.feedBucket, settings.feedPrefix, window.start, pinnedFeed);
  const applied = applyEvents(feed.events);
  const bad = [...feed.bad, ...applied.bad];
  const t1 = Date.now();

  let downloadMs = 0;
  let embedMs = 0;
  const prepare = async (item: ItemState): Promise<Float32Array | undefined> => {
    const { key, versionId } = item.photo;
    let bytes: Uint8Array;
    try {
      bytes = await cache.get(settings.imageBucket, key, versionId, async () => {
        const res = await s3.send(
          new GetObjectCommand({ Bucket: settings.imageBucket, Key: key, VersionId: versionId }),
        );
        return (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      });
    } catch (err) {
      const name = (err as Error).name;
      if (!MISSING.has(name) && (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404)
        throw err;
      bad.push({
        reason: "photo-missing",
        object: item.object,
        line: item.line,
        detail: `item ${item.itemId}: s3://${settings.imageBucket}/${key}?versionId=${versionId}: ${name}`,
      });
      return undefined;
    }
    try {
      return await toModelInput(bytes, settings.imageLimits);
    } catch (err) {
      if (!(err instanceof ImageRejected)) throw err;
      bad.push({
        reason: "photo-unusable",
        object: item.object,
        line: item.line,
        detail: `item ${item.itemId}: ${key}: ${err.message}`,
      });
      return undefined;
    }
  };
  const fetchChunk = async (chunk: ItemState[]) => {
    const started = Date.now();
    const inputs: (Float32Array | undefined)[] = new Array(chunk.length);
    let next = 0;
    const lanes = Array.from({ length: Math.min(settings.downloadConcurrency, chunk.length) }, async () => {
      while (next < chunk.length) {
        const i = next++;
        inputs[i] = await prepare(chunk[i]);
      }
    });
    await Promise.all(lanes);
    downloadMs += Date.now() - started;
    return inputs;
  };

  const items: SegmentItem[] = [];
  const rows: Float32Array[] = [];
  const chunks: ItemState[][] = [];
  for (let i = 0; i < applied.live.length; i += settings.embedBatch)
    chunks.push(applied.live.slice(i, i + settings.embedBatch));
  // The next batch downloads and decodes while this one is on the inference thread.
  let pending = chunks.length > 0 ? fetchChunk(chunks[0]) : undefined;
  for (let c = 0; c < chunks.length; c++) {
    const inputs = await (pending as Promise<(Float32Array | undefined)[]>);
    pending = c + 1 < chunks.length ? fetchChunk(chunks[c + 1]) : undefined;
    const usable = chunks[c]
      .map((item, i) => ({ item, input: inputs[i] }))
      .filter((x): x is { item: ItemState; input: Float32Array } => x.input !== undefined);
    const started = Date.now();
    const vectors = await embedder.embed(usable.map((x) => x.input));
    embedMs += Date.now() - started;
    usable.forEach(({ item }, i) => {
      items.push({
        itemId: item.itemId,
        at: item.at,
        seq: item.seq,
        photo: { bucket: settings.imageBucket, ...item.photo },
      });
      rows.push(vectors[i]);
    });
  }

  const vectors = new Float32Array(rows.length * embedder.dimension);
  rows.forEach((r, i) => vectors.set(r, i * embedder.dimension));
  bad.sort((a, b) => a.object.localeCompare(b.object) || a.line - b.line);
  return {
    content: { dimension: embedder.dimension, items, vectors, tombstones: applied.tombstones },
    feed: feed.objects,
    bad,
    counts: {
      feedObjects: feed.objects.length,
      events: feed.events.length,
      duplicates: applied.duplicates,
      badEvents: bad.length,
      liveAfterEvents: applied.live.length,
      embedded: items.length,
      tombstones: applied.tombstones.length,
    },
    timingsMs: { readFeed: t1 - t0, download: downloadMs, embed: embedMs },
  };
}
