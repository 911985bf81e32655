/**
 * Scaling policies as pluggable functions of what CloudWatch shows: each is evaluated once per
 * period (as CloudWatch evaluates alarms, and re-invokes scaling actions each minute an alarm
 * stays in ALARM) and answers the service's new desired count. Each mirrors what the stack
 * deploys for the same `ml-platform:scaling` config (infra/stacks/classification-scaling.ts).
 */
import {
  floorAt,
  type BacklogScalingConfig,
  type ScalingConfig,
  type StepScalingConfig,
} from "../../infra/stacks/classification-scaling";
import { inAlarm, type MetricStore } from "./cloudwatch";

export interface Observation {
  /** Seconds since the simulated day's midnight UTC. */
  t: number;
  /** The service's desired count now (what Application Auto Scaling calls current capacity). */
  desired: number;
  metrics: MetricStore;
}

export interface ScalingPolicy {
  readonly name: string;
  /** Tasks at the start (the scalable target's minimum, as ECS starts the service). */
  initial(t: number): number;
  /** The desired count after this evaluation. */
  evaluate(obs: Observation): number;
}

/** A fixed fleet: the baseline, and the policy the property tests hold capacity with. */
export function fixedPolicy(tasks: number): ScalingPolicy {
  return { name: `fixed-${tasks}`, initial: () => tasks, evaluate: () => tasks };
}

/**
 * The seed's step policy (infra/components/classification/queue-age-scaling): +stepTasks while the
 * last age datapoint is over scaleOutAgeSeconds, at most once per cooldown; −stepTasks once every
 * one of the last scaleInPeriods datapoints is under scaleInAgeSeconds (missing counts as young),
 * blocked for a cooldown after the previous scale-in.
 */
export function stepPolicy(cfg: StepScalingConfig, name = "step"): ScalingPolicy {
  let lastOut = -Infinity;
  let lastIn = -Infinity;
  const age = (store: MetricStore, n: number, t: number) => store.latest("age", n, t);
  const out = { metric: age, periods: 1, breaches: (v: number) => v > cfg.scaleOutAgeSeconds, missingBreaches: false };
  const inn = {
    metric: age,
    periods: cfg.scaleInPeriods,
    breaches: (v: number) => v < cfg.scaleInAgeSeconds,
    missingBreaches: true,
  };
  return {
    name,
    initial: () => cfg.minTasks,
    evaluate({ t, desired, metrics }) {
      if (inAlarm(out, metrics, t)) {
        if (t < lastOut + cfg.cooldownSeconds || desired >= cfg.maxTasks) return desired;
        lastOut = t;
        return Math.min(cfg.maxTasks, desired + cfg.stepTasks);
      }
      if (inAlarm(inn, metrics, t) && t >= lastIn + cfg.cooldownSeconds && desired > cfg.minTasks) {
        lastIn = t;
        return Math.max(cfg.minTasks, desired - cfg.stepTasks);
      }
      return desired;
    },
  };
}

/**
 * Target tracking on backlog per task (visible ÷ running, metric math), with AWS's alarms: scale out
 * when 3 consecutive datapoints are over the target, to ceil(desired × metric ÷ target); scale in
 * when 15 consecutive datapoints are under 90 % of it. With a schedule, the floor in force is the
 * minimum (a scheduled action's minCapacity), and raising it raises the desired count at once.
 */
export function backlogPolicy(
  cfg: BacklogScalingConfig,
  name = cfg.schedule.length > 0 ? "scheduled" : "backlog",
): ScalingPolicy {
  let lastOut = -Infinity;
  let lastIn = -Infinity;
  const perTask = (store: MetricStore, n: number, t: number) => {
    const visible = store.latest("visible", n, t);
    return store
      .latest("running", n, t)
      .map((r, i) => (r === undefined || r === 0 || visible[i] === undefined ? undefined : (visible[i] as number) / r));
  };
  const high = {
    metric: perTask,
    periods: 3,
    breaches: (v: number) => v > cfg.targetBacklogPerTask,
    missingBreaches: false,
  };
  const low = {
    metric: perTask,
    periods: 15,
    breaches: (v: number) => v < 0.9 * cfg.targetBacklogPerTask,
    missingBreaches: false,
  };
  const minimum = (t: number) => floorAt(cfg.schedule, t) ?? cfg.minTasks;
  return {
    name,
    initial: (t) => Math.min(cfg.maxTasks, minimum(t)),
    evaluate({ t, desired, metrics }) {
      const min = Math.min(cfg.maxTasks, minimum(t));
      const floored = Math.max(desired, min);
      const [metric] = perTask(metrics, 1, t);
      if (metric === undefined) return floored;
      const wanted = Math.min(cfg.maxTasks, Math.max(min, Math.ceil((floored * metric) / cfg.targetBacklogPerTask)));
      if (wanted > floored && inAlarm(high, metrics, t) && t >= lastOut + cfg.scaleOutCooldownSeconds) {
        lastOut = t;
        return wanted;
      }
      const cooled = t >= lastIn + cfg.scaleInCooldownSeconds && t >= lastOut + cfg.scaleOutCooldownSeconds;
      if (wanted < floored && inAlarm(low, metrics, t) && cooled) {
        lastIn = t;
        return wanted;
      }
      return floored;
    },
  };
}

/** The policy a stack's `ml-platform:scaling` config deploys. */
export function policyFor(cfg: ScalingConfig, name?: string): ScalingPolicy {
  return cfg.policy === "step" ? stepPolicy(cfg, name) : backlogPolicy(cfg, name);
}
