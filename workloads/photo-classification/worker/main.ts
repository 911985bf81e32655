/** Photo worker service: configuration from the environment, graceful shutdown on SIGTERM. */
import type { Server } from "node:http";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { ThreadedClassifier, type Classifier } from "../model/classifier";
import { resolveModel } from "../model/model-source";
import { loadWorkerConfig, type WorkerConfig } from "./config";
import { WorkerMetrics } from "./metrics";
import { PhotoQueue } from "./photo-queue";
import { PhotoWorker } from "./photo-worker";
import { ResultReporter } from "./result-reporter";

export interface RunningWorker {
  worker: PhotoWorker;
  classifier: ThreadedClassifier;
  metrics: WorkerMetrics;
  metricsServer: Server;
  /** Drains and frees everything; resolves with what the drain left behind. */
  stop(): Promise<{ drained: boolean; released: number }>;
}

/** A worker around `classifier`, wired to SQS, S3 and the API, not yet started. */
export function createWorker(
  config: WorkerConfig,
  log: Logger,
  classifier: Classifier,
  sdk: object = {},
): { worker: PhotoWorker; metrics: WorkerMetrics } {
  const metrics = new WorkerMetrics();
  const reporter = new ResultReporter({
    apiUrl: config.API_URL,
    token: config.API_TOKEN,
    attempts: config.REPORT_ATTEMPTS,
    backoffMs: config.REPORT_BACKOFF_MS,
    backoffMaxMs: config.REPORT_BACKOFF_MAX_MS,
    onRetry: (attempt, error) => log.warn({ attempt, error }, "result report failed; retrying"),
  });
  const queue = new PhotoQueue(new SQSClient({ ...sdk }), config.QUEUE_URL, config.DEAD_LETTER_QUEUE_URL);
  const s3 = new S3Client({ ...s3Options(), ...sdk });
  return { worker: new PhotoWorker({ config, queue, s3, classifier, reporter, metrics, log }), metrics };
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startWorker(config: WorkerConfig, log: Logger, sdk: object = {}): Promise<RunningWorker> {
  const model = await resolveModel(config.MODEL_URI, new S3Client({ ...s3Options(), ...sdk }));
  const classifier = await ThreadedClassifier.load(model.path, model.version, {
    threads: config.INFERENCE_THREADS,
    executionProvider: config.EXECUTION_PROVIDER,
  });
  log.info(
    { modelVersion: model.version, executionProvider: config.EXECUTION_PROVIDER, batchSize: config.BATCH_SIZE },
    "model loaded",
  );
  const { worker, metrics } = createWorker(config, log, classifier, sdk);
  const metricsServer = await metrics.serve(config.METRICS_PORT, () => worker.unhealthy());
  worker.start();
  log.info({ queueUrl: config.QUEUE_URL }, "worker polling");
  return {
    worker,
    classifier,
    metrics,
    metricsServer,
    stop: async () => {
      const result = await worker.stop();
      await classifier.close();
      await new Promise((r) => metricsServer.close(r));
      return result;
    },
  };
}

if (require.main === module) void runService("photo-worker", () => loadWorkerConfig(), startWorker);
