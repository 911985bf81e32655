/**
 * Index service process: listen at once (health NOT_SERVING), load and verify the segment, then
 * serve it; on SIGTERM, NOT_SERVING and drain. A segment that fails to load stops the process
 * with the reason, so Kubernetes restarts it rather than leaving it unready for ever.
 */
import { mkdir } from "node:fs/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { AssetRepository } from "../repository/asset-repository";
import { loadIndexServiceSettings, type IndexServiceSettings } from "./config";
import { loadSegment } from "./load";
import { IndexService } from "./server";

export interface RunningIndexService {
  service: IndexService;
  port: number;
  /** Resolves once the segment is loaded and served. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startIndexService(
  settings: IndexServiceSettings,
  log: Logger,
  sdk: object = {},
): Promise<RunningIndexService> {
  const service = new IndexService(
    {
      ef: settings.ef,
      maxEf: settings.maxEf,
      maxK: settings.maxK,
      drainTimeoutMs: settings.drainTimeoutSeconds * 1000,
    },
    log,
  );
  const port = await service.listen(settings.host, settings.grpcPort);
  log.info({ port, manifest: settings.manifestKey }, "listening; loading the segment");
  const repo = new AssetRepository(new S3Client({ ...s3Options(), ...sdk }), settings.assetBucket);
  const started = Date.now();
  const ready = mkdir(settings.segmentDir, { recursive: true })
    .then(() =>
      loadSegment(
        repo,
        {
          manifestKey: settings.manifestKey,
          manifestVersionId: settings.manifestVersionId ?? null,
          manifestSha256: settings.manifestSha256,
        },
        settings.segmentDir,
      ),
    )
    .then((segment) => {
      service.serve(segment);
      log.info({ segment: segment.info.segmentId, ms: Date.now() - started }, "segment loaded and verified");
    });
  return { service, port, ready, stop: () => service.drain() };
}

if (require.main === module) {
  void runService(
    "index-service",
    () => loadIndexServiceSettings(),
    async (settings, log) => {
      const running = await startIndexService(settings, log);
      running.ready.catch((err: Error) => {
        log.fatal({ err: err.message }, "the segment could not be loaded");
        process.exit(1);
      });
      return running;
    },
  );
}
