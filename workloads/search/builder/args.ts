/**
 * The build program's command line: `--tier T --window W [--force]` or `--rerun BUILD_ID`.
 * `--window last-closed` is the tier's window closed last at `now` (windows.ts: its end plus the
 * feed's close grace), resolved here so a scheduled run needs no shell to name it.
 */
import { lastClosedWindow, parseWindow, TIERS, type Tier, type Window } from "../segments/windows";

export type BuildArgs =
  | {
      kind: "build";
      window: Window;
      force: boolean;
      /** How the window was named: given, or resolved from `last-closed` against the clock. */
      named: "given" | "last-closed";
    }
  | { kind: "rerun"; buildId: string };

/** What `--window last-closed` is resolved against. */
export interface Clock {
  now: Date;
  /** FEED_CLOSE_GRACE_SECONDS in ms: how long after its end a window may still receive feed objects. */
  feedCloseGraceMs: number;
}

export const LAST_CLOSED = "last-closed";

export const USAGE =
  "usage: build --tier hourly|daily|monthly --window START|last-closed [--force] | build --rerun BUILD_ID";

export function parseArgs(argv: string[], clock: Clock): BuildArgs {
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!["--tier", "--window", "--force", "--rerun"].includes(arg))
      throw new Error(`unknown argument ${arg}; ${USAGE}`);
    if (options.has(arg)) throw new Error(`${arg} given twice; ${USAGE}`);
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
  const force = options.has("--force");
  if (window === LAST_CLOSED) {
    if (Number.isNaN(+clock.now)) throw new Error(`--window ${LAST_CLOSED}: the clock gave an invalid time`);
    return {
      kind: "build",
      window: lastClosedWindow(tier as Tier, clock.now, clock.feedCloseGraceMs),
      force,
      named: "last-closed",
    };
  }
  try {
    return { kind: "build", window: parseWindow(tier as Tier, window), force, named: "given" };
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${USAGE}`);
  }
}
