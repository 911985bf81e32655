/**
 * What the build program does once its settings are read: a build or a re-run from a run
 * record, with the embedder and the image cache created only if an hourly build needs them.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "../../shared/log";
import type { SessionOptions } from "../../shared/image-model/session";
import { resolveModel } from "../../shared/image-model/model-source";
import { ImageCache } from "../cache/image-cache";
import { CnnEmbedder } from "../embedder/cnn-embedder";
import type { Embedder } from "../embedder/embedder";
import { loadProjection } from "../embedder/load-projection";
import { AssetRepository } from "../repository/asset-repository";
import { runRecordKey } from "../segments/keys";
import type { BuildArgs } from "./args";
import { buildSegment } from "./build-segment";
import type { BuildSettings } from "./config";
import { RunRecord } from "./run-record";
import { parseWindow } from "../segments/windows";

export interface ProgramOptions {
  settings: BuildSettings;
  modelUri: string;
  projectionUri?: string;
  session: SessionOptions;
  cacheDir: string;
  cacheMaxBytes: number;
}

export async function runProgram(
  s3: S3Client,
  options: ProgramOptions,
  args: BuildArgs,
  log: Logger,
): Promise<RunRecord> {
  let embedder: Embedder | undefined;
  const deps = {
    s3,
    settings: options.settings,
    log,
    embedder: async () => {
      const model = await resolveModel(options.modelUri, s3);
      const projection = options.projectionUri ? await loadProjection(options.projectionUri, s3) : undefined;
      embedder = await CnnEmbedder.load(model.path, model.version, options.session, projection);
      return embedder;
    },
    cache: () => ImageCache.open(options.cacheDir, options.cacheMaxBytes),
  };
  try {
    if (args.kind === "build") return await buildSegment(deps, { window: args.window, force: args.force });
    const repo = new AssetRepository(s3, options.settings.assetBucket);
    const original = await repo.getJson(RunRecord, runRecordKey(args.buildId));
    if (!original)
      throw new Error(`--rerun ${args.buildId}: no run record at s3://${repo.bucket}/${runRecordKey(args.buildId)}`);
    return await buildSegment(deps, {
      window: parseWindow(original.tier, original.window),
      force: original.force,
      rerunOf: original,
    });
  } finally {
    await embedder?.close();
  }
}

/** Exit codes: 0 published or already published, 3 not built (incomplete inputs), 1 failed. */
export function exitCode(record: RunRecord): number {
  return record.status === "published" || record.status === "skipped" ? 0 : record.status === "incomplete" ? 3 : 1;
}
