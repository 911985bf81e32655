/**
 * What the simulator replays: the arrivals (steady, a daily cycle, bursts, or a recorded trace),
 * the work per photo, how long a task takes to start, and the CloudWatch timing the policies see.
 * A scenario is JSON (scripts/simulate/scenarios/), validated here so a bad file names its key.
 */
import { z } from "zod";
import type { Random } from "./prng";

const seconds = z.number().min(0);
const spread = z.object({ meanSeconds: z.number().positive(), cv: z.number().min(0).max(3).default(0) }).strict();

export const scenarioSchema = z
  .object({
    seed: z.number().int().default(1),
    durationSeconds: z.number().positive().default(86400),
    arrivals: z
      .object({
        /** A constant Poisson rate, photos/s. */
        steadyPerSecond: z.number().min(0).default(0),
        /** A daily cycle added to it: trough at peakHour ± 12 h, peak at peakHour (UTC). */
        daily: z
          .object({
            troughPerSecond: z.number().min(0),
            peakPerSecond: z.number().min(0),
            peakHour: z.number().min(0).max(24),
            /** Higher is a narrower peak (the cosine's power). */
            sharpness: z.number().min(1).max(16).default(1),
          })
          .strict()
          .optional(),
        /** Extra photos/s for a while (a campaign, an app release). */
        bursts: z
          .array(z.object({ atSeconds: seconds, durationSeconds: seconds, perSecond: z.number().min(0) }).strict())
          .default([]),
      })
      .strict(),
    service: z
      .object({
        /** Mean work per photo on one task, s (receive, download, decode, inference, report). */
        perPhotoSeconds: z.number().positive(),
        /** Spread of a batch's time around n × perPhotoSeconds (coefficient of variation of one photo). */
        cv: z.number().min(0).max(3).default(0),
        /** Photos a task takes at once (the worker's BATCH_SIZE). */
        batchSize: z.number().int().min(1).default(8),
        /** Fixed time per batch on top of the photos (a receive and a delete round trip), s. */
        batchOverheadSeconds: seconds.default(0),
      })
      .strict(),
    fleet: z
      .object({
        /** A task on a new GPU instance: capacity-provider alarm, instance boot, ECS agent, image pull, model load. */
        coldStart: spread,
        /** A task on an instance still up since its last task stopped: the image is cached. */
        warmStart: spread,
        /** How long an idle instance stays before the capacity provider terminates it, s. */
        instanceScaleInDelaySeconds: seconds.default(900),
        /** The Auto Scaling group's maxSize: no more instances, so no more tasks. */
        maxInstances: z.number().int().min(1).default(10),
      })
      .strict(),
    cloudwatch: z
      .object({
        /** One datapoint per period, s (SQS and Container Insights publish each minute). */
        periodSeconds: z.number().positive().default(60),
        /** A datapoint becomes visible to alarms this long after its period ends, s. */
        publishLagSeconds: seconds.default(60),
        /** How often the queue is sampled inside a period (Maximum / Average are over these), s. */
        sampleSeconds: z.number().positive().default(10),
      })
      .strict()
      .default({ periodSeconds: 60, publishLagSeconds: 60, sampleSeconds: 10 }),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;

/** Validates a parsed scenario file; errors name the key (`service.perPhotoSeconds: ...`). */
export function parseScenario(raw: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
  throw new Error(`${source}: invalid scenario:\n  ${problems.join("\n  ")}`);
}

/** Photos/s at `t` seconds after midnight UTC. */
export function rateAt(arrivals: Scenario["arrivals"], t: number): number {
  let rate = arrivals.steadyPerSecond;
  const d = arrivals.daily;
  if (d) {
    const phase = (1 + Math.cos((2 * Math.PI * (t / 3600 - d.peakHour)) / 24)) / 2;
    rate += d.troughPerSecond + (d.peakPerSecond - d.troughPerSecond) * phase ** d.sharpness;
  }
  for (const b of arrivals.bursts) if (t >= b.atSeconds && t < b.atSeconds + b.durationSeconds) rate += b.perSecond;
  return rate;
}

/** Arrival times, sorted: a Poisson count per second at that second's rate, spread uniformly within it. */
export function generateArrivals(scenario: Scenario, random: Random): Float64Array {
  const counts: number[] = [];
  let total = 0;
  for (let s = 0; s < scenario.durationSeconds; s++) {
    const n = random.poisson(rateAt(scenario.arrivals, s + 0.5));
    counts.push(n);
    total += n;
  }
  const times = new Float64Array(total);
  let i = 0;
  counts.forEach((n, s) => {
    const within = Array.from({ length: n }, () => random.next()).sort((a, b) => a - b);
    for (const u of within) times[i++] = s + u;
  });
  return times;
}

/** A recorded trace: one arrival per line, seconds since the trace's start (a header line and blanks are skipped). */
export function parseTrace(text: string, source: string): Float64Array {
  const times: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const cell = line.split(",")[0].trim();
    if (cell === "" || (i === 0 && Number.isNaN(Number(cell)))) return;
    const t = Number(cell);
    if (!Number.isFinite(t) || t < 0)
      throw new Error(`${source}:${i + 1}: expected seconds since the trace's start, got "${cell}"`);
    times.push(t);
  });
  return Float64Array.from(times).sort();
}
