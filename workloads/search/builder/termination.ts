/**
 * The build's summary for whoever ran it, as the last thing the process does: a small JSON
 * written to the container's termination-message file, which the kubelet copies into the pod's
 * status (at most 4096 bytes). The segment operator reads it from there to fill the
 * SegmentBuild's status, so the operator needs no access to the asset repository; the complete
 * record stays in `runs/<buildId>.json`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { RUN_STATUSES, type RunRecord } from "./run-record";

/** Where the kubelet reads the message from (the pod spec's default terminationMessagePath). */
export const TERMINATION_LOG = "/dev/termination-log";
/** The kubelet keeps at most this many bytes of a container's message. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;

export const BuildSummary = z.strictObject({
  buildId: z.string(),
  status: z.enum(RUN_STATUSES),
  embeddingVersion: z.string().nullable(),
  manifestKey: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  timingsMs: z.record(z.string(), z.number()),
  /** The error, or the reasons a window was not built; cut to fit. */
  detail: z.string(),
});
export type BuildSummary = z.infer<typeof BuildSummary>;

/** The summary of `record` as one JSON line of at most 4096 bytes (the detail is cut first). */
export function summaryMessage(record: RunRecord): string {
  const summary: BuildSummary = {
    buildId: record.buildId,
    status: record.status,
    embeddingVersion: record.embeddingVersion,
    manifestKey: record.outputs?.manifestKey ?? null,
    counts: record.counts,
    timingsMs: record.timingsMs,
    detail: record.error ?? record.reasons.join("; "),
  };
  let text = JSON.stringify(summary);
  const over = Buffer.byteLength(text) - TERMINATION_MESSAGE_MAX_BYTES;
  if (over > 0)
    text = JSON.stringify({
      ...summary,
      detail: summary.detail.slice(0, Math.max(0, summary.detail.length - over - 3)),
    });
  return text;
}

/** Parses a pod's termination message; undefined when it is not a build summary (e.g. a crash's log tail). */
export function parseSummary(message: string | undefined): BuildSummary | undefined {
  if (!message) return undefined;
  try {
    const parsed = BuildSummary.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the summary where the kubelet looks, when there is such a file (in a pod; not in a local run). */
export function writeSummary(record: RunRecord, path = TERMINATION_LOG): boolean {
  if (!existsSync(path)) return false;
  writeFileSync(path, summaryMessage(record));
  return true;
}
