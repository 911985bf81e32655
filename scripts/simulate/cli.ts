/**
 * npm run simulate -- [--policy step|backlog|scheduled|fixed-N|config:Pulumi.<stack>.yaml[,...]]
 *   [--scenario scripts/simulate/scenarios/day.json] [--trace arrivals.csv] [--seed N] [--svg out.svg]
 * Replays one simulated day through each policy and prints SLO misses, upload-to-verdict p50/p99,
 * GPU-hours and the peak task count; --svg writes the backlog-and-tasks plot.
 */
import { writeFileSync } from "node:fs";
import { CANDIDATES } from "./candidates";
import { chart } from "./chart";
import { DEFAULT_SCENARIO, runPolicies } from "./run";

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name}: expected a value`);
  return value;
}

function main(argv: string[]): void {
  const seed = option(argv, "seed");
  if (seed !== undefined && !/^\d+$/.test(seed)) throw new Error(`--seed ${seed}: expected a non-negative integer`);
  const policies = (option(argv, "policy") ?? [...Object.keys(CANDIDATES), "fixed-4", "fixed-10"].join(","))
    .split(",")
    .filter(Boolean);
  const { scenario, results } = runPolicies({
    scenarioPath: option(argv, "scenario") ?? DEFAULT_SCENARIO,
    tracePath: option(argv, "trace"),
    seed: seed === undefined ? undefined : Number(seed),
    policies,
  });
  console.log(`${results[0]?.arrivals ?? 0} photos over ${scenario.durationSeconds} s, seed ${scenario.seed}`);
  console.log("| policy | SLO misses | p50 | p99 | worst | GPU-hours | peak tasks |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    const s = (x: number) => `${x < 10 ? x.toFixed(2) : Math.round(x)} s`;
    console.log(
      `| ${r.policy} | ${r.sloMisses} | ${s(r.p50Seconds)} | ${s(r.p99Seconds)} | ${s(r.maxSeconds)} | ${r.gpuHours.toFixed(1)} | ${r.peakTasks} |`,
    );
  }
  const svg = option(argv, "svg");
  if (svg) {
    writeFileSync(svg, chart(results, `Photo workers over a simulated day (seed ${scenario.seed})`));
    console.log(`plot: ${svg}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(`simulate: ${(err as Error).message}`);
  process.exit(1);
}
