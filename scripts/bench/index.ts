/**
 * npm run bench [-- --only SUITE[,SUITE]] [suite options]: every suite's figures, one per line
 * (`scripts/bench/figures.ts`). Each suite is a module exporting `run(argv, report)`; add new
 * ones to SUITES.
 */
import { printer, type Report } from "./figures";

type Suite = (argv: string[], report: Report) => Promise<void>;

const SUITES: Record<string, () => Promise<Suite>> = {
  photo: async () => (await import("./photo")).run,
  "search-build": async () => (await import("./search-build")).run,
  "search-serve": async () => (await import("./search-serve")).run,
  k8s: async () => (await import("./k8s")).run,
  fleet: async () => (await import("./fleet")).run,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--only");
  const names = i >= 0 ? (argv[i + 1] ?? "").split(",").filter(Boolean) : Object.keys(SUITES);
  const unknown = names.filter((n) => !(n in SUITES));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only ${argv[i + 1] ?? ""}: unknown suite; suites: ${Object.keys(SUITES).join(", ")}`);
  }
  for (const name of names) {
    const suite = await SUITES[name]();
    await suite(argv, printer(name));
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
