/**
 * The segments the asset repository publishes: every pointer under `pointers/`, with its manifest
 * (read and checked against the pointer once per pointer ETag, then remembered: the manifest gives
 * the item count, dimension and M a host's memory depends on). S3 has no watch, so the controller
 * lists the pointers on an interval; a pointer that cannot be read is reported and counted, never
 * taken as "retire its segment".
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { Logger } from "../../shared/log";
import type { AssetRepository } from "../repository/asset-repository";
import { parsePointerKey, POINTERS_PREFIX } from "../segments/keys";
import type { PublishedSegment } from "../segments/segment";
import type { Manifest, Pointer } from "../segments/manifest";
import { parseWindow, type Tier } from "../segments/windows";

export interface PublishedList {
  segments: PublishedSegment[];
  /**
   * Windows whose pointer was listed but could not be read (or whose manifest failed its check):
   * what they serve now must stay served, and nothing may be pruned this round.
   */
  unreadable: { tier: Tier; window: string }[];
}

/** The segment a pointer publishes, with what its manifest says about its size. */
export function publishedSegmentOf(pointer: Pointer, manifest: Manifest): PublishedSegment {
  return {
    tier: pointer.tier,
    window: pointer.window,
    start: parseWindow(pointer.tier, pointer.window).start,
    embeddingVersion: manifest.embeddingVersion,
    buildId: pointer.buildId,
    manifestKey: pointer.manifestKey,
    manifestVersionId: pointer.manifestVersionId,
    manifestSha256: pointer.manifestSha256,
    itemCount: manifest.itemCount,
    dimension: manifest.dimension,
    m: manifest.index.m,
  };
}

export class PublishedSegments {
  /** By pointer key: the ETag it was read at and what it published. */
  private readonly known = new Map<string, { etag: string; segment: PublishedSegment }>();

  constructor(
    private readonly repo: AssetRepository,
    private readonly log: Logger,
  ) {}

  async list(): Promise<PublishedList> {
    const pointers: { key: string; etag: string }[] = [];
    let token: string | undefined;
    do {
      const page = await this.repo.s3.send(
        new ListObjectsV2Command({ Bucket: this.repo.bucket, Prefix: POINTERS_PREFIX, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key && o.ETag) pointers.push({ key: o.Key, etag: o.ETag });
      token = page.NextContinuationToken;
    } while (token);

    const segments: PublishedSegment[] = [];
    const unreadable: PublishedList["unreadable"] = [];
    const listed = new Set<string>();
    for (const { key, etag } of pointers) {
      const names = parsePointerKey(key);
      if (!names) continue; // not a pointer (a stray object under pointers/)
      listed.add(key);
      const cached = this.known.get(key);
      if (cached?.etag === etag) {
        segments.push(cached.segment);
        continue;
      }
      try {
        const published = await this.repo.readPublished(names.tier, names.window);
        if (!published) continue; // deleted between the list and the read: gone next round too
        const { pointer, manifest } = published;
        if (pointer.tier !== names.tier || pointer.window !== names.window)
          throw new Error(`${key} publishes ${pointer.tier} ${pointer.window}, not its own window`);
        const segment = publishedSegmentOf(pointer, manifest);
        this.known.set(key, { etag, segment });
        segments.push(segment);
      } catch (err) {
        unreadable.push(names);
        // What it published before (this process read it at an older ETag) is still the best known.
        if (cached) segments.push(cached.segment);
        this.log.warn(
          { pointer: key, err: (err as Error).message },
          "pointer not readable; its segment is left as it is",
        );
      }
    }
    for (const key of this.known.keys()) if (!listed.has(key)) this.known.delete(key);
    return { segments, unreadable };
  }
}
