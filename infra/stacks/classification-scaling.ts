/**
 * The classification layer's `ml-platform:scaling` key: which policy scales the GPU workers and
 * its parameters. The stack builds it (`infra/components/classification/`), and the fleet
 * simulator (`scripts/simulate/`) replays the same parameters, so the README's table is about
 * the policy a stack really deploys. Pure zod: nothing here touches Pulumi.
 */
import { z } from "zod";

const tasks = z.number().int().min(0);
const common = {
  /** Fewest worker tasks (GPU instances, one task each), also the service's initial count. */
  minTasks: tasks.default(4),
  maxTasks: z.number().int().min(1).default(10),
  /** Upload to verdict, s: what the policy is judged against (the simulator counts misses over it). */
  sloSeconds: z.number().int().min(60).default(3600),
};

/** The seed's policy: step scaling on ApproximateAgeOfOldestMessage (Maximum, 60 s periods). */
export const stepScaling = z
  .object({
    policy: z.literal("step"),
    ...common,
    /** Add stepTasks while the oldest message is older than this, s. */
    scaleOutAgeSeconds: z.number().int().min(30),
    /** Remove stepTasks while the oldest message stays younger than this for scaleInPeriods minutes, s. */
    scaleInAgeSeconds: z.number().int().min(1),
    stepTasks: z.number().int().min(1).default(1),
    /** Between two scale-outs, and between two scale-ins, s. */
    cooldownSeconds: z.number().int().min(60).default(300),
    /** Minutes the queue must stay young before a scale-in: slower in than out. */
    scaleInPeriods: z.number().int().min(1).default(10),
  })
  .strict();

/** A daily floor: from `atUtc` (HH:MM) until the next entry, at least minTasks (a scheduled action). */
const floor = z
  .object({
    atUtc: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a UTC time of day such as 16:30"),
    minTasks: z.number().int().min(1),
  })
  .strict();

/**
 * Target tracking on backlog per task (visible messages ÷ running tasks, a metric-math expression),
 * as AWS recommends for queue workers: target = acceptable queueing time ÷ time per photo.
 */
export const backlogScaling = z
  .object({
    policy: z.literal("backlog"),
    ...common,
    /** Visible photos per running task the policy holds the fleet at. */
    targetBacklogPerTask: z.number().int().min(1),
    /**
     * After a scale-out, before the next, s. At least the cold start: the metric divides by running tasks
     * while capacity counts desired ones, so a shorter cooldown adds tasks again for those still starting.
     */
    scaleOutCooldownSeconds: z.number().int().min(0).default(300),
    /** After a scale-in, before the next, s. Its alarm needs 15 one-minute datapoints (containers-roadmap#1220). */
    scaleInCooldownSeconds: z.number().int().min(0).default(300),
    /** Daily minimum-capacity floors (scheduled actions); [] for none: the predictable peak, started early. */
    schedule: z.array(floor).default([]),
  })
  .strict();

export type StepScalingConfig = z.output<typeof stepScaling>;
export type BacklogScalingConfig = z.output<typeof backlogScaling>;
export type ScalingConfig = StepScalingConfig | BacklogScalingConfig;

export const scalingConfig = z
  .preprocess(
    // Configs written before `policy` existed hold the step policy's keys: they keep meaning it.
    (v) => (typeof v === "object" && v !== null && !("policy" in v) ? { ...v, policy: "step" } : v),
    z.discriminatedUnion("policy", [stepScaling, backlogScaling], {
      error: () => 'expected policy "step" or "backlog"',
    }),
  )
  .superRefine((s, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (s.maxTasks < s.minTasks) problem("maxTasks", "maxTasks must be at least minTasks");
    if (s.policy === "step") {
      if (s.scaleOutAgeSeconds >= s.sloSeconds)
        problem(
          "scaleOutAgeSeconds",
          "scaleOutAgeSeconds must be below sloSeconds, or the SLO is missed before scaling starts",
        );
      if (s.scaleInAgeSeconds >= s.scaleOutAgeSeconds)
        problem("scaleInAgeSeconds", "scaleInAgeSeconds must be below scaleOutAgeSeconds");
    } else {
      // Backlog per task divides by running tasks: with none running there is no datapoint, so no scale-out.
      if (s.minTasks < 1)
        problem("minTasks", "minTasks must be at least 1 for backlog scaling (backlog ÷ running tasks)");
      s.schedule.forEach((f, i) => {
        if (f.minTasks > s.maxTasks)
          ctx.addIssue({ code: "custom", path: ["schedule", i, "minTasks"], message: "a floor above maxTasks" });
      });
      const times = s.schedule.map((f) => f.atUtc);
      if (new Set(times).size !== times.length) problem("schedule", "two floors start at the same time");
    }
  });

/** Seconds after midnight UTC of an `HH:MM` floor. */
export function secondOfDay(atUtc: string): number {
  const [h, m] = atUtc.split(":").map(Number);
  return h * 3600 + m * 60;
}

/** The floor in force at `secondOfDay` (the last one started, wrapping past midnight), or undefined. */
export function floorAt(schedule: BacklogScalingConfig["schedule"], second: number): number | undefined {
  if (schedule.length === 0) return undefined;
  const sorted = [...schedule].sort((a, b) => secondOfDay(a.atUtc) - secondOfDay(b.atUtc));
  const s = ((second % 86400) + 86400) % 86400;
  const started = sorted.filter((f) => secondOfDay(f.atUtc) <= s);
  return (started.at(-1) ?? sorted.at(-1))?.minTasks;
}
