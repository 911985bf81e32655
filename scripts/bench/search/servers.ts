/** Starts and stops bench shard host processes (`host-server.ts`). */
import * as path from "node:path";
import { spawnNode } from "../../../workloads/shared/node-process";
import { waitFor } from "../../../workloads/shared/poll";
import type { HostSpec } from "./host-server";

export interface BenchServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchServer(spec: HostSpec, timeoutMs = 600_000): Promise<BenchServer> {
  const p = spawnNode(["--import", "tsx", path.join(__dirname, "host-server.ts")], { SERVE: JSON.stringify(spec) });
  let exited = false;
  void p.exited.then(() => (exited = true));
  const port = await waitFor(
    `the shard host ${spec.name}`,
    async () => {
      if (exited) throw new Error(`shard host ${spec.name} exited: ${JSON.stringify(p.logs())}`);
      const line = p.logs().find((l) => l.msg === "serving");
      return line === undefined ? undefined : Number(line.port);
    },
    timeoutMs,
  );
  return {
    address: `127.0.0.1:${port}`,
    pid: p.child.pid as number,
    stop: async () => {
      if (!exited) p.child.kill("SIGTERM");
      await p.exited;
    },
  };
}

/** Starts every server, or none: if one fails, those that started are stopped before the error is thrown. */
export async function startBenchServers(specs: readonly HostSpec[]): Promise<BenchServer[]> {
  const settled = await Promise.allSettled(specs.map((spec) => startBenchServer(spec)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (failed !== undefined) {
    await Promise.all(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}
