/**
 * Bench suite `k8s`: the embedded Kubernetes (scripts/embedded-k8s): start-to-ready time (API
 * server ready, KWOK node Ready, default ServiceAccount present), each component's RSS once ready,
 * the time from applying a Deployment + Service to a ready EndpointSlice, and the time to stop.
 * Options: --starts N (default 3): starts measured, one after another; the median is reported.
 */
import { readFileSync } from "node:fs";
import { startEmbeddedKubernetes, KUBERNETES_VERSION } from "../embedded-k8s";
import { numberOption, type Report } from "./figures";

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  if (!line) throw new Error(`process ${pid} has no VmRSS`);
  return Number(line.split(/\s+/)[1]) / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run(argv: string[], report: Report): Promise<void> {
  const starts = numberOption(argv, "starts", 3);
  const startMs: number[] = [];
  const stopMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const k8s = await startEmbeddedKubernetes();
    startMs.push(performance.now() - t0);
    try {
      if (i === 0) {
        for (const [name, pid] of Object.entries(k8s.pids()).sort()) {
          report({ label: `rss.${name}`, value: rssMiB(pid), unit: "MiB", note: "once ready, before any workload" });
        }
        await k8s.ensureNamespace("bench");
        const labels = { app: "web" };
        const t1 = performance.now();
        await k8s.apply(
          [
            {
              apiVersion: "apps/v1",
              kind: "Deployment",
              metadata: { name: "web" },
              spec: {
                replicas: 3,
                selector: { matchLabels: labels },
                template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "web:1" }] } },
              },
            },
            {
              apiVersion: "v1",
              kind: "Service",
              metadata: { name: "web" },
              spec: { selector: labels, ports: [{ port: 80 }] },
            },
          ],
          "bench",
        );
        const jsonpath = "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}";
        for (;;) {
          const got = await k8s.kubectl([
            "-n",
            "bench",
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=web",
            "-o",
            jsonpath,
          ]);
          if (got.stdout.trim().split(/\s+/).filter(Boolean).length === 3) break;
          if (performance.now() - t1 > 60_000) throw new Error("no 3 ready endpoints within 60 s");
          await new Promise((r) => setTimeout(r, 50));
        }
        report({
          label: "deployment-to-ready-endpoints",
          value: (performance.now() - t1) / 1000,
          unit: "s",
          note: "3 replicas, kubectl apply and polling included",
        });
        for (const name of ["kube-apiserver", "etcd"]) {
          report({ label: `rss-after-workload.${name}`, value: rssMiB(k8s.pids()[name]), unit: "MiB" });
        }
      }
    } finally {
      const t2 = performance.now();
      await k8s.stop();
      stopMs.push(performance.now() - t2);
    }
  }
  report({ label: "version", value: KUBERNETES_VERSION });
  report({
    label: "start-to-ready",
    value: median(startMs) / 1000,
    unit: "s",
    note: `median of ${starts}; all: ${startMs.map((m) => (m / 1000).toFixed(1)).join(", ")}`,
  });
  report({ label: "stop", value: median(stopMs) / 1000, unit: "s", note: `median of ${starts}` });
}
