/**
 * The whole pipeline on embedded AWS, with the worker as its own process:
 * - throughput: a backlog of photos in S3 (their notifications queued), then the worker
 *   started and timed from its first poll to the last verdict;
 * - latency: photos uploaded by the phone flow at a fixed rate, upload-to-verdict taken from
 *   each record (S3 event time to the API's store time, the same clock).
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { waitFor } from "../../../workloads/shared/poll";
import { loadApiSettings } from "../../../workloads/photo-classification/api/config";
import { startApi } from "../../../workloads/photo-classification/api/main";
import { createLogger } from "../../../workloads/shared/log";
import { freePort, type EmbeddedAws } from "../../embedded-aws";
import {
  createPhotoEnvironment,
  type PhotoEnvironment,
} from "../../../workloads/photo-classification/local/environment";
import type { Classifier } from "../../../workloads/photo-classification/model/classifier";
import { loadWorkerSettings, type WorkerSettings } from "../../../workloads/photo-classification/worker/config";
import { createWorker } from "../../../workloads/photo-classification/worker/main";
import { uploadPhoto } from "../../../workloads/photo-classification/local/phone";
import { cpuBetween, threadCpu } from "./cpu";
import type { NodeProcess } from "../../../workloads/shared/node-process";
import {
  allRecords,
  peakRssBytes,
  scrapeCounter,
  spawnWorker,
} from "../../../workloads/photo-classification/local/probes";

export interface PipelineRun {
  photos: number;
  imagesPerSecond: number;
  peakRssBytes: number;
  meanBatchSize: number;
  /** Worker CPU per photo in the inference thread and ONNX Runtime's threads, ms. */
  modelCpuMsPerPhoto: number;
  /** Worker CPU per photo everywhere else (decode, resize, S3, SQS, report), ms. */
  otherCpuMsPerPhoto: number;
}

export interface LatencyRun {
  photos: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function putBacklog(env: PhotoEnvironment, photos: Buffer[], count: number): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        env.s3.send(
          new PutObjectCommand({ Bucket: env.bucket, Key: `uploads/t${i + j}`, Body: photos[(i + j) % photos.length] }),
        ),
      ),
    );
  }
}

const quiet = () => createLogger("bench", { write: () => undefined });

interface Bench {
  env: PhotoEnvironment;
  metricsPort: number;
  api: Awaited<ReturnType<typeof startApi>>;
  /** Starts the worker process (once); it is stopped with SIGTERM when the bench is done. */
  startWorker(): NodeProcess;
}

/** An environment and API for one measurement; the worker process starts when the body says. */
async function withWorker<T>(
  aws: EmbeddedAws,
  workerSettings: Partial<WorkerSettings>,
  body: (bench: Bench) => Promise<T>,
): Promise<T> {
  const env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: 60 });
  const api = await startApi(loadApiSettings(env.apiEnv()), quiet(), aws.clientConfig());
  const metricsPort = await freePort();
  let worker: NodeProcess | undefined;
  const startWorker = () =>
    (worker ??= spawnWorker({ ...env.workerEnv(api.url, { metricsPort, ...workerSettings }), LOG_LEVEL: "warn" }));
  try {
    return await body({ env, api, metricsPort, startWorker });
  } finally {
    if (worker) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
    await api.stop();
  }
}

export async function pipelineThroughput(
  aws: EmbeddedAws,
  photos: Buffer[],
  count: number,
  workerSettings: Partial<WorkerSettings>,
): Promise<PipelineRun> {
  return withWorker(aws, workerSettings, async (ctx) => {
    await putBacklog(ctx.env, photos, count);
    const worker = ctx.startWorker();
    await waitFor(
      "the worker to start polling",
      async () => (await scrapeCounter(ctx.metricsPort, "photo_worker_messages_received_total")) > 0 || undefined,
      120_000,
      5,
    );
    const started = Date.now();
    const pid = worker.child.pid as number;
    const cpuBefore = await threadCpu(pid);
    await waitFor(
      `${count} verdicts`,
      async () => (await scrapeCounter(ctx.metricsPort, "photo_worker_photos_classified_total")) >= count,
      600_000,
      20,
    );
    const seconds = (Date.now() - started) / 1000;
    const cpu = cpuBetween(cpuBefore, await threadCpu(pid));
    const batches = await scrapeCounter(ctx.metricsPort, "photo_worker_inference_batch_size_count");
    const batched = await scrapeCounter(ctx.metricsPort, "photo_worker_inference_batch_size_sum");
    return {
      photos: count,
      imagesPerSecond: count / seconds,
      peakRssBytes: await peakRssBytes(worker.child.pid as number),
      meanBatchSize: batched / batches,
      modelCpuMsPerPhoto: (cpu.modelSeconds * 1000) / count,
      otherCpuMsPerPhoto: (cpu.otherSeconds * 1000) / count,
    };
  });
}

export async function latencyAtRate(
  aws: EmbeddedAws,
  photos: Buffer[],
  ratePerSecond: number,
  seconds: number,
  workerSettings: Partial<WorkerSettings>,
): Promise<LatencyRun> {
  return withWorker(aws, workerSettings, async (ctx) => {
    ctx.startWorker();
    await waitFor(
      "the worker to serve metrics",
      async () =>
        (await fetch(`http://127.0.0.1:${ctx.metricsPort}/healthz`).then(
          (r) => r.ok,
          () => false,
        )) || undefined,
      120_000,
      20,
    );
    const total = Math.max(1, Math.round(ratePerSecond * seconds));
    const started = Date.now();
    const uploads: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / ratePerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      uploads.push(uploadPhoto(ctx.api.url, photos[i % photos.length], "image/jpeg"));
    }
    await Promise.all(uploads);
    await waitFor(
      `${total} verdicts`,
      async () => (await scrapeCounter(ctx.metricsPort, "photo_worker_photos_classified_total")) >= total,
      600_000,
      50,
    );
    const latencies = (await allRecords(ctx.env))
      .filter((r) => r.storedAt && r.uploadedAt)
      .map((r) => Date.parse(r.storedAt as string) - Date.parse(r.uploadedAt as string))
      .sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { photos: latencies.length, ratePerSecond, p50Ms: at(0.5), p99Ms: at(0.99) };
  });
}

/**
 * The embedded AWS's own limit: the same pipeline with the model replaced by a constant, in
 * this process. Not a test double of the worker: a measuring instrument, so the pipeline's
 * figure can be read against what moto server lets through on this machine.
 */
export async function ceilingWithoutModel(
  aws: EmbeddedAws,
  photos: Buffer[],
  count: number,
  workerSettings: Partial<WorkerSettings>,
): Promise<number> {
  const env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: 60 });
  await putBacklog(env, photos, count);
  const log = quiet();
  const api = await startApi(loadApiSettings(env.apiEnv()), log, aws.clientConfig());
  const settings = loadWorkerSettings(env.workerEnv(api.url, workerSettings));
  const constant: Classifier = {
    version: "constant",
    classify: async (inputs) => inputs.map(() => 0),
    failure: () => undefined,
    close: async () => undefined,
  };
  const { worker, metrics } = createWorker(settings, log, constant, aws.clientConfig());
  const started = Date.now();
  await worker.start();
  try {
    await waitFor(
      `${count} verdicts`,
      async () => (await metrics.classified.get()).values.reduce((sum, v) => sum + v.value, 0) >= count,
      600_000,
      20,
    );
    return count / ((Date.now() - started) / 1000);
  } finally {
    await worker.stop();
    await api.stop();
  }
}
