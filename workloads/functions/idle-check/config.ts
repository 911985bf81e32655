/** The idle check's settings, from its environment; the ops stack fills them with `environmentFor`. */
import { z } from "zod";
import { GPU_METRICS_NAMESPACE } from "../../shared/conventions";
import { envBool, envInt, envNumber, loadEnv } from "../../shared/env";
import type { CheckSettings } from "./check";

export const idleCheckEnv = z
  .object({
    /** Secrets Manager secret with the Slack app's `botToken` (and `signingSecret`). */
    SLACK_SECRET_ARN: z.string().min(1),
    SLACK_API_URL: z.url().default("https://slack.com/api"),
    METRICS_NAMESPACE: z.string().min(1).default(GPU_METRICS_NAMESPACE),
    WARN_AFTER_HOURS: envInt(1, 168).default(3),
    STOP_AFTER_HOURS: envInt(1, 168).default(4),
    GPU_UTIL_PERCENT: envNumber(0, 100).default(5),
    GPU_MEMORY_MIB: envNumber(0, 1_000_000).default(1024),
    GPU_MEMORY_HELD_IS_BUSY: envBool.default(true),
    CPU_CORE_PERCENT: envNumber(0, 100).default(20),
    NETWORK_BYTES_PER_SECOND: envNumber(0, 1e12).default(100_000),
    DRY_RUN: envBool.default(false),
    REPORT_CHANNEL: z.string().min(1).optional(),
  })
  .refine((e) => e.STOP_AFTER_HOURS > e.WARN_AFTER_HOURS, {
    message: "must be above WARN_AFTER_HOURS, so the owner is warned before the stop",
    path: ["STOP_AFTER_HOURS"],
  });
export type IdleCheckEnv = z.input<typeof idleCheckEnv>;

export interface IdleCheckConfig extends CheckSettings {
  slackSecretArn: string;
  slackApiUrl: string;
}

export function loadIdleCheckConfig(env: NodeJS.ProcessEnv = process.env): IdleCheckConfig {
  const e = loadEnv(idleCheckEnv, env);
  return {
    slackSecretArn: e.SLACK_SECRET_ARN,
    slackApiUrl: e.SLACK_API_URL,
    namespace: e.METRICS_NAMESPACE,
    warnAfterHours: e.WARN_AFTER_HOURS,
    stopAfterHours: e.STOP_AFTER_HOURS,
    dryRun: e.DRY_RUN,
    reportChannel: e.REPORT_CHANNEL,
    thresholds: {
      gpuUtilPercent: e.GPU_UTIL_PERCENT,
      gpuMemoryMiB: e.GPU_MEMORY_MIB,
      gpuMemoryHeldIsBusy: e.GPU_MEMORY_HELD_IS_BUSY,
      cpuCorePercent: e.CPU_CORE_PERCENT,
      networkBytesPerSecond: e.NETWORK_BYTES_PER_SECOND,
    },
  };
}

/** The function's environment for the given settings (what the ops stack deploys). */
export function environmentFor(s: Omit<IdleCheckConfig, "namespace"> & { namespace?: string }): Record<string, string> {
  const env: Record<string, string> = {
    SLACK_SECRET_ARN: s.slackSecretArn,
    SLACK_API_URL: s.slackApiUrl,
    METRICS_NAMESPACE: s.namespace ?? GPU_METRICS_NAMESPACE,
    WARN_AFTER_HOURS: String(s.warnAfterHours),
    STOP_AFTER_HOURS: String(s.stopAfterHours),
    GPU_UTIL_PERCENT: String(s.thresholds.gpuUtilPercent),
    GPU_MEMORY_MIB: String(s.thresholds.gpuMemoryMiB),
    GPU_MEMORY_HELD_IS_BUSY: String(s.thresholds.gpuMemoryHeldIsBusy),
    CPU_CORE_PERCENT: String(s.thresholds.cpuCorePercent),
    NETWORK_BYTES_PER_SECOND: String(s.thresholds.networkBytesPerSecond),
    DRY_RUN: String(s.dryRun),
  };
  if (s.reportChannel) env.REPORT_CHANNEL = s.reportChannel;
  return env;
}
