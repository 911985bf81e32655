/**
 * npm run policy -- --plan DIR [--pack PATH] [--config FILE]
 *
 * Evaluates a CrossGuard pack (ours by default) over every DIR/*.json from `npm run plan`.
 * Exit 0: no mandatory violation (advisory ones are printed); 1: a mandatory violation;
 * 2: bad usage, an unreadable pack or config, a malformed plan file, or a policy that crashed.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readPackConfig, unknownPolicies, type PackConfig } from "./config";
import { evaluatePlans, formatViolation } from "./evaluate";
import { loadPack } from "./load-pack";
import { readPlanDir } from "./plan-files";

const DEFAULT_PACK = path.resolve(__dirname, "..");
const USAGE = "usage: npm run policy -- --plan DIR [--pack PATH] [--config POLICY-CONFIG.json]";

async function main(): Promise<number> {
  let values: { plan?: string; pack?: string; config?: string };
  try {
    ({ values } = parseArgs({
      options: { plan: { type: "string" }, pack: { type: "string" }, config: { type: "string" } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.plan) {
    console.error(USAGE);
    return 2;
  }
  const started = process.hrtime.bigint();
  const plans = readPlanDir(values.plan);
  const config: PackConfig = values.config ? readPackConfig(values.config) : {};
  const pack = await loadPack(values.pack ?? DEFAULT_PACK);
  const strays = unknownPolicies(pack, config);
  if (strays.length > 0) {
    console.error(
      `policy config ${values.config}: no policy named ${strays.join(", ")} in pack ${pack.name} (known: ${pack.policies.map((p) => p.name).join(", ")})`,
    );
    return 2;
  }
  const violations = await evaluatePlans(pack, plans, config);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  for (const v of [...mandatory, ...violations.filter((v) => v.enforcementLevel === "advisory")])
    console.log(formatViolation(v));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const resources = plans.reduce((n, p) => n + p.resources.length, 0);
  console.log(
    `policy pack ${pack.name}@${pack.version}: ${pack.policies.length} policies over ${plans.length} stack(s), ${resources} resources: ` +
      `${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s) in ${ms.toFixed(0)} ms`,
  );
  return mandatory.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`policy gate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
