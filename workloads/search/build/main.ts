/**
 * The segment build program (a Kubernetes CronJob in production, a plain process here):
 *   build --tier hourly|daily|monthly --window START [--force]
 *   build --rerun BUILD_ID
 * Exit 0 when the window is published (or already was), 3 when its inputs are incomplete, 1 on
 * failure, 2 on a bad command line or environment.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { loadEnv } from "../../shared/env";
import { createLogger } from "../../shared/log";
import { parseArgs } from "./args";
import { BuildEnv, settingsFromEnv } from "./config";
import { exitCode, runProgram } from "./run";

const log = createLogger("search-build");

async function main(): Promise<number> {
  let env: BuildEnv;
  let args: ReturnType<typeof parseArgs>;
  try {
    env = loadEnv(BuildEnv);
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    log.fatal((err as Error).message);
    return 2;
  }
  const s3 = new S3Client(s3Options());
  const record = await runProgram(
    s3,
    {
      settings: settingsFromEnv(env),
      modelUri: env.EMBEDDER_MODEL_URI,
      projectionUri: env.PROJECTION_URI,
      session: { threads: env.INFERENCE_THREADS, executionProvider: env.EXECUTION_PROVIDER },
      cacheDir: env.CACHE_DIR,
      cacheMaxBytes: env.CACHE_MAX_BYTES,
    },
    args,
    log,
  );
  return exitCode(record);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log.fatal({ err: err.message }, "build crashed");
    process.exit(1);
  },
);
