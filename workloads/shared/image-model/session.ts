/**
 * The ONNX Runtime session of an image model and one batched run. One session per process:
 * creating and releasing sessions repeatedly leaks native memory (onnxruntime#25325).
 * Every image model here takes `image` [N,224,224,3] float RGB 0..255; callers name the output.
 */
import * as ort from "onnxruntime-node";
import { INPUT_SIZE, INPUT_VALUES } from "./preprocess";
import type { EXECUTION_PROVIDERS } from "./session-env";

export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export const IMAGE_INPUT = "image";

export interface SessionOptions {
  /** ORT sizes its pool from the host's cores, not the container's CPU quota: always set it. */
  threads: number;
  executionProvider: ExecutionProvider;
  /** Let idle threads spin: only when the process does nothing but inference. */
  spinning?: boolean;
}

export async function createSession(
  modelPath: string,
  options: SessionOptions,
  outputs: string[],
): Promise<ort.InferenceSession> {
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
  if (!session.inputNames.includes(IMAGE_INPUT)) throw new Error(`model ${modelPath} has no input "${IMAGE_INPUT}"`);
  for (const name of outputs)
    if (!session.outputNames.includes(name)) throw new Error(`model ${modelPath} has no output "${name}"`);
  return session;
}

/** `batch` holds `count` model inputs back to back; returns `output` for all of them, row after row. */
export async function runBatch(
  session: ort.InferenceSession,
  batch: Float32Array,
  count: number,
  output: string,
): Promise<Float32Array> {
  if (batch.length !== count * INPUT_VALUES)
    throw new Error(`batch of ${count} needs ${count * INPUT_VALUES} values, got ${batch.length}`);
  const image = new ort.Tensor("float32", batch, [count, INPUT_SIZE, INPUT_SIZE, 3]);
  const out = await session.run({ [IMAGE_INPUT]: image }, [output]);
  return Float32Array.from(out[output].data as Float32Array);
}
