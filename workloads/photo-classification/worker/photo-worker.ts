/**
 * The GPU worker's loop: receive S3 upload events from SQS, download and decode each photo,
 * classify in batches, report the verdict to the API, and delete a message only after every
 * photo in it has a stored result. A message that fails for a passing reason (S3, the API,
 * the model) is released to come back; one that can never succeed goes to the dead-letter
 * queue. Visibility is extended while photos are in flight; SIGTERM drains within a deadline.
 */
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { GetObjectCommand, NoSuchKey, type S3Client } from "@aws-sdk/client-s3";
import type { Message } from "@aws-sdk/client-sqs";
import type { Logger } from "../../shared/log";
import type { ResultReport } from "../contract";
import type { Classifier } from "../model/classifier";
import { ImageRejected, toModelInput } from "../model/preprocess";
import type { WorkerConfig } from "./config";
import { InferenceBatcher } from "./inference-batcher";
import type { WorkerMetrics } from "./metrics";
import type { PhotoQueue } from "./photo-queue";
import type { ResultReporter } from "./result-reporter";
import { InvalidMessage, parseMessage, type PhotoUpload } from "./s3-event";

export interface WorkerDeps {
  config: WorkerConfig;
  queue: PhotoQueue;
  s3: S3Client;
  classifier: Classifier;
  reporter: ResultReporter;
  metrics: WorkerMetrics;
  log: Logger;
}

interface InFlight {
  message: Message;
  receivedAt: number;
  /** Set when shutdown handed the message back: its late completion must not delete it. */
  released: boolean;
}

class ObjectGone extends Error {}

const keyOf = (message: Message): string => message.MessageId ?? message.ReceiptHandle ?? "";

