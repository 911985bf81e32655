/**
 * One segment build, start to end: refuse an incomplete window (unless forced), build the
 * content (hourly from the feed, daily and monthly by compaction), write the files under the
 * build's own prefix, the manifest after them, and publish the pointer last. The run record is
 * written when the build starts and again when it ends, whatever the outcome.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import * as path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../../shared/log";
import type { ImageCache } from "../cache/image-cache";
import type { Embedder } from "../embedder/embedder";
import type { BadEvent } from "../feed/read-feed";
import { AssetRepository, sha256 } from "../repository/asset-repository";
import { MANIFEST_FILE, pointerKey, runRecordKey, SEGMENT_FILES, segmentPrefix } from "../segments/keys";
import { Manifest, MANIFEST_SCHEMA, type SegmentFile, type SegmentRef } from "../segments/manifest";
import { compact } from "./compact";
import type { BuildSettings } from "./config";
import { buildHourly } from "./hourly";
import { RunRecord, startedRunRecord } from "./run-record";
import { readSegmentData, writeSegment, type SegmentContent } from "./segment-files";
import { closesAt, inputWindows, type Window } from "../segments/windows";

export const INDEX_LIBRARY = "hnswlib-node@3.0.0 (hnswlib 0.8.0)";

export interface BuildRequest {
  window: Window;
  force: boolean;
  /** Repeat this run record's build with the very inputs it read. */
  rerunOf?: RunRecord;
}

export interface BuildDeps {
  s3: S3Client;
  settings: BuildSettings;
  /** Created only when an hourly build needs it (compaction embeds nothing). */
  embedder: () => Promise<Embedder>;
  cache: () => Promise<ImageCache>;
  log: Logger;
  now?: () => Date;
  buildId?: string;
}

