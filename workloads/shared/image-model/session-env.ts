/**
 * The environment of every process that runs an image model (the photo worker, the search front and the
 * segment build): how its ONNX Runtime session runs (session.ts). Apart from session.ts so that an env
 * contract, which infra imports, does not load the native runtime.
 */
import { z } from "zod";
import { envInt } from "../env";

export const EXECUTION_PROVIDERS = ["cpu", "cuda"] as const;

/** Spread into a service's env schema: the settings arrive as `executionProvider` and `inferenceThreads`. */
export const sessionEnv = {
  EXECUTION_PROVIDER: z.enum(EXECUTION_PROVIDERS).default("cpu"),
  INFERENCE_THREADS: envInt(1, 64).default(2),
};
