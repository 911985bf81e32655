/**
 * npm run plan -- --out DIR [--stack NAME ...] [--root DIR]
 *
 * Builds every stack (or the named ones) offline, in layer order, feeding each stack's outputs to
 * the StackReferences of the stacks after it, and writes DIR/<stack>.json per stack.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { planAll } from "./index";
import { listStacks } from "./stack-files";
import { summarise } from "./summary";

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
  // Every stack is planned even when only some are wanted: later ones need earlier outputs.
  const { plans, failures } = await planAll({ root });
  for (const [stack, plan] of plans) {
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
