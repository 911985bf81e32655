/**
 * Embedded Kubernetes for integration tests: a private control plane per caller (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler and KWOK on 127.0.0.1), started and
 * stopped through `scripts/embedded-k8s/ctl`, the way `startEmbeddedAws()` gives a moto server.
 *
 * Each instance has its own state directory under the OS temp dir, removed by stop(); a
 * process-exit hook stops any instance a caller forgot. Pods never run: KWOK marks them Ready with
 * fake IPs, which is enough for Deployments, Services and EndpointSlices.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeObject } from "../../infra/plan/kubernetes-manifests";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

const CTL = path.join(REPO_ROOT, "scripts", "embedded-k8s", "ctl");

/** The versions scripts/embedded-k8s/env.sh pins, read from it so there is one place to change them. */
function pinnedVersion(name: string): string {
  const env = readFileSync(path.join(REPO_ROOT, "scripts", "embedded-k8s", "env.sh"), "utf8");
  const match = new RegExp(`^export ${name}=(\\S+)$`, "m").exec(env);
  if (!match) throw new Error(`scripts/embedded-k8s/env.sh does not set ${name}`);
  return match[1];
}

export const KUBERNETES_VERSION = pinnedVersion("K8S_VERSION");
export const K8S_BIN = path.join(REPO_ROOT, ".tools", `k8s-${KUBERNETES_VERSION}`, "bin");
export const KUBECTL = path.join(K8S_BIN, "kubectl");

// The manifest type is the offline plan's (infra/plan): the harness applies what the plan produces.
export type { KubeObject };

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What the API server said about one object in a server-side dry-run apply. */
export interface DryRunVerdict {
  /** `Kind/name` or `Kind/namespace/name`. */
  object: string;
  accepted: boolean;
  /** The server's rejection (or the warning that was treated as one); empty when accepted. */
  message: string;
}

export interface EmbeddedKubernetes {
  /** Path of an admin kubeconfig (a static token in system:masters). */
  kubeconfig: string;
  /** API server URL, https://127.0.0.1:<port>. */
  server: string;
  /** The admin's bearer token. */
  token: string;
  /** PEM file of the cluster CA that signed the API server's certificate. */
  caFile: string;
  /** The instance's state directory (logs/, pids/). */
  stateDir: string;
  /** Process ids of the running components, by name (etcd, kube-apiserver, ..., kwok). */
  pids(): Record<string, number>;
  /** Runs kubectl as the admin against this cluster; never throws on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  /** Server-side applies the objects for real (field manager `embedded-k8s`); throws on rejection. */
  apply(objects: KubeObject[], namespace?: string): Promise<void>;
  /** Creates (or updates) a namespace and waits for its `default` ServiceAccount, which Pods need. */
  ensureNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  /** See {@link dryRunApply}. */
  dryRunApply(objects: KubeObject[], namespace?: string): Promise<DryRunVerdict[]>;
  /** Stops every component by pid and removes the state directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How long to wait for the whole control plane (API server, node Ready, default ServiceAccount). */
  startTimeoutMs?: number;
  /** Keep the state directory (logs) after stop(), e.g. to debug a failing test. */
  keepState?: boolean;
}

const live = new Set<string>();
process.once("exit", () => {
  for (const dir of live) {
    try {
      execFileSync("bash", [CTL, "stop", dir], { stdio: "ignore", timeout: 15_000 });
    } catch {
      // Exiting anyway: nothing else can be done for a component that outlived its stop.
    }
  }
});

function run(file: string, args: string[], input?: string, timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err ? err.message : "") });
    });
    child.stdin?.end(input ?? "");
  });
}

function objectName(object: KubeObject, namespace?: string): string {
  const ns = object.metadata.namespace ?? namespace;
  return [object.kind, ns, object.metadata.name].filter(Boolean).join("/");
}

/**
 * Asks the API server whether it would accept each object: `kubectl apply --server-side
 * --dry-run=server --warnings-as-errors`, one object per call so each verdict carries its own
 * message. Warnings count as rejections because PodSecurity only warns for controllers
 * (Deployments, CronJobs, ...) whose pod template would violate the namespace's level. Namespaced
 * objects need their namespace to exist already (see `ensureNamespace`).
 */
