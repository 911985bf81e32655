/**
 * The segment build program (a Kubernetes CronJob in production, a plain process here):
 *   build --tier hourly|daily|monthly --window START|last-closed [--force]
 *   build --rerun BUILD_ID
 * A CronJob passes `--window last-closed`: the tier's window closed last when the run starts.
 * Exit 0 when the window is published (or already was), 3 when its inputs are incomplete, 1 on
 * failure, 2 on a bad command line or environment.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { loadEnv } from "../../shared/env";
import { createLogger } from "../../shared/log";
import { parseArgs, type BuildArgs } from "./args";
import { BuildEnv, settingsFromEnv, type BuildSettings } from "./config";
import { exitCode, runProgram } from "./run";
import { writeSummary } from "./termination";

const log = createLogger("search-build");

async function main(): Promise<number> {
  let env: BuildEnv;
  let settings: BuildSettings;
  let args: BuildArgs;
  try {
    env = loadEnv(BuildEnv);
    settings = settingsFromEnv(env);
    args = parseArgs(process.argv.slice(2), { now: new Date(), feedCloseGraceMs: settings.feedCloseGraceMs });
  } catch (err) {
    log.fatal((err as Error).message);
    return 2;
  }
  if (args.kind === "build" && args.named === "last-closed")
    log.info({ tier: args.window.tier, window: args.window.name }, "--window last-closed: the window closed last");
  const s3 = new S3Client(s3Options());
  const record = await runProgram(
    s3,
    {
      settings,
      modelUri: env.EMBEDDER_MODEL_URI,
      projectionUri: env.PROJECTION_URI,
      session: { threads: env.INFERENCE_THREADS, executionProvider: env.EXECUTION_PROVIDER },
      cacheDir: env.CACHE_DIR,
      cacheMaxBytes: env.CACHE_MAX_BYTES,
    },
    args,
    log,
  );
  // In a pod, the segment operator reads this summary into the SegmentBuild's status.
  writeSummary(record);
  return exitCode(record);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log.fatal({ err: err.message }, "build crashed");
    process.exit(1);
  },
);
