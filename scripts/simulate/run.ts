/** One scenario through several policies: the arrivals generated (or read) once, so every policy sees the same trace. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { scalingConfig } from "../../infra/stacks/classification-scaling";
import { candidate } from "./candidates";
import { policyFor } from "./policies";
import { seeded } from "./prng";
import { generateArrivals, parseScenario, parseTrace, type Scenario } from "./scenario";
import { simulate, type SimulationResult } from "./simulator";

export const DEFAULT_SCENARIO = `${__dirname}/scenarios/day.json`;

export interface RunOptions {
  scenarioPath: string;
  /** A recorded trace (CSV, one arrival time per line) instead of the scenario's arrivals; the run lasts as long as it. */
  tracePath?: string;
  seed?: number;
  /** Candidate names (candidates.ts) or `config:<Pulumi.<stack>.yaml>` for a stack's configured policy. */
  policies: string[];
}

export function loadScenario(scenarioPath: string, seed?: number): Scenario {
  const scenario = parseScenario(JSON.parse(readFileSync(scenarioPath, "utf8")), scenarioPath);
  return seed === undefined ? scenario : { ...scenario, seed };
}

/** The `ml-platform:scaling` policy of a stack file, as the stack would validate it. */
function configured(file: string) {
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const parsed = scalingConfig.safeParse(doc.config?.["ml-platform:scaling"] ?? {});
  if (!parsed.success)
    throw new Error(
      `${file}: ml-platform:scaling: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return { policy: policyFor(parsed.data, `config(${parsed.data.policy})`), sloSeconds: parsed.data.sloSeconds };
}

export function runPolicies(options: RunOptions): { scenario: Scenario; results: SimulationResult[] } {
  let scenario = loadScenario(options.scenarioPath, options.seed);
  let arrivals: Float64Array;
  if (options.tracePath) {
    arrivals = parseTrace(readFileSync(options.tracePath, "utf8"), options.tracePath);
    // A trace lasts as long as it has arrivals (whole periods); what is still queued then counts as pending.
    const period = scenario.cloudwatch.periodSeconds;
    const span = Math.max(1, Math.ceil((arrivals.at(-1) ?? 0) / period)) * period;
    scenario = { ...scenario, durationSeconds: span };
  } else arrivals = generateArrivals(scenario, seeded(scenario.seed));
  const results = options.policies.map((name) => {
    const { policy, sloSeconds } = name.startsWith("config:") ? configured(name.slice(7)) : candidate(name);
    return simulate(scenario, arrivals, policy, { sloSeconds });
  });
  return { scenario, results };
}
