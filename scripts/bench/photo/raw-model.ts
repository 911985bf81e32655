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
