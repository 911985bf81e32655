/**
 * The photo worker's business logic, as the SQS consumer's handler: a message's units are the
 * uploads its S3 records name; each is downloaded, decoded, classified in batches and its
 * verdict reported to the API. What can never succeed is a PermanentFailure (an unreadable
 * message, a key the API's photo-id contract refuses, a report the API refuses, the API refusing
 * the worker's token); the API or S3 not answering is DependencyUnavailable, which opens that
 * dependency's circuit breaker.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Message } from "@aws-sdk/client-sqs";
import type { Logger } from "../../shared/log";
import { API_AUTH_REFUSED_EVENT } from "./config";
import {
  DependencyUnavailable,
  PermanentFailure,
  type MessageHandler,
  type UnitContext,
} from "../../shared/sqs-consumer/consumer";
import type { ResultReport } from "../contract";
import type { Classifier } from "../model/classifier";
import { ImageRejected, toModelInput } from "../../shared/image-model/preprocess";
import { InferenceBatcher } from "./inference-batcher";
import type { WorkerMetrics } from "./metrics";
import { ReportRejected, ReportNotStored, ReportUnauthorized, type ResultReporter } from "./result-reporter";
import { InvalidMessage, parseMessage, type PhotoUpload, type RefusedUpload } from "./s3-event";

export interface PhotoHandlerOptions {
  uploadBucket: string;
  uploadPrefix: string;
  maxImageBytes: number;
  maxImagePixels: number;
  foodThreshold: number;
  batchSize: number;
  batchLingerMs: number;
}

export interface PhotoHandlerDeps {
  s3: S3Client;
  classifier: Classifier;
  reporter: ResultReporter;
  metrics: WorkerMetrics;
  log: Logger;
}

export type PhotoUnit = { upload: PhotoUpload } | { refused: RefusedUpload };

export const S3_DEPENDENCY = "s3";
export const API_DEPENDENCY = "photo-api";

class ObjectGone extends Error {}

/** An S3 error that says S3 did not answer (network, 5xx), as opposed to an answer about the object. */
const s3Unavailable = (err: unknown): boolean => {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
};

export class PhotoHandler implements MessageHandler<PhotoUnit> {
  private readonly batcher: InferenceBatcher;

  constructor(
    private readonly options: PhotoHandlerOptions,
    private readonly deps: PhotoHandlerDeps,
  ) {
    this.batcher = new InferenceBatcher(deps.classifier, options.batchSize, options.batchLingerMs, (size, seconds) => {
      deps.metrics.batchSize.observe(size);
      deps.metrics.batchSeconds.observe(seconds);
    });
  }

  units(message: Message): PhotoUnit[] {
    const { log, metrics } = this.deps;
    let parsed;
    try {
      parsed = parseMessage(message.Body, { bucket: this.options.uploadBucket, prefix: this.options.uploadPrefix });
    } catch (err) {
      if (!(err instanceof InvalidMessage)) throw err;
      log.error(
        { messageId: message.MessageId, reason: err.message, body: message.Body?.slice(0, 500) },
        "invalid message",
      );
      throw new PermanentFailure(err.message);
    }
    if (parsed.kind === "test") {
      metrics.messages.inc({ outcome: "test_event" });
      return [];
    }
    for (const why of parsed.ignored) log.info({ messageId: message.MessageId, why }, "record ignored");
    return [...parsed.uploads.map((upload) => ({ upload })), ...parsed.refused.map((refused) => ({ refused }))];
  }

  /** Stores a verdict for one photo, or throws saying whether it can be retried. */
  async handle(unit: PhotoUnit, context: UnitContext): Promise<void> {
    if ("refused" in unit) throw new PermanentFailure(unit.refused.reason);
    const { upload } = unit;
    const { classifier, reporter, metrics, log } = this.deps;
    const base = { modelVersion: classifier.version, objectKey: upload.key, uploadedAt: upload.eventTime };
    const now = () => new Date().toISOString();
    let report: ResultReport;
    try {
      const bytes = await this.download(upload, context.signal);
      const { maxImageBytes: maxBytes, maxImagePixels: maxPixels } = this.options;
      const input = await toModelInput(bytes, { maxBytes, maxPixels });
      const score = await this.batcher.submit(input);
      report = {
        ...base,
        status: score >= this.options.foodThreshold ? "food" : "not-food",
        score,
        classifiedAt: now(),
      };
    } catch (err) {
      if (err instanceof ImageRejected)
        report = {
          ...base,
          status: "failed",
          reason: err.reason,
          detail: err.message.slice(0, 500),
          classifiedAt: now(),
        };
      else if (err instanceof ObjectGone)
        report = { ...base, status: "failed", reason: "object-not-found", detail: err.message, classifiedAt: now() };
      else throw err;
    }
    try {
      await reporter.report(upload.photoId, report, context.signal);
    } catch (err) {
      if (err instanceof ReportRejected) throw new PermanentFailure(err.message);
      // The token is wrong or lacks the right: retrying (or waiting behind a breaker) cannot fix
      // that, and a breaker would only hide it as an outage. The message goes to the DLQ with the
      // reason, to be redriven once the token is fixed, and the alarm on this line fires.
      if (err instanceof ReportUnauthorized) {
        metrics.apiAuthRefused.inc({ status: String(err.status) });
        log.error(
          { event: API_AUTH_REFUSED_EVENT, photoId: upload.photoId, status: err.status, err: err.message },
          "the API refused the worker's token; the message goes to the dead-letter queue",
        );
        throw new PermanentFailure(`API refused the worker's token (HTTP ${err.status}): ${err.message}`);
      }
      if (err instanceof ReportNotStored) throw new DependencyUnavailable(API_DEPENDENCY, err.message);
      throw err;
    }
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

  /** Resolves while S3 answers requests (any answer about an object, even "no such key" or "denied"). */
  async probeS3(signal: AbortSignal): Promise<void> {
    try {
      await this.deps.s3.send(
        new HeadObjectCommand({ Bucket: this.options.uploadBucket, Key: `${this.options.uploadPrefix}.probe` }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (s3Unavailable(err)) throw err;
    }
  }

  private async download(upload: PhotoUpload, signal: AbortSignal): Promise<Uint8Array> {
    const { maxImageBytes } = this.options;
    const where = `s3://${upload.bucket}/${upload.key}${upload.versionId ? ` version ${upload.versionId}` : ""}`;
    let res;
    try {
      res = await this.deps.s3.send(
        new GetObjectCommand({ Bucket: upload.bucket, Key: upload.key, VersionId: upload.versionId }),
        { abortSignal: signal },
      );
    } catch (err) {
      const name = (err as { name?: string }).name;
      // A deleted version is the same case as a deleted object: it will not come back.
      if (name === "NoSuchKey" || name === "NoSuchVersion")
        throw new ObjectGone(`${where} was deleted before it was classified (${name})`);
      if (!signal.aborted && s3Unavailable(err))
        throw new DependencyUnavailable(S3_DEPENDENCY, `${where}: ${(err as Error).message}`);
      throw err;
    }
    const body = res.Body as { transformToByteArray(): Promise<Uint8Array>; destroy?(): void };
    // Refuse oversized objects before reading them into memory.
    if ((res.ContentLength ?? 0) > maxImageBytes) {
      body.destroy?.();
      throw new ImageRejected("too-large", `${res.ContentLength} bytes exceeds the limit of ${maxImageBytes}`);
    }
    return body.transformToByteArray();
  }
}
