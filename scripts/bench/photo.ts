/**
 * Bench suite `photo`: the photo-classification figures from one run (issues 5 and 20): raw model
 * throughput at batch 1 and at the worker's batch size, with and without the trained food head
 * (the head's share of a batch); whole-pipeline throughput on embedded AWS with the head model and
 * with the zero-shot one it replaced, and its ratio to raw and to the embedded AWS's ceiling;
 * p50/p99 upload-to-verdict at about half the pipeline's capacity; the worker's peak RSS and its
 * CPU time per photo outside the model and in it; ROC AUC and precision / recall at the configured
 * threshold on the labelled set's held-out split, for the head and for the zero-shot baseline.
 * Options: --batch N (default 8), --threads N (default 2), --photos N (default 400), --seconds S (default 20)
 */
import { readdir, readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedAws } from "../embedded-aws";
import { measureAccuracy } from "./photo/accuracy";
import { latencyAtRate, pipelineThroughput, ceilingWithoutModel } from "./photo/pipeline";
import { cpuMsPerBatch, rawThroughput } from "./photo/raw-model";
import {
  BUILT_MODEL,
  LABELLED_PHOTOS,
  LABELLED_SET,
  ZERO_SHOT_MODEL,
} from "../../workloads/photo-classification/model/paths";
import { workerEnv } from "../../workloads/photo-classification/worker/config";
import { toModelInput } from "../../workloads/shared/image-model/preprocess";

import { numberOption, type Report } from "./figures";

