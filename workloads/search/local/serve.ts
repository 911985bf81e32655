/**
 * The serving half of the local run: one index service per segment the controller would run
 * (the coverage planner's choice over what is published), the front over a registry of them, a
 * search with a new photo of a listed item (cropped, rotated, recoloured and re-encoded), then
 * the item deleted — a feed event, its hour built and served — and the same search again.
 */
import { mkdtemp } from "node:fs/promises";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import sharp from "sharp";
import type { Logger } from "../../shared/log";
import { buildSegment, type BuildDeps } from "../builder/build-segment";
import { parseWindow } from "../segments/windows";
import { PublishedSegments } from "../controller/published";
import { segmentsToServe, type PublishedSegment } from "../controller/desired";
import type { Embedder } from "../embedder/embedder";
import { hourPrefix } from "../feed/partitions";
import { loadIndexServiceSettings, environmentFor as indexEnvironment } from "../index-service/config";
import { startIndexService, type RunningIndexService } from "../index-service/main";
import { loadFrontSettings, environmentFor as frontEnvironment } from "../front/config";
import { SegmentRegistry } from "../front/discovery";
import { startFront, type RunningFront } from "../front/main";
import { AssetRepository } from "../repository/asset-repository";
import type { SearchEnvironment } from "./environment";

interface Item {
  itemId: string;
  distance: number;
  segment: string;
}

/** A new photo of the same thing: cropped, turned, recoloured and re-encoded, as a buyer's phone would take it. */
export async function newPhotoOf(photo: Uint8Array): Promise<Buffer> {
  const image = sharp(photo);
  const { width = 300, height = 300 } = await image.metadata();
  return sharp(photo)
    .extract({
      left: Math.floor(width * 0.08),
      top: Math.floor(height * 0.06),
      width: Math.floor(width * 0.84),
      height: Math.floor(height * 0.86),
    })
    .rotate(7, { background: "#ffffff" })
    .modulate({ brightness: 1.1, saturation: 0.85 })
    .jpeg({ quality: 70 })
    .toBuffer();
}

export async function serveAndSearch(
  env: SearchEnvironment,
  deps: BuildDeps,
  embedder: Embedder,
  listed: { itemId: string; photo: Uint8Array },
  log: Logger,
  work: string,
  sdk: object,
): Promise<void> {
  const repo = new AssetRepository(env.s3, env.assetBucket);
  const registry = new SegmentRegistry();
  const services = new Map<string, RunningIndexService>();
  const now = new Date("2026-11-02T02:30:00Z");
  const serve = async () => {
    const { segments } = await new PublishedSegments(repo, log).list();
    const wanted = segmentsToServe(segments, now, 40 * 86_400_000);
    for (const s of wanted) if (!services.has(key(s))) await startOne(s);
    for (const [id, running] of services) {
      if (wanted.some((s) => key(s) === id)) continue;
      registry.retire(id);
      await running.stop();
      services.delete(id);
    }
    return wanted;
  };
  const key = (s: PublishedSegment) => `${s.tier}/${s.window}/${s.embeddingVersion}`;
  const startOne = async (s: PublishedSegment) => {
    const settings = loadIndexServiceSettings(
      indexEnvironment({
        assetBucket: env.assetBucket,
        manifestKey: s.manifestKey,
        manifestVersionId: s.manifestVersionId ?? undefined,
        manifestSha256: s.manifestSha256,
        host: "127.0.0.1",
        grpcPort: 0,
        segmentDir: await mkdtemp(path.join(work, "segment-")),
      }),
    );
    const running = await startIndexService(settings, log, sdk);
    await running.ready;
    services.set(key(s), running);
    registry.add({
      id: key(s),
      tier: s.tier,
      start: s.start,
      embeddingVersion: s.embeddingVersion,
      address: `127.0.0.1:${running.port}`,
    });
  };

  let front: RunningFront | undefined;
  try {
    const served = await serve();
    console.log(
      `\nserving ${served.length} segments, one index service each (coarsest first): ${served.map((s) => `${s.tier} ${s.window}`).join(", ")}`,
    );
    const settings = loadFrontSettings(
      frontEnvironment({
        namespace: "local",
        embedderModelUri: "unused-locally",
        host: "127.0.0.1",
        httpPort: 0,
        opsPort: 0,
      }),
    );
    front = await startFront(settings, log, registry, [embedder]);
    const photo = await newPhotoOf(listed.photo);
    const search = async () => {
      const res = await fetch(`${front?.url}/search?k=5`, {
        method: "POST",
        body: photo,
        headers: { "content-type": "image/jpeg" },
      });
      const body = (await res.json()) as { items: Item[]; partial: boolean; tookMs: number };
      if (!res.ok) throw new Error(`search answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    const show = (body: { items: Item[]; partial: boolean; tookMs: number }) => {
      for (const [i, item] of body.items.entries()) {
        const mark = item.itemId === listed.itemId ? "  <- the photographed item" : "";
        console.log(
          `  ${i + 1}. ${item.itemId.padEnd(12)} distance ${item.distance.toFixed(4)}  from ${item.segment}${mark}`,
        );
      }
      console.log(`  partial: ${body.partial}; ${body.tookMs} ms (embedding included)`);
    };
    console.log(`\nsearch with a new photo of ${listed.itemId} (cropped, turned, recoloured, JPEG q70):`);
    show(await search());

    // The seller deletes the item: an event in the next hour's feed, that hour built and served.
    const hour = parseWindow("hourly", "2026-11-02T01");
    const event = {
      type: "deleted",
      eventId: `local-delete-${listed.itemId}`,
      itemId: listed.itemId,
      at: "2026-11-02T01:05:00.000Z",
      seq: 1000,
    };
    await env.s3.send(
      new PutObjectCommand({
        Bucket: env.feedBucket,
        Key: `${hourPrefix("catalogue/", hour.start)}local-delete.json`,
        Body: `${JSON.stringify(event)}\n`,
      }),
    );
    const record = await buildSegment(deps, { window: hour, force: false });
    console.log(
      `\n${listed.itemId} deleted at ${event.at}; hourly ${hour.name} built: ${record.status}, ${record.counts.tombstones ?? 0} tombstone(s)`,
    );
    await serve();
    await new Promise((r) => setTimeout(r, 200)); // the front's tombstone log refreshes on the registry change
    console.log(`the same search again:`);
    const after = await search();
    show(after);
    console.log(
      after.items.some((i) => i.itemId === listed.itemId)
        ? `  ${listed.itemId} is STILL SHOWN`
        : `  ${listed.itemId} is gone`,
    );
  } finally {
    await front?.stop();
    for (const running of services.values()) await running.stop();
  }
}