export async function dryRunApply(
  kubeconfig: string,
  objects: KubeObject[],
  namespace?: string,
): Promise<DryRunVerdict[]> {
  const verdicts: DryRunVerdict[] = [];
  for (const object of objects) {
    if (!object?.kind || !object?.metadata?.name) {
      throw new Error(`dryRunApply: object ${JSON.stringify(object).slice(0, 200)} has no kind or metadata.name`);
    }
    const args = ["--kubeconfig", kubeconfig, "apply", "--server-side", "--field-manager", "embedded-k8s"];
    args.push("--dry-run=server", "--warnings-as-errors", "-f", "-");
    if (namespace) args.push("--namespace", namespace);
    const result = await run(KUBECTL, args, JSON.stringify(object));
    verdicts.push({
      object: objectName(object, namespace),
      accepted: result.code === 0,
      message: result.code === 0 ? "" : result.stderr.trim(),
    });
  }
  return verdicts;
}

async function ctl(command: "start" | "stop", dir: string, timeoutMs: number): Promise<CommandResult> {
  return run("bash", [CTL, command, dir], undefined, timeoutMs);
}

export async function startEmbeddedKubernetes(options: StartOptions = {}): Promise<EmbeddedKubernetes> {
  if (!existsSync(KUBECTL)) {
    throw new Error(`embedded Kubernetes not built in ${K8S_BIN}: run 'bash scripts/setup.d/50-embedded-k8s.sh'`);
  }
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "embedded-k8s-"));
  live.add(stateDir);
  const started = await ctl("start", stateDir, options.startTimeoutMs ?? 120_000);
  if (started.code !== 0) {
    await ctl("stop", stateDir, 30_000);
    live.delete(stateDir);
    const detail = started.stderr.trim() || "no output";
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`embedded Kubernetes did not start (state in ${stateDir}): ${detail}`);
  }
  const kubeconfig = started.stdout.trim().split("\n").pop() ?? "";
  const server = readFileSync(path.join(stateDir, "server"), "utf8").trim();
  const token = readFileSync(path.join(stateDir, "token"), "utf8").trim();

  const kubectl = (args: string[], input?: string) => run(KUBECTL, ["--kubeconfig", kubeconfig, ...args], input);
  const apply = async (objects: KubeObject[], namespace?: string) => {
    const args = ["apply", "--server-side", "--field-manager", "embedded-k8s", "-f", "-"];
    if (namespace) args.push("--namespace", namespace);
    const input = objects.map((o) => JSON.stringify(o)).join("\n");
    const result = await kubectl(args, input);
    if (result.code !== 0) {
      throw new Error(`apply of ${objects.map((o) => objectName(o, namespace)).join(", ")} refused: ${result.stderr}`);
    }
  };

  return {
    kubeconfig,
    server,
    token,
    caFile: path.join(stateDir, "pki", "ca.crt"),
    stateDir,
    pids: () => {
      const dir = path.join(stateDir, "pids");
      if (!existsSync(dir)) return {};
      return Object.fromEntries(
        readdirSync(dir).map((name) => [name, Number(readFileSync(path.join(dir, name), "utf8").trim())]),
      );
    },
    kubectl,
    apply,
    ensureNamespace: async (name, labels = {}) => {
      await apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }]);
      const deadline = Date.now() + 30_000;
      while ((await kubectl(["-n", name, "get", "serviceaccount", "default"])).code !== 0) {
        if (Date.now() > deadline) throw new Error(`namespace ${name}: no default ServiceAccount after 30 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    dryRunApply: (objects, namespace) => dryRunApply(kubeconfig, objects, namespace),
    stop: async () => {
      if (!live.has(stateDir)) return;
      const stopped = await ctl("stop", stateDir, 30_000);
      live.delete(stateDir);
      if (stopped.code !== 0) throw new Error(`embedded Kubernetes stop failed: ${stopped.stderr}`);
      if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