export class PhotoWorker {
  private readonly inFlight = new Map<string, InFlight>();
  /** Slots promised to receive calls still under way, so concurrent pollers never overshoot MAX_IN_FLIGHT. */
  private reserved = 0;
  private readonly batcher: InferenceBatcher;
  private readonly stopping = new AbortController();
  /** Aborts report retries and downloads once the stop deadline has passed. */
  private readonly abandon = new AbortController();
  private slotWaiters: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkerDeps) {
    const { config, classifier, metrics } = deps;
    // Every download and report in flight listens on these: up to a few per message.
    setMaxListeners(config.MAX_IN_FLIGHT * 4 + 16, this.abandon.signal, this.stopping.signal);
    this.batcher = new InferenceBatcher(classifier, config.BATCH_SIZE, config.BATCH_LINGER_MS, (size, seconds) => {
      metrics.batchSize.observe(size);
      metrics.batchSeconds.observe(seconds);
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Why this worker cannot classify any more, or undefined while it can. */
  unhealthy(): string | undefined {
    return this.deps.classifier.failure()?.message;
  }

  start(): void {
    const period = Math.max(1, this.deps.config.VISIBILITY_TIMEOUT_SECONDS / 3) * 1000;
    this.heartbeat = setInterval(() => void this.extendVisibility(), period);
    this.loop = Promise.all(Array.from({ length: this.deps.config.RECEIVE_CONCURRENCY }, () => this.poll())).then(
      () => undefined,
    );
  }

  /** Stops receiving, lets in-flight photos finish until the deadline, then releases the rest. */
  async stop(): Promise<{ drained: boolean; released: number }> {
    const { log, config, queue } = this.deps;
    this.stopping.abort(new Error("worker stopping"));
    this.wakePollers();
    await this.loop;
    const deadline = Date.now() + config.STOP_TIMEOUT_SECONDS * 1000;
    log.info({ inFlight: this.inFlight.size, timeoutSeconds: config.STOP_TIMEOUT_SECONDS }, "draining");
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(50);
    const left = [...this.inFlight.values()];
    this.abandon.abort(new Error("stop deadline passed"));
    for (const item of left) {
      item.released = true;
      await queue
        .release(item.message)
        .catch((err: Error) =>
          log.warn({ messageId: item.message.MessageId, err: err.message }, "release failed; visibility will expire"),
        );
      this.deps.metrics.messages.inc({ outcome: "released" });
    }
    clearInterval(this.heartbeat);
    log.info({ drained: left.length === 0, released: left.length }, "stopped");
    return { drained: left.length === 0, released: left.length };
  }

  private wakePollers(): void {
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  /** One receive loop; several run at once so a slow receive does not starve the model. */
  private async poll(): Promise<void> {
    const { config, queue, log, metrics } = this.deps;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      if (this.unhealthy()) {
        // Taking messages it cannot classify would only bounce them toward the DLQ: stop
        // receiving and let the failing health check replace this task.
        log.error({ why: this.unhealthy() }, "classifier failed; no longer receiving");
        return;
      }
      const room = config.MAX_IN_FLIGHT - this.inFlight.size - this.reserved;
      if (room <= 0) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const asked = Math.min(10, room);
      this.reserved += asked;
      let messages: Message[];
      try {
        messages = await queue.receive(asked, config.WAIT_TIME_SECONDS, config.VISIBILITY_TIMEOUT_SECONDS, signal);
      } catch (err) {
        this.reserved -= asked;
        if (signal.aborted) break;
        log.warn({ err: (err as Error).message }, "receive failed; retrying");
        await sleep(1000);
        continue;
      }
      this.reserved -= asked;
      metrics.messagesReceived.inc(messages.length);
      for (const message of messages) {
        const item: InFlight = { message, receivedAt: Date.now(), released: false };
        this.inFlight.set(keyOf(message), item);
        void this.handle(item);
      }
    }
  }

  private async handle(item: InFlight): Promise<void> {
    const { config, queue, log, metrics } = this.deps;
    const { message } = item;
    const messageId = message.MessageId;
    try {
      let parsed;
      try {
        parsed = parseMessage(message.Body, { bucket: config.UPLOAD_BUCKET, prefix: config.UPLOAD_PREFIX });
      } catch (err) {
        if (!(err instanceof InvalidMessage)) throw err;
        log.error(
          { messageId, reason: err.message, body: message.Body?.slice(0, 500) },
          "invalid message sent to the dead-letter queue",
        );
        await queue.deadLetter(message, err.message);
        metrics.messages.inc({ outcome: "dead_lettered" });
        return;
      }
      if (parsed.kind === "test") {
        await queue.delete(message);
        metrics.messages.inc({ outcome: "test_event" });
        return;
      }
      for (const why of parsed.ignored) log.info({ messageId, why }, "record ignored");
      const outcomes = await Promise.allSettled(parsed.uploads.map((upload) => this.process(upload)));
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      if (item.released) return;
      if (failures.length === 0) {
        await queue.delete(message);
        metrics.messages.inc({ outcome: "deleted" });
        metrics.processingSeconds.observe((Date.now() - item.receivedAt) / 1000);
        return;
      }
      // Results already stored stay stored; the API ignores them when the message comes back.
      log.warn({ messageId, errors: failures.map((f) => (f.reason as Error).message) }, "message released for retry");
      await queue.release(message);
      metrics.messages.inc({ outcome: "released" });
    } catch (err) {
      log.error(
        { messageId, err: (err as Error).message },
        "message handling failed; it will come back when its visibility expires",
      );
    } finally {
      this.inFlight.delete(keyOf(message));
      this.wakePollers();
    }
  }

  /** Stores a verdict for one photo, or throws if it should be retried later. */
  private async process(upload: PhotoUpload): Promise<void> {
    const { config, classifier, reporter, metrics, log } = this.deps;
    const base = { modelVersion: classifier.version, objectKey: upload.key, uploadedAt: upload.eventTime };
    let report: ResultReport;
    try {
      const bytes = await this.download(upload);
      const input = await toModelInput(bytes, { maxBytes: config.MAX_IMAGE_BYTES, maxPixels: config.MAX_IMAGE_PIXELS });
      const score = await this.batcher.submit(input);
      report = {
        ...base,
        status: score >= config.FOOD_THRESHOLD ? "food" : "not-food",
        score,
        classifiedAt: new Date().toISOString(),
      };
    } catch (err) {
      if (err instanceof ImageRejected) {
        report = {
          ...base,
          status: "failed",
          reason: err.reason,
          detail: err.message.slice(0, 500),
          classifiedAt: new Date().toISOString(),
        };
      } else if (err instanceof ObjectGone) {
        report = {
          ...base,
          status: "failed",
          reason: "object-not-found",
          detail: err.message,
          classifiedAt: new Date().toISOString(),
        };
      } else {
        throw err;
      }
    }
    await reporter.report(upload.photoId, report, this.abandon.signal);
    if (report.status === "failed") metrics.failed.inc({ reason: report.reason });
    else metrics.classified.inc({ verdict: report.status });
    metrics.uploadToVerdictSeconds.observe(Math.max(0, Date.now() - Date.parse(upload.eventTime)) / 1000);
    log.info(
      {
        photoId: upload.photoId,
        status: report.status,
        score: "score" in report ? report.score : undefined,
        reason: "reason" in report ? report.reason : undefined,
      },
      "verdict stored",
    );
  }

  private async download(upload: PhotoUpload): Promise<Uint8Array> {
    const { s3, config } = this.deps;
    let res;
    try {
      res = await s3.send(
        new GetObjectCommand({ Bucket: upload.bucket, Key: upload.key, VersionId: upload.versionId }),
        { abortSignal: this.abandon.signal },
      );
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey")
        throw new ObjectGone(`s3://${upload.bucket}/${upload.key} was deleted before it was classified`);
      throw err;
    }
    const body = res.Body as { transformToByteArray(): Promise<Uint8Array>; destroy?(): void };
    // Refuse oversized objects before reading them into memory.
    if ((res.ContentLength ?? 0) > config.MAX_IMAGE_BYTES) {
      body.destroy?.();
      throw new ImageRejected("too-large", `${res.ContentLength} bytes exceeds the limit of ${config.MAX_IMAGE_BYTES}`);
    }
    return body.transformToByteArray();
  }

  private async extendVisibility(): Promise<void> {
    const { queue, config, log } = this.deps;
    const messages = [...this.inFlight.values()].filter((i) => !i.released).map((i) => i.message);
    if (messages.length === 0) return;
    try {
      const refused = await queue.extend(messages, config.VISIBILITY_TIMEOUT_SECONDS);
      if (refused.length > 0) log.warn({ refused }, "visibility extension refused");
    } catch (err) {
      log.warn({ err: (err as Error).message }, "visibility extension failed");
    }
  }
}
