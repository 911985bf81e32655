/**
 * What a SegmentBuild's status says, from its Job and the Job's pods as the API server reports
 * them: the phase, the conditions, the timings, and, from the build container's termination
 * message (build/termination.ts), the build id, counts and manifest key. Pure: the reconciler
 * writes the result only if it differs from the status already there.
 */
import type * as k8s from "@kubernetes/client-node";
import { parseSummary, type BuildSummary } from "../builder/termination";
import { runRecordKey } from "../segments/keys";
import { setCondition, type Condition, type ConditionUpdate } from "../crds/conditions";
import type { Phase, SegmentBuild, SegmentBuildStatus } from "../crds/types";
import { BUILD_CONTAINER } from "./job-template";

/** The build program's exit code for incomplete inputs (build/run.ts). */
const EXIT_INCOMPLETE = 3;

const iso = (t: Date | string | undefined): string | undefined =>
  t === undefined ? undefined : new Date(t as string).toISOString();

function jobCondition(job: k8s.V1Job, type: string): k8s.V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

/** The build container's last termination among the Job's pods, newest pod first. */
function lastTermination(pods: readonly k8s.V1Pod[]): k8s.V1ContainerStateTerminated | undefined {
  const newest = [...pods].sort(
    (a, b) => +new Date(b.metadata?.creationTimestamp ?? 0) - +new Date(a.metadata?.creationTimestamp ?? 0),
  );
  for (const pod of newest) {
    const c = pod.status?.containerStatuses?.find((s) => s.name === BUILD_CONTAINER);
    const terminated = c?.state?.terminated ?? c?.lastState?.terminated;
    if (terminated) return terminated;
  }
  return undefined;
}

function fromSummary(summary: BuildSummary | undefined): Partial<SegmentBuildStatus> {
  if (!summary) return {};
  return {
    buildId: summary.buildId,
    runRecordKey: runRecordKey(summary.buildId),
    ...(summary.manifestKey ? { manifestKey: summary.manifestKey } : {}),
    counts: summary.counts,
    timingsMs: summary.timingsMs,
  };
}

export interface Outcome {
  phase: Phase;
  reason?: string;
  message?: string;
}

/** The phase of a build whose Job is `job`, with the reason when it failed. */
export function outcomeOf(sb: SegmentBuild, job: k8s.V1Job, pods: readonly k8s.V1Pod[]): Outcome {
  const terminated = lastTermination(pods);
  const summary = parseSummary(terminated?.message);
  if (jobCondition(job, "Complete")) {
    const wanted = sb.spec.embeddingVersion;
    if (wanted && summary?.embeddingVersion && summary.embeddingVersion !== wanted)
      return {
        phase: "Failed",
        reason: "EmbeddingVersionMismatch",
        message: `the build embedded with ${summary.embeddingVersion}, not ${wanted}`,
      };
    if (summary?.status === "skipped")
      return { phase: "Succeeded", reason: "AlreadyPublished", message: summary.detail || "window already published" };
    return { phase: "Succeeded", message: summary ? "" : "the build left no summary in its termination message" };
  }
  const failed = jobCondition(job, "Failed");
  if (failed) {
    const detail = summary?.detail || terminated?.message?.trim() || failed.message || "";
    if (terminated?.exitCode === EXIT_INCOMPLETE)
      return { phase: "Failed", reason: "InputsIncomplete", message: detail || "the window's inputs are incomplete" };
    const reason = failed.reason || terminated?.reason || "JobFailed";
    const exit = terminated
      ? ` (build exited ${terminated.exitCode}${terminated.reason ? `, ${terminated.reason}` : ""})`
      : "";
    return {
      phase: "Failed",
      reason,
      message: `${failed.message ?? reason}${exit}${detail && detail !== failed.message ? `: ${detail}` : ""}`,
    };
  }
  const running = (job.status?.active ?? 0) > 0 && pods.some((p) => p.status?.phase === "Running");
  return { phase: running ? "Running" : "Pending" };
}

/** The status to write for `sb` given its Job (and pods), keeping what is already recorded. */
export function statusFor(sb: SegmentBuild, job: k8s.V1Job, pods: readonly k8s.V1Pod[], now: Date): SegmentBuildStatus {
  const generation = sb.metadata.generation ?? 1;
  const previous = sb.status ?? {};
  const outcome = outcomeOf(sb, job, pods);
  const done = outcome.phase === "Succeeded" || outcome.phase === "Failed";
  let conditions: Condition[] = setCondition(
    previous.conditions,
    { type: "JobCreated", status: "True", reason: "Created", message: `Job ${job.metadata?.name}` },
    generation,
    now,
  );
  conditions = setCondition(
    conditions,
    done
      ? outcome.phase === "Succeeded"
        ? { type: "Complete", status: "True", reason: outcome.reason ?? "Published", message: outcome.message ?? "" }
        : { type: "Complete", status: "False", reason: outcome.reason ?? "Failed", message: outcome.message ?? "" }
      : { type: "Complete", status: "Unknown", reason: outcome.phase, message: "" },
    generation,
    now,
  );
  conditions = setCondition(
    conditions,
    outcome.phase === "Failed"
      ? { type: "Failed", status: "True", reason: outcome.reason ?? "Failed", message: outcome.message ?? "" }
      : { type: "Failed", status: "False", reason: outcome.phase, message: "" },
    generation,
    now,
  );
  const finishedAt = job.status?.completionTime ?? jobCondition(job, "Failed")?.lastTransitionTime;
  const status: SegmentBuildStatus = {
    observedGeneration: generation,
    phase: outcome.phase,
    conditions,
    jobName: job.metadata?.name,
    jobCreatedAt: previous.jobCreatedAt ?? iso(job.metadata?.creationTimestamp),
    ...(job.status?.startTime ? { startedAt: iso(job.status.startTime) } : {}),
    ...(done && finishedAt ? { completedAt: iso(finishedAt) } : {}),
    ...(done ? fromSummary(parseSummary(lastTermination(pods)?.message)) : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.message ? { message: outcome.message.slice(0, 4096) } : {}),
  };
  return status;
}

/** A build whose status may not change any more: its Job's outcome is recorded. */
export const finished = (sb: SegmentBuild): boolean =>
  sb.status?.phase === "Succeeded" || sb.status?.phase === "Failed";

/** The status of a build that has no Job: one condition set, its reason and message also the build's. */
function statusWithoutJob(sb: SegmentBuild, phase: Phase, condition: ConditionUpdate, now: Date): SegmentBuildStatus {
  const generation = sb.metadata.generation ?? 1;
  return {
    observedGeneration: generation,
    phase,
    conditions: setCondition(sb.status?.conditions, condition, generation, now),
    reason: condition.reason,
    message: condition.message,
  };
}

/** The status of a build refused before any Job (e.g. a source the operator does not build into). */
export function refusedStatus(sb: SegmentBuild, reason: string, message: string, now: Date): SegmentBuildStatus {
  return {
    ...statusWithoutJob(sb, "Failed", { type: "Failed", status: "True", reason, message }, now),
    completedAt: now.toISOString(),
  };
}

/** The reason of a build waiting for others of its tier. */
export const WAITING = "WaitingForTier";

/** A Job that has not ended (neither Complete nor Failed). */
export const jobActive = (job: k8s.V1Job): boolean =>
  !job.status?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");

/** The status of a build that waits for its tier's running builds before its Job is created. */
export function waitingStatus(sb: SegmentBuild, message: string, now: Date): SegmentBuildStatus {
  return statusWithoutJob(sb, "Pending", { type: "JobCreated", status: "False", reason: WAITING, message }, now);
}
