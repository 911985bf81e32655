/**
 * The ONNX Runtime session and one batched run. One session per process: creating and
 * releasing sessions repeatedly leaks native memory (onnxruntime#25325).
 */
import * as ort from "onnxruntime-node";
import { INPUT_SIZE, INPUT_VALUES } from "./preprocess";

export type ExecutionProvider = "cpu" | "cuda";

export interface SessionOptions {
  /** ORT sizes its pool from the host's cores, not the container's CPU quota: always set it. */
  threads: number;
  executionProvider: ExecutionProvider;
  /** Let idle threads spin: only when the process does nothing but inference. */
  spinning?: boolean;
}

export async function createSession(modelPath: string, options: SessionOptions): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionProviders: options.executionProvider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    // Idle ORT threads spin by default, burning the cores that downloads, decoding and the
    // queue calls need between batches.
    extra: {
      session: { intra_op: { allow_spinning: options.spinning ? "1" : "0" }, inter_op: { allow_spinning: "0" } },
    },
  });
  for (const name of ["image"])
    if (!session.inputNames.includes(name)) throw new Error(`model ${modelPath} has no input "${name}"`);
  for (const name of ["food_score"])
    if (!session.outputNames.includes(name)) throw new Error(`model ${modelPath} has no output "${name}"`);
  return session;
}

/** `batch` holds `count` model inputs back to back; returns one food score per input. */
export async function runBatch(
  session: ort.InferenceSession,
  batch: Float32Array,
  count: number,
): Promise<Float32Array> {
  if (batch.length !== count * INPUT_VALUES)
    throw new Error(`batch of ${count} needs ${count * INPUT_VALUES} values, got ${batch.length}`);
  const image = new ort.Tensor("float32", batch, [count, INPUT_SIZE, INPUT_SIZE, 3]);
  const out = await session.run({ image }, ["food_score"]);
  return Float32Array.from(out.food_score.data as Float32Array);
}