export async function run(argv: string[], report: Report): Promise<void> {
  const batch = numberOption(argv, "batch", 8);
  const threads = numberOption(argv, "threads", 2);
  const count = numberOption(argv, "photos", 400);
  const seconds = numberOption(argv, "seconds", 20);
  const session = { threads, executionProvider: "cpu" as const };
  const workerSettings = { batchSize: batch, inferenceThreads: threads };
  const foodDir = path.join(LABELLED_PHOTOS, "food");
  const photos = await Promise.all((await readdir(foodDir)).sort().map((f) => readFile(path.join(foodDir, f))));
  const inputs = await Promise.all(
    photos.slice(0, 16).map((p) => toModelInput(p, { maxBytes: 10_000_000, maxPixels: 40_000_000 })),
  );
  report({
    label: "machine",
    value: `${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    note: `model ${path.basename(BUILT_MODEL)}, ${threads} inference threads, CPU execution`,
  });

  const raw1 = await rawThroughput(BUILT_MODEL, session, inputs, 1, 5);
  const rawN = await rawThroughput(BUILT_MODEL, session, inputs, batch, 5);
  const rawZeroShot = await rawThroughput(ZERO_SHOT_MODEL, session, inputs, batch, 5);
  // The head's cost in CPU time (wall time on a shared machine moves by more than the head costs),
  // head and no head alternated so that contention falls on both alike.
  const withHead: number[] = [];
  const withoutHead: number[] = [];
  for (let round = 0; round < 5; round++) {
    withoutHead.push(await cpuMsPerBatch(ZERO_SHOT_MODEL, session, inputs, batch, 10));
    withHead.push(await cpuMsPerBatch(BUILT_MODEL, session, inputs, batch, 10));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const cpuHead = median(withHead);
  const cpuZeroShot = median(withoutHead);
  const aws = await startEmbeddedAws();
  let pipeline, pipelineZeroShot, latency, ceiling;
  try {
    pipelineZeroShot = await pipelineThroughput(aws, photos, count, { ...workerSettings, modelUri: ZERO_SHOT_MODEL });
    pipeline = await pipelineThroughput(aws, photos, count, workerSettings);
    ceiling = await ceilingWithoutModel(aws, photos, count, workerSettings);
    latency = await latencyAtRate(aws, photos, pipeline.imagesPerSecond / 2, seconds, workerSettings);
  } finally {
    await aws.stop();
  }
  // The worker's configured default (chosen on the training split), and the 0.5 the zero-shot model ran at.
  const threshold = workerEnv.shape.FOOD_THRESHOLD.parse(undefined);
  const accuracy = await measureAccuracy(BUILT_MODEL, session, LABELLED_SET, { head: threshold, zeroShot: 0.5 });

  const pct = (x: number) => Number((x * 100).toFixed(1));
  report({ label: "raw-model.batch-1", value: raw1, unit: "images/s" });
  report({ label: "raw-model.batch-n", value: rawN, unit: "images/s", note: `batch ${batch}, with the food head` });
  report({
    label: "raw-model.batch-n.zero-shot",
    value: rawZeroShot,
    unit: "images/s",
    note: `batch ${batch}, the zero-shot model before the head`,
  });
  report({
    label: "raw-model.cpu-per-batch",
    value: Number(cpuHead.toFixed(1)),
    unit: "ms",
    note: `batch ${batch}, with the food head: process CPU, median of 5 rounds of 10 batches`,
  });
  report({
    label: "raw-model.cpu-per-batch.zero-shot",
    value: Number(cpuZeroShot.toFixed(1)),
    unit: "ms",
    note: "the zero-shot model before the head, alternated with the rounds above",
  });
  report({
    label: "raw-model.head-share-of-batch",
    value: Number((1 - cpuZeroShot / cpuHead).toFixed(4)),
    note: "(CPU per batch with head - without) / with; target < 0.05",
  });
  report({
    label: "pipeline.throughput",
    value: pipeline.imagesPerSecond,
    unit: "images/s",
    note: `batch ${batch}, ${pipeline.photos} photos, mean batch run ${pipeline.meanBatchSize.toFixed(1)}`,
  });
  report({
    label: "pipeline.throughput.zero-shot",
    value: pipelineZeroShot.imagesPerSecond,
    unit: "images/s",
    note: `the worker with the zero-shot model, before the head; batch ${batch}, ${pipelineZeroShot.photos} photos`,
  });
  report({
    label: "pipeline.head-over-zero-shot",
    value: Number((pipeline.imagesPerSecond / pipelineZeroShot.imagesPerSecond).toFixed(3)),
    note: "worker throughput after the head / before",
  });
  report({ label: "pipeline.over-raw", value: pipeline.imagesPerSecond / rawN, note: "target >= 0.90" });
  report({
    label: "pipeline.ceiling-without-model",
    value: ceiling,
    unit: "images/s",
    note: "a constant in place of the model: the embedded AWS's limit here",
  });
  report({ label: "pipeline.over-ceiling", value: pipeline.imagesPerSecond / ceiling, note: "target >= 0.90" });
  report({
    label: "latency.p50",
    value: latency.p50Ms,
    unit: "ms",
    note: `upload to verdict at ${latency.ratePerSecond.toFixed(1)} photos/s, ${latency.photos} photos`,
  });
  report({ label: "latency.p99", value: latency.p99Ms, unit: "ms" });
  report({ label: "worker.peak-rss", value: Math.round(pipeline.peakRssBytes / 2 ** 20), unit: "MiB" });
  report({
    label: "worker.cpu-per-photo-outside-model",
    value: Number(pipeline.otherCpuMsPerPhoto.toFixed(2)),
    unit: "ms",
    note: "decode, resize, S3, SQS, report: CPU of the worker's threads other than inference, per photo (sizes a GPU instance's CPU)",
  });
  report({
    label: "worker.cpu-per-photo-model",
    value: Number(pipeline.modelCpuMsPerPhoto.toFixed(2)),
    unit: "ms",
    note: "inference thread and ONNX Runtime threads, CPU execution",
  });
  const held = `held-out split: ${accuracy.food} food, ${accuracy.notFood} not-food photos`;
  for (const [name, figures, what] of [
    ["head", accuracy.head, "trained head, FOOD_THRESHOLD default"],
    ["zero-shot", accuracy.zeroShot, "ImageNet food-class sum, the 0.5 it ran at"],
  ] as const) {
    report({ label: `accuracy.${name}.roc-auc`, value: Number(figures.rocAuc.toFixed(4)), note: held });
    report({ label: `accuracy.${name}.threshold`, value: Number(figures.threshold.toFixed(4)), note: what });
    report({ label: `accuracy.${name}.precision`, value: pct(figures.precision), unit: "%" });
    report({
      label: `accuracy.${name}.recall`,
      value: pct(figures.recall),
      unit: "%",
      note: "food photos called food",
    });
    report({ label: `accuracy.${name}.not-food-recall`, value: pct(figures.notFoodRecall), unit: "%" });
  }
}
