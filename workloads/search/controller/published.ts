/**
 * The segments the asset repository publishes: every pointer under `pointers/`, with its manifest
 * (read and checked against the pointer once per pointer version, then remembered). S3 has no
 * watch, so the controller lists the pointers on an interval; a pointer that cannot be read is
 * reported and skipped, never taken as "retire its segment".
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { Logger } from "../../shared/log";
import type { AssetRepository } from "../repository/asset-repository";
import { TIERS, parseWindow, type Tier } from "../segments/windows";
import type { PublishedSegment } from "./desired";

export class PublishedSegments {
  private readonly known = new Map<string, PublishedSegment>();

  constructor(
    private readonly repo: AssetRepository,
    private readonly log: Logger,
  ) {}

  async list(): Promise<{ segments: PublishedSegment[]; unreadable: number }> {
    const pointers: { key: string; etag: string }[] = [];
    let token: string | undefined;
    do {
      const page = await this.repo.s3.send(
        new ListObjectsV2Command({ Bucket: this.repo.bucket, Prefix: "pointers/", ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key && o.ETag) pointers.push({ key: o.Key, etag: o.ETag });
      token = page.NextContinuationToken;
    } while (token);

    const segments: PublishedSegment[] = [];
    let unreadable = 0;
    for (const { key, etag } of pointers) {
      const m = /^pointers\/([a-z]+)\/(.+)\.json$/.exec(key);
      const tier = m?.[1] as Tier | undefined;
      if (!m || !tier || !(TIERS as readonly string[]).includes(tier)) continue;
      const cached = this.known.get(`${key}\0${etag}`);
      if (cached) {
        segments.push(cached);
        continue;
      }
      try {
        const published = await this.repo.readPublished(tier, m[2]);
        if (!published) continue;
        const { pointer, manifest } = published;
        const segment: PublishedSegment = {
          tier,
          window: pointer.window,
          start: parseWindow(tier, pointer.window).start,
          embeddingVersion: manifest.embeddingVersion,
          buildId: pointer.buildId,
          manifestKey: pointer.manifestKey,
          manifestVersionId: pointer.manifestVersionId,
          manifestSha256: pointer.manifestSha256,
        };
        this.known.set(`${key}\0${etag}`, segment);
        segments.push(segment);
      } catch (err) {
        unreadable++;
        this.log.warn(
          { pointer: key, err: (err as Error).message },
          "pointer not readable; its segment is left as it is",
        );
      }
    }
    return { segments, unreadable };
  }
}
