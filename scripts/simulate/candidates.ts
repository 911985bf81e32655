/**
 * The policies the README compares, by name: the seed's step policy as deployed today, target
 * tracking on backlog per task, the same with a daily floor for the evening peak, and fixed
 * fleets as references. Each is an `ml-platform:scaling` value, so a winner is pasted into
 * Pulumi.classification.yaml as it is.
 */
import { scalingConfig, type ScalingConfig } from "../../infra/stacks/classification-scaling";
import { fixedPolicy, policyFor, type ScalingPolicy } from "./policies";

export const CANDIDATES: Record<string, ScalingConfig> = {
  step: scalingConfig.parse({
    policy: "step",
    minTasks: 4,
    maxTasks: 10,
    scaleOutAgeSeconds: 1800,
    scaleInAgeSeconds: 300,
  }),
  backlog: scalingConfig.parse({ policy: "backlog", minTasks: 4, maxTasks: 10, targetBacklogPerTask: 5000 }),
  scheduled: scalingConfig.parse({
    policy: "backlog",
    minTasks: 4,
    maxTasks: 10,
    targetBacklogPerTask: 5000,
    schedule: [
      { atUtc: "16:00", minTasks: 6 },
      { atUtc: "21:00", minTasks: 4 },
    ],
  }),
};

/** `step`, `backlog`, `scheduled`, or `fixed-N` (N tasks all day). */
export function candidate(name: string): { policy: ScalingPolicy; sloSeconds: number } {
  const fixed = /^fixed-(\d+)$/.exec(name);
  if (fixed) return { policy: fixedPolicy(Number(fixed[1])), sloSeconds: 3600 };
  const cfg = CANDIDATES[name];
  if (!cfg)
    throw new Error(
      `--policy ${name}: unknown policy; expected one of ${[...Object.keys(CANDIDATES), "fixed-N"].join(", ")}`,
    );
  return { policy: policyFor(cfg, name), sloSeconds: cfg.sloSeconds };
}
