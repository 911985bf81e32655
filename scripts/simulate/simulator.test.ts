import { expect } from "chai";
import fc from "fast-check";
import {
  scalingConfig,
  type StepScalingConfig,
  type BacklogScalingConfig,
} from "../../infra/stacks/classification-scaling";
import { backlogPolicy, fixedPolicy, stepPolicy } from "./policies";
import { seeded } from "./prng";
import { generateArrivals, parseScenario, parseTrace, type Scenario } from "./scenario";
import { simulate } from "./simulator";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DEFAULT_SCENARIO, runPolicies } from "./run";

const scenario = (over: Record<string, unknown> = {}): Scenario =>
  parseScenario(
    {
      seed: 7,
      durationSeconds: 3600,
      arrivals: { steadyPerSecond: 5 },
      service: { perPhotoSeconds: 0.1, cv: 0.3, batchSize: 4, batchOverheadSeconds: 0.01 },
      fleet: { coldStart: { meanSeconds: 300, cv: 0.2 }, warmStart: { meanSeconds: 30 }, maxInstances: 10 },
      ...over,
    },
    "test",
  );
const step = (over: Partial<StepScalingConfig> = {}) =>
  scalingConfig.parse({
    policy: "step",
    minTasks: 1,
    maxTasks: 6,
    scaleOutAgeSeconds: 120,
    scaleInAgeSeconds: 30,
    ...over,
  }) as StepScalingConfig;
const backlog = (over: Partial<BacklogScalingConfig> = {}) =>
  scalingConfig.parse({
    policy: "backlog",
    minTasks: 1,
    maxTasks: 6,
    targetBacklogPerTask: 200,
    ...over,
  }) as BacklogScalingConfig;

