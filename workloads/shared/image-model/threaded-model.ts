/**
 * An image model's session on its own worker thread (inference-thread.ts): batches of
 * preprocessed photos in, one output row per photo back. The classifier and the search
 * embedder are both this with a different output.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { ThreadInit, ThreadReply, ThreadRequest } from "./inference-thread";
import { INPUT_VALUES } from "./preprocess";
import type { SessionOptions } from "./session";

// Bundled, the thread is a sibling .js file; under tsx it is the .ts source.
const THREAD_FILE = path.join(__dirname, `inference-thread${path.extname(__filename)}`);

export class ThreadedModel {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(v: Float32Array): void; reject(e: Error): void }>();
  private failed: Error | undefined;

  private constructor(private readonly thread: Worker) {
    thread.on("message", (reply: ThreadReply) => {
      if (!("id" in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) waiter?.reject(new Error(`inference failed: ${reply.error}`));
      else waiter?.resolve(reply.values);
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    thread.on("error", (err) => fail(new Error(`inference thread crashed: ${err.message}`)));
    thread.on("exit", (code) => fail(new Error(`inference thread exited with code ${code}`)));
  }

  static async load(modelPath: string, output: string, options: SessionOptions): Promise<ThreadedModel> {
    const workerData = { modelPath, output, options } satisfies ThreadInit;
    // Worker threads do not inherit tsx's loader hooks, so the TypeScript source registers them itself.
    const thread = THREAD_FILE.endsWith(".ts")
      ? new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(THREAD_FILE)});`, {
          eval: true,
          workerData,
        })
      : new Worker(THREAD_FILE, { workerData });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: ThreadReply) => {
        if ("ready" in reply) resolve();
        else if ("failed" in reply) reject(new Error(`cannot load model ${modelPath}: ${reply.failed}`));
        else return;
        thread.off("message", onMessage);
      };
      thread.on("message", onMessage);
      thread.once("error", reject);
    });
    return new ThreadedModel(thread);
  }

  /** The output for `inputs`, row after row (`inputs.length` rows). */
  async run(inputs: Float32Array[]): Promise<Float32Array> {
    if (this.failed) throw this.failed;
    if (inputs.length === 0) return new Float32Array(0);
    const batch = new Float32Array(inputs.length * INPUT_VALUES);
    inputs.forEach((input, i) => batch.set(input, i * INPUT_VALUES));
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ id, batch, count: inputs.length } satisfies ThreadRequest, [batch.buffer]);
    });
  }

  /** Why the model can no longer run (its thread died), or undefined while it can. */
  failure(): Error | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}
