/**
 * npm run plan -- --out DIR [--stack NAME ...] [--root DIR]
 *
 * Builds every stack (or the named ones) offline, in layer order, feeding each stack's outputs to
 * the StackReferences of the stacks after it, and writes DIR/<stack>.json per stack with the run's
 * provenance. DIR then holds this run's plans only: files an earlier run wrote are removed first,
 * so a stack that fails to plan leaves no stale file for the gate to pass on.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { planAll } from "./index";
import { newProvenance, PLAN_TOOL } from "./provenance";
import { listStacks } from "./stack-files";
import { REPO_ROOT } from "../../workloads/shared/repo-root";
import { summarise } from "./summary";

/** Removes DIR/<stack>.json of the stacks planned now, and any other file an earlier run of this tool wrote. */
function clearEarlierPlans(dir: string, stacks: string[]): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const full = path.join(dir, file);
    let ours = stacks.includes(file.slice(0, -".json".length));
    if (!ours) {
      try {
        ours =
          (JSON.parse(readFileSync(full, "utf8")) as { provenance?: { tool?: string } }).provenance?.tool === PLAN_TOOL;
      } catch {
        ours = false; // not ours to judge: the gate will name it if it is malformed
      }
    }
    if (ours) rmSync(full, { force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: "string" }, stack: { type: "string", multiple: true }, root: { type: "string" } },
    strict: true,
  });
  if (!values.out) {
    console.error("usage: npm run plan -- --out DIR [--stack NAME ...] [--root DIR-WITH-STACK-FILES]");
    return 2;
  }
  const root = values.root;
  const all = listStacks(root);
  const unknown = (values.stack ?? []).filter((s) => !all.includes(s));
  if (unknown.length > 0) {
    console.error(`unknown stack(s): ${unknown.join(", ")} (known: ${all.join(", ")})`);
    return 2;
  }
  const wanted = new Set(values.stack ?? all);
  mkdirSync(values.out, { recursive: true });
  clearEarlierPlans(values.out, all);
  const provenance = newProvenance(root ?? REPO_ROOT, REPO_ROOT);
  // Every stack is planned even when only some are wanted: later ones need earlier outputs.
  const { plans, failures } = await planAll({ root });
  for (const [stack, plan] of plans) {
    if (!wanted.has(stack)) continue;
    const file = path.join(values.out, `${stack}.json`);
    writeFileSync(file, `${JSON.stringify({ ...plan, provenance }, null, 2)}\n`);
    console.log(summarise(plan, file));
  }
  for (const failure of failures) console.error(`\n${failure}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
