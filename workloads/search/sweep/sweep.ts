/**
 * The asset repository's sweep: deletes build prefixes (segments/<tier>/<window>/<buildId>/) that
 * nothing references any more — failed builds, builds a later one superseded — once their newest
 * object is older than the grace period. The bucket is versioned: a delete leaves a delete marker
 * and the data as a noncurrent version until the bucket's noncurrent-version lifecycle rule expires
 * it, so a reader holding a version id (a compaction reads its inputs by version) still gets it,
 * and a wrong delete can be undone within those days.
 *
 * Referenced, and never deleted:
 * - the build every pointer names, and the input segments of every manifest a pointer names;
 * - for each run record still `running` (and younger than the stale limit): its own build
 *   prefix (a build writes there before any pointer names it), the input segments it recorded, and
 *   while it is a compaction, every build of its input windows (it reads them through their
 *   pointers before it records them, so whichever build a pointer named when it started is kept);
 * - any prefix whose newest object is younger than the grace period.
 * References are read before the segments are listed, so a build that starts or publishes during
 * the sweep writes objects the grace period covers; each candidate's window pointer is read again
 * just before its delete. A reference that cannot be read (a malformed pointer or run record, a
 * manifest that is gone) stops the sweep before it deletes anything.
 */
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type _Object,
  type ObjectIdentifier,
  type S3Client,
} from "@aws-sdk/client-s3";
import { inputWindows, parseWindow, type Tier } from "../segments/windows";
import { RunRecord } from "../builder/run-record";
import { AssetRepository } from "../repository/asset-repository";
import { parseSegmentKey, segmentPrefix, SEGMENTS_PREFIX } from "../segments/keys";
import { Manifest, Pointer, type SegmentRef } from "../segments/manifest";

export interface SweepOptions {
  /** An unreferenced prefix is kept until its newest object is this old, ms. */
  graceMs: number;
  /** A `running` record older than this (from its start) no longer protects anything, ms. */
  staleRunMs: number;
  /** List what would be deleted; delete nothing. */
  dryRun: boolean;
  now?: () => Date;
}

export type KeepReason =
  | "published"
  | "input of a published segment"
  | "in-flight build"
  | "input of an in-flight build"
  | "within grace period";

export interface SweepReport {
  /** Build prefixes found under segments/. */
  prefixes: number;
  kept: { prefix: string; why: KeepReason; newest: string }[];
  /** Deleted (or, in a dry run, to be deleted): prefix, objects, newest object's time. */
  deleted: { prefix: string; objects: number; newest: string }[];
  /** Keys under segments/ outside the layout's depth: left alone, reported. */
  unknownKeys: string[];
  dryRun: boolean;
}

/** The references that protect prefixes: exact build prefixes, and window folders (every build in them). */
class References {
  private readonly builds = new Map<string, KeepReason>();
  private readonly windows = new Map<string, KeepReason>();

  build(prefix: string, why: KeepReason): void {
    if (!this.builds.has(prefix)) this.builds.set(prefix, why);
  }
  segment(ref: SegmentRef, why: KeepReason): void {
    this.build(segmentPrefix(ref.tier, ref.window, ref.buildId), why);
  }
  window(tier: Tier, window: string, why: KeepReason): void {
    const folder = `segments/${tier}/${window}/`;
    if (!this.windows.has(folder)) this.windows.set(folder, why);
  }
  why(prefix: string): KeepReason | undefined {
    return this.builds.get(prefix) ?? this.windows.get(prefix.replace(/[^/]+\/$/, ""));
  }
}

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function readReferences(repo: AssetRepository, options: SweepOptions, now: Date): Promise<References> {
  const refs = new References();
  for (const obj of await listAll(repo.s3, repo.bucket, "runs/")) {
    const record = await repo.getJson(RunRecord, obj.Key as string);
    if (!record) continue; // deleted between the list and the read: it protects nothing any more
    if (record.status !== "running") continue;
    if (now.getTime() - Date.parse(record.startedAt) > options.staleRunMs) continue;
    refs.build(segmentPrefix(record.tier, record.window, record.buildId), "in-flight build");
    for (const s of record.inputs.segments) refs.segment(s, "input of an in-flight build");
    for (const w of inputWindows(parseWindow(record.tier, record.window)))
      refs.window(w.tier, w.name, "input of an in-flight build");
  }
  for (const obj of await listAll(repo.s3, repo.bucket, "pointers/")) {
    const key = obj.Key as string;
    const pointer = await repo.getJson(Pointer, key);
    if (!pointer) continue;
    refs.build(segmentPrefix(pointer.tier, pointer.window, pointer.buildId), "published");
    const manifest = await repo.getJson(Manifest, pointer.manifestKey, pointer.manifestVersionId);
    if (!manifest)
      throw new Error(`s3://${repo.bucket}/${key} names ${pointer.manifestKey}, which is gone: not sweeping`);
    for (const s of manifest.inputs.segments) refs.segment(s, "input of a published segment");
  }
  return refs;
}

export async function sweepRepository(s3: S3Client, bucket: string, options: SweepOptions): Promise<SweepReport> {
  const now = options.now?.() ?? new Date();
  const repo = new AssetRepository(s3, bucket);
  // References first: whatever is written after this point is younger than the grace period.
  const refs = await readReferences(repo, options, now);

  const groups = new Map<string, { key: { tier: Tier; window: string; buildId: string }; objects: _Object[] }>();
  const unknownKeys: string[] = [];
  for (const obj of await listAll(s3, bucket, SEGMENTS_PREFIX)) {
    const key = parseSegmentKey(obj.Key as string);
    if (key === undefined) {
      unknownKeys.push(obj.Key as string);
      continue;
    }
    const prefix = segmentPrefix(key.tier, key.window, key.buildId);
    const group = groups.get(prefix) ?? { key, objects: [] };
    group.objects.push(obj);
    groups.set(prefix, group);
  }

  const report: SweepReport = { prefixes: groups.size, kept: [], deleted: [], unknownKeys, dryRun: options.dryRun };
  for (const [prefix, { key, objects }] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const newestMs = Math.max(...objects.map((o) => o.LastModified?.getTime() ?? now.getTime()));
    const newest = new Date(newestMs).toISOString();
    const why = refs.why(prefix) ?? (now.getTime() - newestMs < options.graceMs ? "within grace period" : undefined);
    if (why) {
      report.kept.push({ prefix, why, newest });
      continue;
    }
    // A pointer may have moved to this build since the references were read.
    if ((await repo.readPointer(key.tier, key.window))?.buildId === key.buildId) {
      report.kept.push({ prefix, why: "published", newest });
      continue;
    }
    if (!options.dryRun) await deleteObjects(s3, bucket, objects);
    report.deleted.push({ prefix, objects: objects.length, newest });
  }
  return report;
}

async function deleteObjects(s3: S3Client, bucket: string, objects: _Object[]): Promise<void> {
  for (let i = 0; i < objects.length; i += 1000) {
    const batch: ObjectIdentifier[] = objects.slice(i, i + 1000).map((o) => ({ Key: o.Key as string }));
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
    const failed = res.Errors ?? [];
    if (failed.length > 0)
      throw new Error(
        `s3://${bucket}: ${failed.length} deletes refused, first ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message}`,
      );
  }
}
