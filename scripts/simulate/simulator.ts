/**
 * The fleet simulator: a pure, seeded discrete-event run of the photo pipeline. Photos arrive
 * (a sorted list of times), wait in the queue, and are taken in batches, first in first out, by
 * whichever running task is free first; a batch's photos are deleted (their verdict stored) when
 * the batch ends. Every period the queue's CloudWatch datapoints are written and the policy is
 * evaluated; a higher desired count starts tasks (on an idle instance if one is still up, else on
 * a new one, after the start latency), a lower one drains tasks (they finish their batch). GPU
 * time is instance time: from launch until the capacity provider terminates the idle instance.
 * No clock, no I/O: one scenario, trace and seed give one result.
 */
import { MetricStore } from "./cloudwatch";
import type { ScalingPolicy } from "./policies";
import { seeded } from "./prng";
import type { Scenario } from "./scenario";

export interface PeriodRecord {
  /** The period's start, s. */
  t: number;
  /** Visible photos (Average over the period). */
  visible: number;
  /** Oldest photo not yet deleted (Maximum over the period), s. */
  age: number;
  desired: number;
  running: number;
  instances: number;
}

export interface SimulationResult {
  policy: string;
  arrivals: number;
  /** Verdicts stored by the end. */
  completed: number;
  /** In a batch at the end. */
  inFlight: number;
  /** Still waiting in the queue at the end. */
  pending: number;
  /** Completed photos whose upload-to-verdict time exceeded the SLO, plus pending and in-flight ones already over it. */
  sloMisses: number;
  /** Upload-to-verdict percentiles of completed photos, s. */
  p50Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
  /** Largest age datapoint the alarms saw, s. */
  maxAgeDatapoint: number;
  gpuHours: number;
  /** Largest desired count. */
  peakTasks: number;
  series: PeriodRecord[];
  /** Per photo, in arrival order: when its verdict was stored (NaN if not by the end); only with `recordCompletions`. */
  completions?: Float64Array;
}

export interface SimulationOptions {
  sloSeconds: number;
  /** Keep every photo's completion time (for the validation against the real pipeline). */
  recordCompletions?: boolean;
}

interface Instance {
  launchedAt: number;
  /** When it last became idle (Infinity while a task holds it). */
  idleSince: number;
  terminatedAt: number;
}

interface Task {
  instance: Instance;
  readyAt: number;
  /** When its current batch ends (or readyAt before its first). */
  freeAt: number;
  /** Takes no batch at or after this (set when the service drains it). */
  stopAt: number;
  /** Arrival of the oldest photo in its current batch (for the age metric while it is in flight). */
  batchOldest: number;
}

/** Upload-to-verdict histogram: 10 ms buckets below 10 s, 1 s buckets above. */
class Latencies {
  private readonly buckets = new Float64Array(1000 + 4 * 86400);
  count = 0;
  max = 0;
  add(seconds: number, n = 1): void {
    const b =
      seconds < 10 ? Math.floor(seconds * 100) : Math.min(this.buckets.length - 1, 1000 + Math.floor(seconds) - 10);
    this.buckets[b] += n;
    this.count += n;
    if (seconds > this.max) this.max = seconds;
  }
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let seen = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      seen += this.buckets[b];
      if (seen >= rank) return b < 1000 ? (b + 1) / 100 : b - 1000 + 11;
    }
    return this.max;
  }
}

