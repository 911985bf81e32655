/**
 * Reads one hour of the feed: every object under the hour's prefix, in key order, line by line.
 * A line that is not JSON or not a catalogue event becomes a bad event naming its object and
 * line; the rest of the object is still read.
 */
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { CatalogueEvent } from "./events";
import { hourPrefix } from "./partitions";

export interface FeedObject {
  key: string;
  /** The object version read (null when the bucket is not versioned). */
  versionId: string | null;
  etag: string;
  lines: number;
}

export interface SourcedEvent {
  event: CatalogueEvent;
  object: string;
  line: number;
}

export type BadEventReason = "unparseable" | "invalid" | "unknown-item" | "photo-missing" | "photo-unusable";

export interface BadEvent {
  reason: BadEventReason;
  object: string;
  line: number;
  detail: string;
}

export interface HourFeed {
  objects: FeedObject[];
  events: SourcedEvent[];
  bad: BadEvent[];
}

/**
 * `pinned`: read exactly these objects at these versions (a re-run from a run record) instead of
 * listing the hour's prefix.
 */
export async function readFeedHour(
  s3: S3Client,
  bucket: string,
  prefix: string,
  hourStart: Date,
  pinned?: { key: string; versionId: string | null }[],
): Promise<HourFeed> {
  let objects = pinned;
  if (!objects) {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3 },
      { Bucket: bucket, Prefix: hourPrefix(prefix, hourStart) },
    ))
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    objects = keys.map((key) => ({ key, versionId: null }));
  }
  objects = [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const feed: HourFeed = { objects: [], events: [], bad: [] };
  for (const { key, versionId } of objects) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId ?? undefined }));
    const text = (await res.Body?.transformToString("utf8")) ?? "";
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const object = `s3://${bucket}/${key}`;
    feed.objects.push({ key, versionId: res.VersionId ?? null, etag: res.ETag ?? "", lines: lines.length });
    lines.forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        feed.bad.push({ reason: "unparseable", object, line, detail: (err as Error).message });
        return;
      }
      const parsed = CatalogueEvent.safeParse(json);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((x) => `${x.path.join(".") || "(event)"}: ${x.message}`).join("; ");
        feed.bad.push({ reason: "invalid", object, line, detail });
      } else feed.events.push({ event: parsed.data, object, line });
    });
  }
  return feed;
}
