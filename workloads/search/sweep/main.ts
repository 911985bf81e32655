/**
 * The repository sweep program (a Kubernetes CronJob in production): one sweep of the asset
 * repository, its report logged. Exit 0 when it ran (deleting or not), 1 when it stopped (an
 * unreadable reference, a refused delete), 2 on a bad environment.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { createLogger } from "../../shared/log";
import { sweepRepository } from "./sweep";
import { loadSweepSettings, type SweepSettings } from "./config";

const log = createLogger("search-repository-sweep");
const HOUR_MS = 3_600_000;

async function main(): Promise<number> {
  let settings: SweepSettings;
  try {
    settings = loadSweepSettings();
  } catch (err) {
    log.fatal((err as Error).message);
    return 2;
  }
  const report = await sweepRepository(new S3Client(s3Options()), settings.assetBucket, {
    graceMs: settings.graceHours * HOUR_MS,
    staleRunMs: settings.staleRunHours * HOUR_MS,
    dryRun: settings.dryRun,
  });
  for (const d of report.deleted)
    log.info({ ...d, dryRun: report.dryRun }, report.dryRun ? "would delete unreferenced prefix" : "deleted prefix");
  if (report.unknownKeys.length > 0)
    log.warn({ keys: report.unknownKeys.slice(0, 20), count: report.unknownKeys.length }, "keys outside the layout");
  log.info(
    { prefixes: report.prefixes, kept: report.kept.length, deleted: report.deleted.length, dryRun: report.dryRun },
    "sweep done",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log.fatal({ err: err.message }, "sweep stopped");
    process.exit(1);
  },
);
