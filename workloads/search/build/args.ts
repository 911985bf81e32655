/** The build program's command line: `--tier T --window W [--force]` or `--rerun BUILD_ID`. */
import { parseWindow, TIERS, type Tier, type Window } from "./windows";

export type BuildArgs = { kind: "build"; window: Window; force: boolean } | { kind: "rerun"; buildId: string };

export const USAGE = "usage: build --tier hourly|daily|monthly --window START [--force] | build --rerun BUILD_ID";

export function parseArgs(argv: string[]): BuildArgs {
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!["--tier", "--window", "--force", "--rerun"].includes(arg))
      throw new Error(`unknown argument ${arg}; ${USAGE}`);
    if (arg === "--force") options.set(arg, true);
    else {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`${arg} needs a value; ${USAGE}`);
      options.set(arg, value);
    }
  }
  const rerun = options.get("--rerun");
  if (typeof rerun === "string") {
    if (options.size > 1) throw new Error(`--rerun takes its tier, window and inputs from the run record; ${USAGE}`);
    return { kind: "rerun", buildId: rerun };
  }
  const tier = options.get("--tier");
  const window = options.get("--window");
  if (typeof tier !== "string" || !(TIERS as readonly string[]).includes(tier))
    throw new Error(`--tier ${tier ?? "(missing)"}: expected one of ${TIERS.join(", ")}; ${USAGE}`);
  if (typeof window !== "string") throw new Error(`--window is required; ${USAGE}`);
  return { kind: "build", window: parseWindow(tier as Tier, window), force: options.has("--force") };
}
