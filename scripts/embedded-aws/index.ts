/**
 * Embedded AWS for integration tests and local runs: a private moto server per caller.
 *
 * Each caller starts its own server on a free loopback port and stops it when done, so tests
 * never share state and never leave a server behind (a process-exit hook kills stragglers).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

const MOTO_SERVER = path.join(REPO_ROOT, ".venv", "bin", "moto_server");

export interface AwsClientConfig {
  endpoint: string;
  region: string;
  forcePathStyle: true;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface EmbeddedAws {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  endpoint: string;
  region: string;
  /** Options to spread into any AWS SDK v3 client constructor. */
  clientConfig(): AwsClientConfig;
  /** Environment variables that point an AWS SDK in a child process at this server. */
  env(): Record<string, string>;
  /** Wipes every resource in the server (moto's reset API) without restarting it. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  region?: string;
  /** How long to wait for the server to answer before failing. */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        reject(new Error("could not allocate a loopback port"));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/data.json`);
    return res.ok;
  } catch {
    return false;
  }
}

export async function startEmbeddedAws(options: StartOptions = {}): Promise<EmbeddedAws> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`moto server not installed at ${MOTO_SERVER}: run 'bash scripts/embedded-aws/ctl install'`);
  }
  const region = options.region ?? "us-east-1";
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      running.delete(child);
      throw new Error(`moto server did not answer on ${endpoint}: ${stderr.trim() || "no output"}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  return {
    endpoint,
    region,
    clientConfig: () => ({ endpoint, region, forcePathStyle: true, credentials: { ...credentials } }),
    env: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_S3_FORCE_PATH_STYLE: "true",
    }),
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}
