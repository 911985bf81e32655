/**
 * The serving half of the local run: the segments the controller would serve (the coverage
 * planner's choice over what is published, among closed windows), assigned to shard hosts as the
 * controller assigns them, one real host process each (loading from the asset repository on
 * embedded AWS, checksums checked), the front over them, a search with a new photo of a listed
 * item (cropped, rotated, recoloured and re-encoded), then the item deleted — a feed event, its
 * hour built, the hosts' assignment changed while they serve — and the same search again.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import sharp from "sharp";
import type { Logger } from "../../shared/log";
import { buildSegment, type BuildDeps } from "../builder/build-segment";
import { parseWindow } from "../segments/windows";
import { PublishedSegments } from "../controller/published";
import { segmentsToServe } from "../controller/desired";
import type { Embedder } from "../embedder/embedder";
import { hourPrefix } from "../feed/partitions";
import { loadFrontSettings, environmentFor as frontEnvironment } from "../front/config";
import { HostRegistry } from "../front/discovery";
import { startFront, type RunningFront } from "../front/main";
import { environmentFor as hostEnvironment, loadShardHostSettings } from "../host/config";
import { startShardHost, type RunningShardHost } from "../host/main";
import {
  assignHosts,
  DEFAULT_FLAT_MAX_ITEMS,
  encodeAssignment,
  searchKindOf,
  type HostPlan,
} from "../segments/assignment";
import { segmentId, type PublishedSegment } from "../segments/segment";
import { windowOf } from "../segments/windows";
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

/** The production threshold: the local catalogue's segments are all small, so each is scanned exactly. */
const FLAT_MAX_ITEMS = DEFAULT_FLAT_MAX_ITEMS;
const ASSIGN = { hostMemoryBytes: 64 * 2 ** 20, flatMaxItems: FLAT_MAX_ITEMS, prefix: "shard" };

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
  const registry = new HostRegistry();
  const hosts = new Map<string, { running: RunningShardHost; file: string }>();
  const now = new Date("2026-11-02T02:30:00Z");
  let plan: HostPlan[] = [];
  /** What the controller does each round, with the hosts here instead of Deployments. */
  const serve = async () => {
    const { segments } = await new PublishedSegments(repo, log).list();
    const wanted = segmentsToServe(segments, now, 40 * 86_400_000);
    plan = assignHosts(wanted, new Map(plan.map((h) => [h.name, h.segments.map(segmentId)])), ASSIGN);
    for (const h of plan) {
      const document = encodeAssignment({ host: h.name, flatMaxItems: FLAT_MAX_ITEMS, segments: h.segments });
      const known = hosts.get(h.name);
      if (known) {
        // The ConfigMap changes; the host follows it while serving.
        await writeFile(known.file, document);
        await known.running.assign({ host: h.name, flatMaxItems: FLAT_MAX_ITEMS, segments: h.segments });
        continue;
      }
      const dir = await mkdtemp(path.join(work, `${h.name}-`));
      const file = path.join(dir, "segments.json");
      await writeFile(file, document);
      const running = await startShardHost(
        loadShardHostSettings(
          hostEnvironment({
            assetBucket: env.assetBucket,
            assignmentFile: file,
            host: "127.0.0.1",
            grpcPort: 0,
            opsPort: 0,
            searchThreads: 1,
            segmentDir: path.join(dir, "segments"),
            retireGraceSeconds: 0,
          }),
        ),
        log,
        sdk,
      );
      await running.ready;
      hosts.set(h.name, { running, file });
      registry.add(`127.0.0.1:${running.port}`);
    }
    return { segments, wanted };
  };
  const describe = (published: PublishedSegment[], wanted: PublishedSegment[]) => {
    const served = new Set(wanted.map(segmentId));
    const covered = new Map<string, string[]>();
    for (const s of published.filter((p) => !served.has(segmentId(p)))) {
      const end = windowOf(s.tier, s.start).end;
      if (end > now) {
        console.log(
          `  not served: ${s.tier} ${s.window} (published) — its window is still open (until ${end.toISOString()}), so its finer segments answer for it`,
        );
      } else covered.set(s.tier, [...(covered.get(s.tier) ?? []), s.window]);
    }
    for (const [tier, windows] of covered) {
      console.log(
        `  not served: ${windows.length} ${tier} segment(s) (${windows[0]} … ${windows.at(-1)}) — a coarser published segment covers their windows`,
      );
    }
    for (const h of plan) {
      const list = h.segments.map(
        (s) => `${s.tier} ${s.window} (${s.itemCount} items, ${searchKindOf(s.itemCount, FLAT_MAX_ITEMS)})`,
      );
      console.log(`  host ${h.name}: ${list.join(", ")}`);
    }
  };

  let front: RunningFront | undefined;
  try {
    const first = await serve();
    console.log(
      `\nserving ${first.wanted.length} segments on ${plan.length} shard host(s), coarsest first; ` +
        `segments of at most ${FLAT_MAX_ITEMS} items are scanned exactly, larger ones searched by their HNSW graph:`,
    );
    describe(first.segments, first.wanted);
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
      const body = (await res.json()) as {
        items: Item[];
        partial: boolean;
        tookMs: number;
        hosts: number;
        segments: number;
      };
      if (!res.ok) throw new Error(`search answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    const show = (body: { items: Item[]; partial: boolean; tookMs: number; hosts: number; segments: number }) => {
      for (const [i, item] of body.items.entries()) {
        const mark = item.itemId === listed.itemId ? "  <- the photographed item" : "";
        console.log(
          `  ${i + 1}. ${item.itemId.padEnd(12)} distance ${item.distance.toFixed(4)}  from ${item.segment}${mark}`,
        );
      }
      console.log(
        `  ${body.segments} segments searched in ${body.hosts} host call(s); partial: ${body.partial}; ${body.tookMs} ms (embedding included)`,
      );
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
    const second = await serve();
    console.log(`the hosts' assignment changed while they serve:`);
    describe(second.segments, second.wanted);
    await front.discovery.refresh(); // the front asks the hosts what they serve (every 2 s by itself)
    await new Promise((r) => setTimeout(r, 200)); // the tombstone log refreshes on the change
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
    for (const { running } of hosts.values()) await running.stop();
  }
}
