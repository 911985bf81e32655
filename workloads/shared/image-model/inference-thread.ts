/**
 * Runs inference off the main thread: session.run() is a synchronous native call that would
 * otherwise stop the caller's timers (visibility heartbeats, metrics) for a whole batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createSession, runBatch, type SessionOptions } from "./session";

export interface ThreadInit {
  modelPath: string;
  output: string;
  options: SessionOptions;
}
export type ThreadRequest = { id: number; batch: Float32Array; count: number };
export type ThreadReply =
  { id: number; values: Float32Array } | { id: number; error: string } | { ready: true } | { failed: string };

const port = parentPort;
if (!port) throw new Error("inference-thread must run as a worker thread");
const init = workerData as ThreadInit;

createSession(init.modelPath, init.options, [init.output]).then(
  (session) => {
    port.on("message", (req: ThreadRequest) => {
      runBatch(session, req.batch, req.count, init.output).then(
        (values) => port.postMessage({ id: req.id, values } satisfies ThreadReply, [values.buffer as ArrayBuffer]),
        (err: Error) => port.postMessage({ id: req.id, error: err.message } satisfies ThreadReply),
      );
    });
    port.postMessage({ ready: true } satisfies ThreadReply);
  },
  (err: Error) => port.postMessage({ failed: err.message } satisfies ThreadReply),
);
