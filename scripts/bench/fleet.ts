/**
 * Bench suite `fleet`: each scaling policy over the simulated day (scripts/simulate/, one trace for
 * all): SLO misses, upload-to-verdict p99, GPU-hours, peak tasks. A planning figure, not a speed:
 * the same seed gives the same lines; `burst-3x.` lines are the same day with a noon burst three times
 * as large. Options: --scenario FILE (that one only), --seed N.
 */
import { CANDIDATES } from "../simulate/candidates";
import { DEFAULT_SCENARIO, runPolicies } from "../simulate/run";
import { numberOption, type Report } from "./figures";

/** The day as planned, and the same day with the noon campaign three times as large (the margin). */
const SCENARIOS: Array<[prefix: string, path: string]> = [
  ["", DEFAULT_SCENARIO],
  ["burst-3x.", DEFAULT_SCENARIO.replace(/day\.json$/, "day-burst-3x.json")],
];

export async function run(argv: string[], report: Report): Promise<void> {
  const i = argv.indexOf("--scenario");
  const scenarios: Array<[string, string]> = i >= 0 ? [["", argv[i + 1]]] : SCENARIOS;
  const seed = argv.includes("--seed") ? numberOption(argv, "seed", 1) : undefined;
  const policies = [...Object.keys(CANDIDATES), "fixed-4", "fixed-10"];
  for (const [prefix, scenarioPath] of scenarios) {
    const { scenario, results } = runPolicies({ scenarioPath, seed, policies });
    report({
      label: `${prefix}scenario`,
      value: `${results[0].arrivals} photos in ${scenario.durationSeconds} s`,
      note: `seed ${scenario.seed}, ${scenario.service.perPhotoSeconds * 1000} ms a photo, cold start ${scenario.fleet.coldStart.meanSeconds} s`,
    });
    for (const r of results) {
      const pct = (100 * r.sloMisses) / Math.max(1, r.arrivals);
      const label = `${prefix}${r.policy}`;
      report({ label: `${label}.slo-misses`, value: r.sloMisses, unit: "photos", note: `${pct.toFixed(2)} %` });
      report({ label: `${label}.p99`, value: Math.round(r.p99Seconds), unit: "s", note: "upload to verdict" });
      report({ label: `${label}.gpu-hours`, value: Number(r.gpuHours.toFixed(1)), unit: "GPU-h" });
      report({ label: `${label}.peak-tasks`, value: r.peakTasks, unit: "tasks" });
    }
  }
}
