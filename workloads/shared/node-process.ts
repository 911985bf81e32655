/** Runs a Node.js program as its own process, as a container would, and collects its JSON logs. */
import { spawn, type ChildProcess } from "node:child_process";

export interface NodeProcess {
  child: ChildProcess;
  /** Its stdout as JSON log lines (non-JSON lines as `{raw}`, stderr as `{stderr}`). */
  logs: () => Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A Node.js process with only the given environment, its output collected. */
export function spawnNode(args: string[], env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => lines.push({ stderr: chunk.toString() }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, logs: () => lines, exited };
}
