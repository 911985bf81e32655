/**
 * npm run plan -- --out DIR [--stack NAME ...] [--root DIR]
 *
 * Builds every stack (or the named ones) offline, in layer order, feeding each stack's outputs to
 * the StackReferences of the stacks after it, and writes DIR/<stack>.json per stack.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { planStack } from "./index";
import { listStacks, orderStacks, readStackConfig } from "./stack-files";
import { summarise } from "./summary";
import type { StackPlan } from "./types";

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
  const configs = new Map<string, Record<string, unknown>>();
  const failures: string[] = [];
  for (const stack of all) {
    try {
      configs.set(stack, readStackConfig(stack, root));
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  const wanted = new Set(values.stack ?? all);
  mkdirSync(values.out, { recursive: true });
  const outputs: Record<string, Record<string, unknown>> = {};
  // Stacks are planned in layer order even when only some are wanted: later ones need earlier outputs.
  for (const stack of orderStacks([...configs.keys()], configs)) {
    let plan: StackPlan;
    try {
      plan = await planStack(stack, { stackOutputs: outputs, root });
    } catch (err) {
      failures.push(`plan failed for ${(err as Error).message}`);
      continue;
    }
    outputs[stack] = plan.outputs;
    if (!wanted.has(stack)) continue;
    const file = path.join(values.out, `${stack}.json`);
    writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
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
