/**
 * Bench suite `photo`: the photo-classification figures from one run (issue 5): raw model
 * throughput at batch 1 and at the worker's batch size; whole-pipeline throughput on embedded AWS
 * and its ratio to raw and to the embedded AWS's ceiling; p50/p99 upload-to-verdict at about half
 * the pipeline's capacity; the worker's peak RSS and its CPU time per photo outside the model
 * and in it; the model's food / not-food accuracy.
 * Options: --batch N (default 8), --threads N (default 2), --photos N (default 400), --seconds S (default 20)
 */
import { readdir, readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedAws } from "../embedded-aws";
import { measureAccuracy } from "./photo/accuracy";
import { latencyAtRate, pipelineThroughput, ceilingWithoutModel } from "./photo/pipeline";
import { rawThroughput } from "./photo/raw-model";
import { BUILT_MODEL, LABELLED_PHOTOS } from "../../workloads/photo-classification/model/paths";
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
  const aws = await startEmbeddedAws();
  let pipeline, latency, ceiling;
  try {
    pipeline = await pipelineThroughput(aws, photos, count, workerSettings);
    ceiling = await ceilingWithoutModel(aws, photos, count, workerSettings);
    latency = await latencyAtRate(aws, photos, pipeline.imagesPerSecond / 2, seconds, workerSettings);
  } finally {
    await aws.stop();
  }
  const accuracy = await measureAccuracy(BUILT_MODEL, session, LABELLED_PHOTOS, 0.5);

  const pct = (x: number) => Number((x * 100).toFixed(1));
  report({ label: "raw-model.batch-1", value: raw1, unit: "images/s" });
  report({ label: "raw-model.batch-n", value: rawN, unit: "images/s", note: `batch ${batch}` });
  report({
    label: "pipeline.throughput",
    value: pipeline.imagesPerSecond,
    unit: "images/s",
    note: `batch ${batch}, ${pipeline.photos} photos, mean batch run ${pipeline.meanBatchSize.toFixed(1)}`,
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
  report({
    label: "accuracy.at-0.5",
    value: pct(accuracy.accuracy),
    unit: "%",
    note: `${accuracy.food} food, ${accuracy.notFood} not-food photos`,
  });
  report({ label: "accuracy.food-recall", value: pct(accuracy.foodRecall), unit: "%" });
  report({ label: "accuracy.not-food-recall", value: pct(accuracy.notFoodRecall), unit: "%" });
  report({ label: "accuracy.balanced", value: pct(accuracy.balancedAccuracy), unit: "%" });
  report({ label: "accuracy.roc-auc", value: accuracy.rocAuc });
  report({
    label: "accuracy.held-out.threshold",
    value: accuracy.heldOut.threshold,
    note: "calibrated on half the set, measured on the other half",
  });
  report({ label: "accuracy.held-out.balanced", value: pct(accuracy.heldOut.balancedAccuracy), unit: "%" });
}