/** First index in sorted `times` with a value > t. */
function upperBound(times: Float64Array, t: number, from: number): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function simulate(
  scenario: Scenario,
  arrivals: Float64Array,
  policy: ScalingPolicy,
  options: SimulationOptions,
): SimulationResult {
  const random = seeded(scenario.seed ^ 0x9e3779b9);
  const { service, fleet, cloudwatch } = scenario;
  const period = cloudwatch.periodSeconds;
  const step = Math.min(cloudwatch.sampleSeconds, period);
  const end = scenario.durationSeconds;
  const metrics = new MetricStore(period, cloudwatch.publishLagSeconds);
  const latencies = new Latencies();
  const completions = options.recordCompletions ? new Float64Array(arrivals.length).fill(NaN) : undefined;
  const instances: Instance[] = [];
  let tasks: Task[] = [];
  let next = 0;
  let sloMisses = 0;
  let desired = 0;
  let peakTasks = 0;
  const series: PeriodRecord[] = [];

  const live = (t: number) => instances.filter((i) => i.launchedAt <= t && i.terminatedAt > t);

  /** Brings the service to `target` tasks at `t`: ECS starts or drains tasks at once. */
  const reconcile = (t: number, target: number, initial: boolean) => {
    const active = tasks.filter((k) => k.stopAt === Infinity);
    if (target > active.length) {
      const up = live(t);
      const idle = up.filter((i) => i.idleSince <= t);
      const room = idle.length + Math.max(0, fleet.maxInstances - up.length);
      for (let n = 0; n < Math.min(target - active.length, room); n++) {
        let instance = idle.shift();
        const start = instance ? fleet.warmStart : fleet.coldStart;
        if (!instance) {
          instance = { launchedAt: t, idleSince: Infinity, terminatedAt: Infinity };
          instances.push(instance);
        }
        instance.idleSince = Infinity;
        // The service's first tasks are up when the simulated day starts.
        const readyAt = initial ? t : t + random.lognormal(start.meanSeconds, start.cv);
        tasks.push({ instance, readyAt, freeAt: readyAt, stopAt: Infinity, batchOldest: Infinity });
      }
    } else if (target < active.length) {
      // Tasks still starting go first, then the newest running ones; a running one finishes its batch.
      const order = [...active].sort((a, b) => b.readyAt - a.readyAt);
      for (const task of order.slice(0, active.length - target)) {
        task.stopAt = t;
        task.instance.idleSince = task.readyAt > t ? t : Math.max(t, task.freeAt);
      }
    }
  };

  /** Starts every batch that can start before `until`. */
  const dispatch = (until: number) => {
    for (;;) {
      if (next >= arrivals.length) return;
      let best: Task | undefined;
      for (const k of tasks) if (k.freeAt < k.stopAt && (!best || k.freeAt < best.freeAt)) best = k;
      if (!best) return;
      const start = Math.max(best.freeAt, arrivals[next]);
      if (start >= until) return;
      if (start >= best.stopAt) {
        best.freeAt = Infinity;
        continue;
      }
      const n = Math.min(service.batchSize, upperBound(arrivals, start, next) - next);
      const work = n * random.lognormal(service.perPhotoSeconds, service.cv / Math.sqrt(n));
      const done = start + service.batchOverheadSeconds + work;
      for (let i = next; i < next + n; i++) {
        const wait = done - arrivals[i];
        if (done <= end) {
          latencies.add(wait);
          if (wait > options.sloSeconds) sloMisses++;
          if (completions) completions[i] = done;
        } else if (end - arrivals[i] > options.sloSeconds) sloMisses++;
      }
      best.batchOldest = arrivals[next];
      best.freeAt = done;
      next += n;
    }
  };

  const oldestAge = (t: number) => {
    let oldest = next < arrivals.length && arrivals[next] <= t ? arrivals[next] : Infinity;
    for (const k of tasks) if (k.freeAt > t && k.freeAt !== Infinity && k.batchOldest < oldest) oldest = k.batchOldest;
    return oldest === Infinity ? 0 : t - oldest;
  };

  desired = policy.initial(0);
  reconcile(0, desired, true);
  for (let p = 0; p * period < end; p++) {
    const t0 = p * period;
    if (p > 0) {
      desired = policy.evaluate({ t: t0, desired, metrics });
      reconcile(t0, desired, false);
    }
    peakTasks = Math.max(peakTasks, desired);
    let visibleSum = 0;
    let samples = 0;
    let ageMax = oldestAge(t0);
    let runningSum = 0;
    for (let t = t0 + step; t <= Math.min(t0 + period, end) + 1e-9; t += step) {
      dispatch(t);
      visibleSum += upperBound(arrivals, t, next) - next;
      ageMax = Math.max(ageMax, oldestAge(t));
      runningSum += tasks.filter((k) => k.readyAt <= t && k.stopAt > t).length;
      samples++;
      // The capacity provider terminates instances idle for its scale-in delay.
      for (const i of instances)
        if (i.terminatedAt === Infinity && i.idleSince + fleet.instanceScaleInDelaySeconds <= t)
          i.terminatedAt = i.idleSince + fleet.instanceScaleInDelaySeconds;
    }
    // Drained tasks are gone once their last batch has ended.
    const periodEnd = t0 + period;
    tasks = tasks.filter((k) => k.stopAt === Infinity || (k.freeAt > periodEnd && k.freeAt !== Infinity));
    const running = runningSum / Math.max(1, samples);
    metrics.put("age", p, ageMax);
    metrics.put("visible", p, visibleSum / Math.max(1, samples));
    metrics.put("running", p, running);
    series.push({
      t: t0,
      visible: visibleSum / Math.max(1, samples),
      age: ageMax,
      desired,
      running,
      instances: live(t0).length,
    });
  }

  const completed = latencies.count;
  // Still queued at the end and already over the SLO.
  for (let i = next; i < arrivals.length; i++) if (end - arrivals[i] > options.sloSeconds) sloMisses++;
  const gpuSeconds = instances.reduce((sum, i) => sum + Math.max(0, Math.min(end, i.terminatedAt) - i.launchedAt), 0);
  return {
    policy: policy.name,
    arrivals: arrivals.length,
    completed,
    inFlight: next - completed,
    pending: arrivals.length - next,
    sloMisses,
    p50Seconds: latencies.quantile(0.5),
    p99Seconds: latencies.quantile(0.99),
    maxSeconds: latencies.max,
    maxAgeDatapoint: series.reduce((m, r) => Math.max(m, r.age), 0),
    gpuHours: gpuSeconds / 3600,
    peakTasks,
    series,
    completions,
  };
}
