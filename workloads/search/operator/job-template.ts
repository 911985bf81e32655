/**
 * What the operator makes a build's Job from: per tier, the pod (the build image, its
 * environment, resources, placement and volumes, as the search stack renders it) and the Job's
 * limits. The operator adds the window's command line, its labels and the owner reference.
 * Passed as JSON in the operator's environment (BUILD_JOB_TEMPLATE) and checked at start.
 */
import { z } from "zod";
import { TIERS } from "../crds/types";

/** The container the build program runs in; the operator gives it `--tier T --window W [--force]`. */
export const BUILD_CONTAINER = "build";

const TierJob = z.strictObject({
  /** Seconds a build may run before the Job is failed (reason DeadlineExceeded). */
  activeDeadlineSeconds: z.int().min(1),
  /** Pod retries before the Job is failed (reason BackoffLimitExceeded). */
  backoffLimit: z.int().min(0).max(10),
  /** Seconds a finished Job (and its pods) is kept; the SegmentBuild keeps the record. */
  ttlSecondsAfterFinished: z.int().min(0),
  /**
   * Builds of this tier running at once; more wait, Pending (reason WaitingForTier). The hourly
   * build's image cache is one ReadWriteOnce volume, and a compaction reads what the one before wrote.
   */
  maxConcurrent: z.int().min(1).max(1000),
  /** Labels of the Job and its pods (the component's, which its network policies select). */
  labels: z.record(z.string(), z.string()),
  /** The pod spec, as Kubernetes takes it; must have the build container. */
  pod: z.looseObject({
    containers: z.array(z.looseObject({ name: z.string(), image: z.string() })).min(1),
  }),
});

export const BuildJobTemplate = z.strictObject({
  /** The asset repository the builds publish to, `s3://bucket/`: a SegmentBuild naming another is refused. */
  source: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/$/, "expected s3://bucket/"),
  tiers: z
    .record(z.enum(TIERS), TierJob)
    .refine((t) => TIERS.every((tier) => t[tier]), { message: `needs every tier: ${TIERS.join(", ")}` })
    .refine((t) => Object.values(t).every((j) => j.pod.containers.some((c) => c.name === BUILD_CONTAINER)), {
      message: `every tier's pod needs a container named ${BUILD_CONTAINER}`,
    }),
});
export type BuildJobTemplate = z.infer<typeof BuildJobTemplate>;
export type TierJob = z.infer<typeof TierJob>;

/** The template from its JSON text; the error names the field. */
export function parseJobTemplate(text: string): BuildJobTemplate {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`BUILD_JOB_TEMPLATE is not JSON: ${(err as Error).message}`);
  }
  const parsed = BuildJobTemplate.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`BUILD_JOB_TEMPLATE ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}
