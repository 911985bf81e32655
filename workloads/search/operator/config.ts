/**
 * The segment operator's two environments, each with its `environmentFor` (the search stack,
 * the local cluster view and the tests call them): the operator process, and `create-build`,
 * the step a CronJob runs to ask for a build.
 */
import { hostname } from "node:os";
import { z } from "zod";
import { environmentFrom, envInt, loadSettings, type Settings, type SettingsInput } from "../../shared/env";
import { parseBuildJobs } from "./job-template";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes name");

export const operatorEnv = z.object({
  NAMESPACE: name,
  /** This replica's identity in the Lease; in a pod its hostname is the pod's name. */
  POD_NAME: z
    .string()
    .min(1)
    .default(() => hostname()),
  OPS_PORT: envInt(0, 65535).default(9090),
  LEASE_NAME: name.default("segment-operator"),
  LEASE_DURATION_SECONDS: envInt(2, 300).default(15),
  RENEW_DEADLINE_SECONDS: envInt(1, 299).default(10),
  RETRY_PERIOD_SECONDS: envInt(1, 60).default(2),
  /** Every SegmentBuild is reconciled again this often whatever the events. */
  RESYNC_SECONDS: envInt(10, 86_400).default(300),
  WORKERS: envInt(1, 64).default(4),
  /** The builds' Job settings per tier and the name of each tier's PodTemplate, JSON (job-template.ts). */
  BUILD_JOBS: z.string().superRefine((text, ctx) => {
    try {
      parseBuildJobs(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  }),
});
export type OperatorSettings = Settings<typeof operatorEnv>;
export type OperatorSettingsInput = SettingsInput<typeof operatorEnv>;

export const loadOperatorSettings = (env: NodeJS.ProcessEnv = process.env): OperatorSettings =>
  loadSettings(operatorEnv, env);

export const environmentFor = (settings: OperatorSettingsInput): Record<string, string> =>
  environmentFrom(operatorEnv, settings);

export const createBuildEnv = z.object({
  NAMESPACE: name,
  /** The feed's close grace (the builds' FEED_CLOSE_GRACE_SECONDS): what `--window last-closed` waits for. */
  FEED_CLOSE_GRACE_SECONDS: envInt(0, 86_400).default(900),
  /** The asset repository to name as the build's source, `s3://bucket/`; omitted: the operator's. */
  SOURCE: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/$/, "expected s3://bucket/")
    .optional(),
});
export type CreateBuildSettings = Settings<typeof createBuildEnv>;
export type CreateBuildSettingsInput = SettingsInput<typeof createBuildEnv>;

export const loadCreateBuildSettings = (env: NodeJS.ProcessEnv = process.env): CreateBuildSettings =>
  loadSettings(createBuildEnv, env);

export const createBuildEnvironmentFor = (settings: CreateBuildSettingsInput): Record<string, string> =>
  environmentFrom(createBuildEnv, settings);

/** The Roles the operator and the CronJobs' create step need: part of their contract with the stack that grants them. */
export { creatorRules, operatorRules } from "./rbac";
/** The build Jobs' settings the stack hands the operator (BUILD_JOBS), and the build pods' PodTemplate contract. */
export { BUILD_CONTAINER, buildPodFrom, parseBuildJobs, type BuildJobs, type TierJob } from "./job-template";
export type { PolicyRule } from "./rbac";