describe("fleet simulator", () => {
  const arbitraryScenario = fc.record({
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    rate: fc.double({ min: 0, max: 40, noNaN: true }),
    burst: fc.double({ min: 0, max: 80, noNaN: true }),
    perPhoto: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    cv: fc.double({ min: 0, max: 1, noNaN: true }),
    batch: fc.integer({ min: 1, max: 8 }),
  });
  const build = (
    a: { seed: number; rate: number; burst: number; perPhoto: number; cv: number; batch: number },
    overhead = 0.01,
  ) =>
    scenario({
      seed: a.seed,
      durationSeconds: 1800,
      arrivals: { steadyPerSecond: a.rate, bursts: [{ atSeconds: 300, durationSeconds: 120, perSecond: a.burst }] },
      service: { perPhotoSeconds: a.perPhoto, cv: a.cv, batchSize: a.batch, batchOverheadSeconds: overhead },
    });

  it("accounts for every arrival: completed, in a batch, or still queued, under every policy", () => {
    fc.assert(
      fc.property(arbitraryScenario, fc.constantFrom("fixed", "step", "backlog"), (a, kind) => {
        const sc = build(a);
        const arrivals = generateArrivals(sc, seeded(sc.seed));
        const policy =
          kind === "fixed" ? fixedPolicy(2) : kind === "step" ? stepPolicy(step()) : backlogPolicy(backlog());
        const r = simulate(sc, arrivals, policy, { sloSeconds: 600, recordCompletions: true });
        expect(r.completed + r.inFlight + r.pending).to.equal(r.arrivals);
        expect(r.arrivals).to.equal(arrivals.length);
        const done = (r.completions as Float64Array).filter((c) => !Number.isNaN(c));
        expect(done.length).to.equal(r.completed);
        // A verdict never comes before its upload.
        (r.completions as Float64Array).forEach((c, i) => Number.isNaN(c) || expect(c).to.be.greaterThan(arrivals[i]));
        expect(r.sloMisses).to.be.at.most(r.arrivals);
      }),
      { numRuns: 40 },
    );
  });

  it("never misses more with more tasks for a fixed trace and fixed capacity", () => {
    fc.assert(
      fc.property(arbitraryScenario, fc.integer({ min: 1, max: 4 }), (a, tasks) => {
        // Deterministic work per photo, no per-batch overhead: capacity is all that differs between the runs.
        const sc = build({ ...a, cv: 0 }, 0);
        const arrivals = generateArrivals(sc, seeded(sc.seed));
        const fewer = simulate(sc, arrivals, fixedPolicy(tasks), { sloSeconds: 60 });
        const more = simulate(sc, arrivals, fixedPolicy(tasks + 1), { sloSeconds: 60 });
        expect(more.sloMisses).to.be.at.most(fewer.sloMisses);
        expect(more.p99Seconds).to.be.at.most(fewer.p99Seconds + 0.01);
      }),
      { numRuns: 40 },
    );
  });

  it("gives the same result for the same seed and trace, and another for another seed", () => {
    const sc = scenario();
    const run = (seed: number) => {
      const s = { ...sc, seed };
      return simulate(s, generateArrivals(s, seeded(seed)), stepPolicy(step()), { sloSeconds: 600 });
    };
    expect(run(3)).to.deep.equal(run(3));
    expect(run(4).arrivals).to.not.equal(run(3).arrivals);
  });

  it("step: scales out one task per cooldown, only once an age datapoint over the threshold is published", () => {
    // 1 task serves 40 photos/s; 100/s for 20 minutes from minute 5 builds a backlog.
    const sc = scenario({
      arrivals: { steadyPerSecond: 2, bursts: [{ atSeconds: 300, durationSeconds: 1200, perSecond: 100 }] },
      service: { perPhotoSeconds: 0.025, batchSize: 8 },
    });
    const r = simulate(sc, generateArrivals(sc, seeded(1)), stepPolicy(step({ cooldownSeconds: 300 })), {
      sloSeconds: 3600,
    });
    const rises = r.series.filter((p, i) => i > 0 && p.desired > r.series[i - 1].desired).map((p) => p.t);
    expect(rises.length).to.be.greaterThan(1);
    rises.slice(1).forEach((t, i) => expect(t - rises[i]).to.be.at.least(300));
    // The first rise follows a period whose age Maximum passed 120 s, one period and the lag later.
    const over = r.series.findIndex((p) => p.age > 120);
    expect(rises[0]).to.be.at.least(r.series[over].t + 120);
    expect(r.series.every((p, i) => i === 0 || p.desired - r.series[i - 1].desired <= 1)).to.equal(true);
    // New tasks run only after their cold start (300 s ± 20 %).
    const firstRise = r.series.findIndex((p) => p.t === rises[0]);
    expect(r.series[firstRise + 2].running).to.be.below(r.series[firstRise].desired);
  });

  it("backlog: scales out proportionally after 3 datapoints, in only after 15 under 90 % of the target", () => {
    const sc = scenario({
      durationSeconds: 7200,
      arrivals: { steadyPerSecond: 2, bursts: [{ atSeconds: 600, durationSeconds: 600, perSecond: 150 }] },
      service: { perPhotoSeconds: 0.025, batchSize: 8 },
    });
    const r = simulate(sc, generateArrivals(sc, seeded(2)), backlogPolicy(backlog({ targetBacklogPerTask: 500 })), {
      sloSeconds: 3600,
    });
    const jump = r.series.findIndex((p, i) => i > 0 && p.desired > r.series[i - 1].desired);
    expect(r.series[jump].desired - r.series[jump - 1].desired).to.be.greaterThan(1);
    const peak = r.series.findIndex((p) => p.desired === r.peakTasks);
    const drop = r.series.findIndex((p, i) => i > peak && p.desired < r.series[i - 1].desired);
    const quiet = r.series.findIndex((p, i) => i > peak && p.visible / Math.max(1, p.running) < 450);
    expect(drop - quiet).to.be.at.least(15);
    expect(r.series.at(-1)?.desired).to.equal(1);
  });

  it("backlog with a floor holds the scheduled minimum and counts GPU time until idle instances go", () => {
    const sc = scenario({ durationSeconds: 7200, arrivals: { steadyPerSecond: 0 } });
    const cfg = backlog({
      schedule: [
        { atUtc: "00:30", minTasks: 3 },
        { atUtc: "01:00", minTasks: 1 },
      ],
    });
    const r = simulate(sc, new Float64Array(0), backlogPolicy(cfg), { sloSeconds: 3600 });
    const at = (t: number) => r.series.find((p) => p.t === t) as (typeof r.series)[number];
    expect([at(1740).desired, at(1800).desired, at(3540).desired]).to.deep.equal([1, 3, 3]);
    expect(at(3660).desired).to.equal(1);
    // 1 instance for 2 h, 2 more from 00:30 to 01:00 and their 15 idle minutes: 2 + 2 × 0.75 h.
    expect(r.gpuHours).to.be.closeTo(3.5, 0.01);
    expect(r.completed + r.pending + r.inFlight).to.equal(0);
  });

  it("names the key of a bad scenario and the line of a bad trace", () => {
    expect(() => parseScenario({ arrivals: {}, service: { perPhotoSeconds: -1 }, fleet: {} }, "day.json")).to.throw(
      /day\.json: invalid scenario:[\s\S]*service\.perPhotoSeconds/,
    );
    expect(Array.from(parseTrace("seconds\n0.5\n\n0.25\n", "t.csv"))).to.deep.equal([0.25, 0.5]);
    expect(() => parseTrace("seconds\n1\nsoon\n", "t.csv")).to.throw(
      't.csv:3: expected seconds since the trace\'s start, got "soon"',
    );
  });

  it("replays a recorded trace through every policy for as long as the trace lasts", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "fleet-trace-")), "arrivals.csv");
    // 30 photos a second for 10 minutes, then nothing: one task (33.9 photos/s at batch 8) keeps up.
    writeFileSync(file, ["seconds", ...Array.from({ length: 18000 }, (_, i) => (i / 30).toFixed(3))].join("\n"));
    const { scenario, results } = runPolicies({
      scenarioPath: DEFAULT_SCENARIO,
      tracePath: file,
      policies: ["fixed-1", "step"],
    });
    expect(scenario.durationSeconds).to.equal(600);
    for (const r of results) {
      expect(r.arrivals).to.equal(18000);
      expect(r.completed + r.inFlight + r.pending).to.equal(18000);
      expect(r.sloMisses).to.equal(0);
    }
    expect(results[0].gpuHours).to.be.closeTo(600 / 3600, 1e-9);
    expect(results[1].gpuHours).to.be.closeTo((4 * 600) / 3600, 1e-9);
  });
});
