/** Photo worker service: settings from the environment, graceful shutdown on SIGTERM. */
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { Consumer } from "../../shared/sqs-consumer/consumer";
import { ThreadedClassifier, type Classifier } from "../model/classifier";
import { resolveModel } from "../../shared/image-model/model-source";
import { loadWorkerSettings, type WorkerSettings } from "./config";
import { WorkerMetrics } from "./metrics";
import { API_DEPENDENCY, PhotoHandler, S3_DEPENDENCY, type PhotoUnit } from "./photo-handler";
import { ResultReporter } from "./result-reporter";

export type PhotoConsumer = Consumer<PhotoUnit>;

export interface RunningWorker {
  worker: PhotoConsumer;
  classifier: ThreadedClassifier;
  metrics: WorkerMetrics;
  /** /healthz (the container health check), /readyz and /metrics on METRICS_PORT. */
  ops: OpsServer;
  /** Drains and frees everything; resolves with what the drain left behind. */
  stop(): Promise<{ drained: boolean; released: number }>;
}

/** The consumer's events as metrics and log lines. */
function observe(worker: PhotoConsumer, metrics: WorkerMetrics, log: Logger): void {
  metrics.state = () => ({ photosInFlight: worker.unitsInFlight, openBreakers: worker.openBreakers() });
  worker.on("received", ({ messages }) => metrics.messagesReceived.inc(messages));
  worker.on("receive_error", (err) => log.warn({ err: err.message }, "receive failed; retrying"));
  worker.on("message_processed", (_message, { seconds }) => {
    metrics.messages.inc({ outcome: "deleted" });
    metrics.processingSeconds.observe(seconds);
  });
  worker.on("message_released", (message, { visibilitySeconds, errors }) => {
    metrics.messages.inc({ outcome: "released" });
    log.warn({ messageId: message.MessageId, visibilitySeconds, errors }, "message released for retry");
  });
  worker.on("message_dead_lettered", (message, { reason }) => {
    metrics.messages.inc({ outcome: "dead_lettered" });
    log.error({ messageId: message.MessageId, reason }, "message sent to the dead-letter queue");
  });
  worker.on("message_error", (message, err) =>
    log.error(
      { messageId: message.MessageId, err: err.message },
      "message handling failed; it will come back when its visibility expires",
    ),
  );
  worker.on("breaker_opened", ({ dependency, error }) => {
    metrics.breakerOpen.set({ dependency }, 1);
    metrics.breakerOpenings.inc({ dependency });
    log.error({ dependency, error }, "dependency down: receiving paused, probing it");
  });
  worker.on("breaker_closed", ({ dependency, downSeconds }) => {
    metrics.breakerOpen.set({ dependency }, 0);
    log.warn({ dependency, downSeconds }, "dependency back: receiving resumed");
  });
  worker.on("stopped_receiving", ({ reason }) => log.error({ why: reason }, "classifier failed; no longer receiving"));
  worker.on("visibility_error", (detail) => log.warn(detail, "visibility extension failed"));
  worker.on("draining", ({ messages, timeoutSeconds }) => log.info({ inFlight: messages, timeoutSeconds }, "draining"));
  worker.on("stopped", (result) => log.info(result, "stopped"));
}

/** A worker around `classifier`, wired to SQS, S3 and the API, not yet started. */
export function createWorker(
  settings: WorkerSettings,
  log: Logger,
  classifier: Classifier,
  sdk: object = {},
): { worker: PhotoConsumer; metrics: WorkerMetrics } {
  const metrics = new WorkerMetrics();
  const reporter = new ResultReporter({
    apiUrl: settings.apiUrl,
    token: settings.apiToken,
    attempts: settings.reportAttempts,
    backoffMs: settings.reportBackoffMs,
    backoffMaxMs: settings.reportBackoffMaxMs,
    onRetry: (attempt, error) => log.warn({ attempt, error }, "result report failed; retrying"),
  });
  const s3 = new S3Client({ ...s3Options(), ...sdk });
  const handler = new PhotoHandler(settings, { s3, classifier, reporter, metrics, log });
  const probe = (check: (signal: AbortSignal) => Promise<void>) => ({
    probe: check,
    intervalMs: settings.probeIntervalMs,
  });
  const worker = new Consumer<PhotoUnit>({
    sqs: new SQSClient({ ...sdk }),
    queueUrl: settings.queueUrl,
    deadLetterQueueUrl: settings.deadLetterQueueUrl,
    handler,
    maxUnitsInFlight: settings.maxPhotosInFlight,
    receiveConcurrency: settings.receiveConcurrency,
    waitTimeSeconds: settings.waitTimeSeconds,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    backoff: { baseSeconds: settings.releaseBackoffSeconds, maxSeconds: settings.releaseBackoffMaxSeconds },
    dependencies: {
      [API_DEPENDENCY]: probe((signal) => reporter.probe(signal)),
      [S3_DEPENDENCY]: probe((signal) => handler.probeS3(signal)),
    },
    unhealthy: () => classifier.failure()?.message,
    stopTimeoutSeconds: settings.stopTimeoutSeconds,
  });
  observe(worker, metrics, log);
  return { worker, metrics };
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startWorker(settings: WorkerSettings, log: Logger, sdk: object = {}): Promise<RunningWorker> {
  const model = await resolveModel(settings.modelUri, new S3Client({ ...s3Options(), ...sdk }));
  const classifier = await ThreadedClassifier.load(model.path, model.version, {
    threads: settings.inferenceThreads,
    executionProvider: settings.executionProvider,
  });
  log.info(
    { modelVersion: model.version, executionProvider: settings.executionProvider, batchSize: settings.batchSize },
    "model loaded",
  );
  const { worker, metrics } = createWorker(settings, log, classifier, sdk);
  const ops = new OpsServer({
    port: settings.metricsPort,
    registry: metrics.registry,
    unhealthy: () => classifier.failure()?.message,
    // Nothing routes to a worker, but readiness says whether it takes work: not while a dependency is down.
    ready: () => {
      const openBreakers = worker.openBreakers();
      return { ready: openBreakers.length === 0 && !classifier.failure(), detail: { openBreakers } };
    },
  });
  await ops.start();
  await worker.start();
  log.info({ queueUrl: settings.queueUrl }, "worker polling");
  return {
    worker,
    classifier,
    metrics,
    ops,
    stop: () =>
      ops.stopAfter(async () => {
        const result = await worker.stop();
        await classifier.close();
        return result;
      }),
  };
}

if (require.main === module) void runService("photo-worker", () => loadWorkerSettings(), startWorker);
