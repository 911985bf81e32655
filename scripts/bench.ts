/**
 * npm run bench: the photo-classification figures from one run (issue 5), printed as a table.
 *   raw model throughput at batch 1 and at the worker's batch size; whole-pipeline throughput on
 *   embedded AWS and its ratio to raw; p50/p99 upload-to-verdict at about half the pipeline's
 *   capacity; the worker's peak RSS; the model's food / not-food accuracy.
 * Options: --batch N (default 8), --threads N (default 2), --photos N (default 400), --seconds S (default 20)
 */
import { readdir, readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedAws } from "./embedded-aws";
import { measureAccuracy } from "../workloads/photo-classification/bench/accuracy";
import {
  latencyAtRate,
  pipelineThroughput,
  ceilingWithoutModel,
} from "../workloads/photo-classification/bench/pipeline";
import { rawThroughput } from "../workloads/photo-classification/bench/raw-model";
import { BUILT_MODEL, LABELLED_PHOTOS } from "../workloads/photo-classification/model/paths";
import { toModelInput } from "../workloads/photo-classification/model/preprocess";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} ${process.argv[i + 1]}: expected a positive number`);
  return value;
}

async function main(): Promise<void> {
  const batch = option("batch", 8);
  const threads = option("threads", 2);
  const count = option("photos", 400);
  const seconds = option("seconds", 20);
  const session = { threads, executionProvider: "cpu" as const };
  const workerEnv = { BATCH_SIZE: String(batch), INFERENCE_THREADS: String(threads) };
  const foodDir = path.join(LABELLED_PHOTOS, "food");
  const photos = await Promise.all((await readdir(foodDir)).sort().map((f) => readFile(path.join(foodDir, f))));
  const inputs = await Promise.all(
    photos.slice(0, 16).map((p) => toModelInput(p, { maxBytes: 10_000_000, maxPixels: 40_000_000 })),
  );
  console.log(
    `photo-classification bench: ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, model ${path.basename(BUILT_MODEL)}, ${threads} inference threads, CPU execution`,
  );

  const raw1 = await rawThroughput(BUILT_MODEL, session, inputs, 1, 5);
  const rawN = await rawThroughput(BUILT_MODEL, session, inputs, batch, 5);
  const aws = await startEmbeddedAws();
  let pipeline, latency, ceiling;
  try {
    pipeline = await pipelineThroughput(aws, photos, count, workerEnv);
    ceiling = await ceilingWithoutModel(aws, photos, count, workerEnv);
    latency = await latencyAtRate(aws, photos, pipeline.imagesPerSecond / 2, seconds, workerEnv);
  } finally {
    await aws.stop();
  }
  const accuracy = await measureAccuracy(BUILT_MODEL, session, LABELLED_PHOTOS, 0.5);

  const rows: [string, string][] = [
    ["raw model, batch 1", `${raw1.toFixed(1)} images/s`],
    [`raw model, batch ${batch}`, `${rawN.toFixed(1)} images/s`],
    [
      `pipeline on embedded AWS, batch ${batch} (${pipeline.photos} photos)`,
      `${pipeline.imagesPerSecond.toFixed(1)} images/s`,
    ],
    [`  mean batch the worker ran`, `${pipeline.meanBatchSize.toFixed(1)} photos`],
    [`pipeline / raw at batch ${batch}`, `${(pipeline.imagesPerSecond / rawN).toFixed(2)} (target >= 0.90)`],
    [
      "same pipeline with a constant in place of the model",
      `${ceiling.toFixed(1)} images/s (the embedded AWS's limit here)`,
    ],
    ["pipeline / embedded-AWS ceiling", `${(pipeline.imagesPerSecond / ceiling).toFixed(2)}`],
    [
      `upload-to-verdict at ${latency.ratePerSecond.toFixed(1)} photos/s (${latency.photos} photos)`,
      `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`,
    ],
    ["worker peak RSS", `${(pipeline.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    [
      `accuracy, threshold 0.5 (${accuracy.food} food, ${accuracy.notFood} not-food photos)`,
      `${(accuracy.accuracy * 100).toFixed(1)} %`,
    ],
    [
      "  food recall / not-food recall",
      `${(accuracy.foodRecall * 100).toFixed(1)} % / ${(accuracy.notFoodRecall * 100).toFixed(1)} %`,
    ],
    [
      "  balanced accuracy, ROC AUC",
      `${(accuracy.balancedAccuracy * 100).toFixed(1)} %, ${accuracy.rocAuc.toFixed(3)}`,
    ],
    [
      `threshold calibrated on half the set: ${accuracy.heldOut.threshold.toFixed(3)}; on the other half`,
      `food ${(accuracy.heldOut.foodRecall * 100).toFixed(1)} %, not-food ${(accuracy.heldOut.notFoodRecall * 100).toFixed(1)} %, balanced ${(accuracy.heldOut.balancedAccuracy * 100).toFixed(1)} %`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