export async function buildSegment(deps: BuildDeps, req: BuildRequest): Promise<RunRecord> {
  const { s3, settings, log } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = new AssetRepository(s3, settings.assetBucket);
  const { window } = req;
  const buildId =
    deps.buildId ??
    `${window.tier}-${window.name}-${now().toISOString().replace(/[-:.]/g, "")}-${randomUUID().slice(0, 8)}`;
  const startedMs = Date.now();
  const record: RunRecord = startedRunRecord({
    buildId,
    tier: window.tier,
    window: window.name,
    force: req.force,
    rerunOf: req.rerunOf?.buildId ?? null,
    startedAt: now(),
  });
  const finish = async (status: RunRecord["status"]) => {
    record.status = status;
    record.finishedAt = now().toISOString();
    // Measured, not taken from the injectable clock (tests and replays fix that one).
    record.timingsMs.total = Date.now() - startedMs;
    await repo.putJson(runRecordKey(buildId), record);
    log.info(
      { buildId, tier: window.tier, window: window.name, status, counts: record.counts, reasons: record.reasons },
      `build ${status}`,
    );
    return record;
  };
  await repo.putJson(runRecordKey(buildId), record);
  log.info({ buildId, tier: window.tier, window: window.name, stage: "started" }, "build started");

  await mkdir(settings.workDir, { recursive: true });
  const work = await mkdtemp(path.join(settings.workDir, `${buildId}-`));
  try {
    // Read once, before any work: the publish at the end moves the pointer only from this state.
    const seen = await repo.readPointerState(window.tier, window.name);
    if (!req.force && !req.rerunOf && seen.pointer) {
      record.reasons.push(`${window.tier} ${window.name} is already published (use --force to rebuild it)`);
      return await finish("skipped");
    }
    const built =
      window.tier === "hourly" ? await hourly(deps, req, record) : await compaction(repo, work, req, record);
    if (built === "incomplete") return await finish("incomplete");
    // The inputs are known now: a build killed from here on can be re-run from its record.
    await repo.putJson(runRecordKey(buildId), record);

    log.info({ buildId, stage: "indexing", items: built.content.items.length }, "indexing");
    const params = { library: INDEX_LIBRARY, ...settings.index };
    const timings = await writeSegment(work, built.content, params);
    Object.assign(record.timingsMs, timings);

    // Files first, manifest next, pointer last: until the pointer moves, readers see the old segment.
    log.info({ buildId, stage: "uploading" }, "uploading segment files");
    const uploadStarted = Date.now();
    const prefix = segmentPrefix(window.tier, window.name, buildId);
    const files = {} as Manifest["files"];
    for (const [role, name] of Object.entries(SEGMENT_FILES) as [keyof typeof SEGMENT_FILES, string][])
      files[role] = await repo.putFile(`${prefix}${name}`, path.join(work, name));
    const contentSha256 = sha256(
      Object.values(files)
        .map((f: SegmentFile) => f.sha256)
        .join("\n"),
    );
    record.timingsMs.upload = Date.now() - uploadStarted;
    record.counts.items = built.content.items.length;
    record.counts.tombstones = built.content.tombstones.length;
    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      buildId,
      tier: window.tier,
      window: { name: window.name, start: window.start.toISOString(), end: window.end.toISOString() },
      itemCount: built.content.items.length,
      tombstoneCount: built.content.tombstones.length,
      dimension: built.content.dimension,
      embeddingVersion: built.embeddingVersion,
      index: params,
      files,
      contentSha256,
      inputs: {
        feed: record.inputs.feed,
        imageBucket: window.tier === "hourly" ? settings.imageBucket : null,
        segments: record.inputs.segments,
      },
      forcedPast: req.force ? record.reasons : [],
      counts: record.counts,
      timingsMs: record.timingsMs,
      builtAt: now().toISOString(),
    };
    const written = await repo.putJson(`${prefix}${MANIFEST_FILE}`, manifest);
    await repo.publish(
      {
        schema: MANIFEST_SCHEMA,
        tier: window.tier,
        window: window.name,
        buildId,
        manifestKey: written.key,
        manifestVersionId: written.versionId,
        manifestSha256: written.sha256,
        contentSha256,
        publishedAt: now().toISOString(),
      },
      seen,
    );
    record.outputs = { manifestKey: written.key, contentSha256, pointerKey: pointerKey(window.tier, window.name) };
    return await finish("published");
  } catch (err) {
    record.error = (err as Error).message;
    log.error({ buildId, err: record.error }, "build failed");
    return await finish("failed");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Built {
  content: SegmentContent;
  embeddingVersion: string;
}

async function hourly(deps: BuildDeps, req: BuildRequest, record: RunRecord): Promise<Built | "incomplete"> {
  const { window } = req;
  const closed = closesAt(window, deps.settings.feedCloseGraceMs);
  const now = (deps.now ?? (() => new Date()))();
  if (now < closed && !req.rerunOf) {
    record.reasons.push(
      `feed partition ${window.name} is open until ${closed.toISOString()} (the hour's end plus the delivery stream's buffering)`,
    );
    if (!req.force) return "incomplete";
  }
  const embedder = await deps.embedder();
  const cache = await deps.cache();
  const before = { ...cache.stats };
  const pinned = req.rerunOf?.inputs.feed.map((f) => ({ key: f.key, versionId: f.versionId }));
  const result = await buildHourly(deps.s3, deps.settings, window, embedder, cache, pinned);
  record.embeddingVersion = embedder.version;
  record.inputs.feed = result.feed;
  record.badEvents = result.bad satisfies BadEvent[];
  Object.assign(record.counts, result.counts, {
    cacheHits: cache.stats.hits - before.hits,
    cacheMisses: cache.stats.misses - before.misses,
    bytesDownloaded: cache.stats.bytesDownloaded - before.bytesDownloaded,
  });
  Object.assign(record.timingsMs, result.timingsMs);
  for (const bad of result.bad) deps.log.warn({ buildId: record.buildId, badEvent: bad }, "bad event");
  return { content: result.content, embeddingVersion: embedder.version };
}

async function compaction(
  repo: AssetRepository,
  work: string,
  req: BuildRequest,
  record: RunRecord,
): Promise<Built | "incomplete"> {
  const started = Date.now();
  const pinned = req.rerunOf?.inputs.segments;
  const refs: SegmentRef[] = [];
  const loaded: { content: SegmentContent; embeddingVersion: string; ref: SegmentRef }[] = [];
  for (const w of inputWindows(req.window)) {
    const pin = pinned?.find((s) => s.window === w.name);
    if (pinned && !pin) continue; // the original build was forced past this one
    const published = pin ? await readPinned(repo, pin) : await readCurrent(repo, w);
    if (!published) {
      record.reasons.push(`${w.tier} segment ${w.name} is not published`);
      continue;
    }
    const ref: SegmentRef = {
      tier: w.tier,
      window: w.name,
      buildId: published.manifest.buildId,
      manifestKey: published.manifestKey,
      manifestVersionId: published.manifestVersionId,
      contentSha256: published.manifest.contentSha256,
    };
    const dir = path.join(work, "inputs", w.name);
    await mkdir(dir, { recursive: true });
    const m = published.manifest;
    for (const role of ["vectors", "items", "tombstones"] as const)
      await repo.fetchVerified(m.files[role], path.join(dir, SEGMENT_FILES[role]));
    loaded.push({ content: await readSegmentData(dir, m.dimension), embeddingVersion: m.embeddingVersion, ref });
    refs.push(ref);
  }
  record.inputs.segments = refs;
  if (record.reasons.length > 0 && !req.force) return "incomplete";
  if (loaded.length === 0) throw new Error(`${req.window.tier} ${req.window.name}: no input segment is published`);
  const versions = [...new Set(loaded.map((l) => l.embeddingVersion))];
  if (versions.length > 1)
    throw new Error(`input segments mix embedding versions (${versions.join(", ")}): rebuild them with one embedder`);
  record.embeddingVersion = versions[0];
  const loadedAt = Date.now();
  const { content, dropped } = compact(loaded.map((l) => l.content));
  record.timingsMs.loadInputs = loadedAt - started;
  record.timingsMs.merge = Date.now() - loadedAt;
  record.counts.inputSegments = loaded.length;
  record.counts.inputItems = loaded.reduce((s, l) => s + l.content.items.length, 0);
  record.counts.droppedSoldOrDeleted = dropped;
  return { content, embeddingVersion: versions[0] };
}

interface InputManifest {
  manifest: Manifest;
  manifestKey: string;
  manifestVersionId: string | null;
}

async function readCurrent(repo: AssetRepository, w: Window): Promise<InputManifest | undefined> {
  const published = await repo.readPublished(w.tier, w.name);
  return (
    published && {
      manifest: published.manifest,
      manifestKey: published.pointer.manifestKey,
      manifestVersionId: published.pointer.manifestVersionId,
    }
  );
}

async function readPinned(repo: AssetRepository, ref: SegmentRef): Promise<InputManifest> {
  const manifest = await repo.getJson(Manifest, ref.manifestKey, ref.manifestVersionId);
  if (!manifest) throw new Error(`re-run input ${ref.manifestKey} (version ${ref.manifestVersionId}) is gone`);
  if (manifest.contentSha256 !== ref.contentSha256)
    throw new Error(`re-run input ${ref.manifestKey} does not hold the content the record names`);
  return { manifest, manifestKey: ref.manifestKey, manifestVersionId: ref.manifestVersionId };
}
