/**
 * CPU time of a live worker process split by thread: the inference thread and the ONNX Runtime
 * threads it starts (all named "WorkerThread": Linux threads take their creator's name) against
 * everything else — the event loop (SQS, S3, HTTP, JSON), libuv's pool and libvips (decode,
 * resize), V8's helpers. Read from /proc, so it measures the real process, not an estimate.
 */
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

const MODEL_THREAD = "WorkerThread";
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** CPU seconds so far of each thread of `pid`, by thread id, with the thread's name. */
export async function threadCpu(pid: number): Promise<Map<string, { name: string; seconds: number }>> {
  const threads = new Map<string, { name: string; seconds: number }>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8");
      // The name is in parentheses and may hold spaces; the fields after it are space-separated.
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
      const ticks = Number(fields[11]) + Number(fields[12]);
      threads.set(tid, { name, seconds: ticks / TICKS_PER_SECOND });
    } catch {
      // the thread ended between readdir and readFile
    }
  }
  return threads;
}

/** CPU seconds spent between two readings, in the model's threads and outside them. */
export function cpuBetween(
  before: Map<string, { name: string; seconds: number }>,
  after: Map<string, { name: string; seconds: number }>,
): { modelSeconds: number; otherSeconds: number } {
  let modelSeconds = 0;
  let otherSeconds = 0;
  for (const [tid, { name, seconds }] of after) {
    const spent = seconds - (before.get(tid)?.seconds ?? 0);
    if (name === MODEL_THREAD) modelSeconds += spent;
    else otherSeconds += spent;
  }
  return { modelSeconds, otherSeconds };
}
