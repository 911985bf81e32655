/** The model alone: images per second of session.run() at a batch size, inputs already decoded. */
import { INPUT_VALUES } from "../../../workloads/shared/image-model/preprocess";
import { createSession, runBatch, type SessionOptions } from "../../../workloads/shared/image-model/session";
import { FOOD_SCORE } from "../../../workloads/photo-classification/model/classifier";

export async function rawThroughput(
  modelPath: string,
  options: SessionOptions,
  inputs: Float32Array[],
  batchSize: number,
  seconds: number,
): Promise<number> {
  const session = await createSession(modelPath, options, [FOOD_SCORE]);
  try {
    const batch = new Float32Array(batchSize * INPUT_VALUES);
    for (let i = 0; i < batchSize; i++) batch.set(inputs[i % inputs.length], i * INPUT_VALUES);
    for (let i = 0; i < 3; i++) await runBatch(session, batch, batchSize, FOOD_SCORE); // warm-up
    let images = 0;
    const started = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      await runBatch(session, batch, batchSize, FOOD_SCORE);
      images += batchSize;
      elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    }
    return images / elapsed;
  } finally {
    await session.release();
  }
}

/**
 * CPU time of the whole process (inference and ONNX Runtime's threads) per batch, ms: unlike wall
 * time, it does not count the time other processes on a busy machine hold the cores.
 */
export async function cpuMsPerBatch(
  modelPath: string,
  options: SessionOptions,
  inputs: Float32Array[],
  batchSize: number,
  batches: number,
): Promise<number> {
  const session = await createSession(modelPath, options, [FOOD_SCORE]);
  try {
    const batch = new Float32Array(batchSize * INPUT_VALUES);
    for (let i = 0; i < batchSize; i++) batch.set(inputs[i % inputs.length], i * INPUT_VALUES);
    for (let i = 0; i < 2; i++) await runBatch(session, batch, batchSize, FOOD_SCORE); // warm-up
    const before = process.cpuUsage();
    for (let i = 0; i < batches; i++) await runBatch(session, batch, batchSize, FOOD_SCORE);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / batches;
  } finally {
    await session.release();
  }
}
