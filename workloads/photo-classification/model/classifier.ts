/**
 * Food / not-food classification of preprocessed photos, batched, on an inference thread.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { ThreadInit, ThreadReply, ThreadRequest } from "./inference-thread";
import { INPUT_VALUES } from "./preprocess";
import type { SessionOptions } from "./session";

export interface Classifier {
  /** Stored with every result: which bytes produced the score. */
  readonly version: string;
  /** One food probability in [0, 1] per input. */
  classify(inputs: Float32Array[]): Promise<number[]>;
  /** Why the classifier can no longer classify (its thread died), or undefined while it can. */
  failure(): Error | undefined;
  close(): Promise<void>;
}

// Bundled, the thread is a sibling .js file; under tsx it is the .ts source.
const THREAD_FILE = path.join(__dirname, `inference-thread${path.extname(__filename)}`);

export class ThreadedClassifier implements Classifier {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(s: Float32Array): void; reject(e: Error): void }>();
  private failed: Error | undefined;

  private constructor(
    private readonly thread: Worker,
    readonly version: string,
  ) {
    thread.on("message", (reply: ThreadReply) => {
      if (!("id" in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) waiter?.reject(new Error(`inference failed: ${reply.error}`));
      else waiter?.resolve(reply.scores);
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    thread.on("error", (err) => fail(new Error(`inference thread crashed: ${err.message}`)));
    thread.on("exit", (code) => fail(new Error(`inference thread exited with code ${code}`)));
  }

  static async load(modelPath: string, version: string, options: SessionOptions): Promise<ThreadedClassifier> {
    const workerData = { modelPath, options } satisfies ThreadInit;
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
    return new ThreadedClassifier(thread, version);
  }

  async classify(inputs: Float32Array[]): Promise<number[]> {
    if (this.failed) throw this.failed;
    if (inputs.length === 0) return [];
    const batch = new Float32Array(inputs.length * INPUT_VALUES);
    inputs.forEach((input, i) => batch.set(input, i * INPUT_VALUES));
    const id = this.nextId++;
    const scores = await new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ id, batch, count: inputs.length } satisfies ThreadRequest, [batch.buffer]);
    });
    return Array.from(scores);
  }

  failure(): Error | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}
