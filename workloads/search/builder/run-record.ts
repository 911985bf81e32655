/**
 * Every build leaves a run record in the repository (runs/<buildId>.json): what it was asked,
 * what it read and wrote, how it ended. Written as `running` first, so a build killed midway
 * leaves a record that says so; `--rerun <buildId>` repeats a build from its record.
 */
import { z } from "zod";
import { TIERS } from "../segments/windows";
import { FeedInput, SegmentRef } from "../segments/manifest";

export const RUN_STATUSES = ["running", "published", "skipped", "incomplete", "failed"] as const;

export const BadEventRecord = z.strictObject({
  reason: z.string(),
  object: z.string(),
  line: z.int(),
  detail: z.string(),
});

export const RunRecord = z.strictObject({
  schema: z.literal(1),
  buildId: z.string(),
  tier: z.enum(TIERS),
  window: z.string(),
  force: z.boolean(),
  /** The build this one repeats, when run with --rerun. */
  rerunOf: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  embeddingVersion: z.string().nullable(),
  inputs: z.strictObject({ feed: z.array(FeedInput), segments: z.array(SegmentRef) }),
  outputs: z.strictObject({ manifestKey: z.string(), contentSha256: z.string(), pointerKey: z.string() }).nullable(),
  counts: z.record(z.string(), z.number()),
  timingsMs: z.record(z.string(), z.number()),
  /** Why a window was not built (incomplete inputs) or was built past them (forced). */
  reasons: z.array(z.string()),
  badEvents: z.array(BadEventRecord),
  error: z.string().nullable(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** A build's record as it writes it first, before it has read anything: status `running`. */
export function startedRunRecord(start: {
  buildId: string;
  tier: RunRecord["tier"];
  window: string;
  force: boolean;
  rerunOf: string | null;
  startedAt: Date;
}): RunRecord {
  return {
    schema: 1,
    buildId: start.buildId,
    tier: start.tier,
    window: start.window,
    force: start.force,
    rerunOf: start.rerunOf,
    status: "running",
    startedAt: start.startedAt.toISOString(),
    finishedAt: null,
    embeddingVersion: null,
    inputs: { feed: [], segments: [] },
    outputs: null,
    counts: {},
    timingsMs: {},
    reasons: [],
    badEvents: [],
    error: null,
  };
}
