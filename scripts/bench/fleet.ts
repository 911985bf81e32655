/**
 * Bench suite `fleet`: each scaling policy over the simulated day (scripts/simulate/, one trace for
 * all): SLO misses, upload-to-verdict p99, GPU-hours, peak tasks. A planning figure, not a speed:
 * the same seed gives the same lines. Options: --scenario FILE, --seed N.
 */
import { CANDIDATES } from "../simulate/candidates";
import { DEFAULT_SCENARIO, runPolicies } from "../simulate/run";
import { numberOption, type Report } from "./figures";

export async function run(argv: string[], report: Report): Promise<void> {
  const i = argv.indexOf("--scenario");
  const scenarioPath = i >= 0 ? argv[i + 1] : DEFAULT_SCENARIO;
  const seed = argv.includes("--seed") ? numberOption(argv, "seed", 1) : undefined;
  const policies = [...Object.keys(CANDIDATES), "fixed-4", "fixed-10"];
  const { scenario, results } = runPolicies({ scenarioPath, seed, policies });
  report({
    label: "scenario",
    value: `${results[0].arrivals} photos in ${scenario.durationSeconds} s`,
    note: `seed ${scenario.seed}, ${scenario.service.perPhotoSeconds * 1000} ms a photo, cold start ${scenario.fleet.coldStart.meanSeconds} s`,
  });
  for (const r of results) {
    const pct = (100 * r.sloMisses) / Math.max(1, r.arrivals);
    report({ label: `${r.policy}.slo-misses`, value: r.sloMisses, unit: "photos", note: `${pct.toFixed(2)} %` });
    report({ label: `${r.policy}.p99`, value: Math.round(r.p99Seconds), unit: "s", note: "upload to verdict" });
    report({ label: `${r.policy}.gpu-hours`, value: Number(r.gpuHours.toFixed(1)), unit: "GPU-h" });
    report({ label: `${r.policy}.peak-tasks`, value: r.peakTasks, unit: "tasks" });
  }
}
