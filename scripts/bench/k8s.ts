/**
 * Bench suite `k8s`: the embedded Kubernetes (scripts/embedded-k8s): start-to-ready time (API
 * server ready, KWOK node Ready, default ServiceAccount present), each component's RSS once ready,
 * the time from applying a Deployment + Service to a ready EndpointSlice, and the time to stop.
 * Then the segment operator's reconcile latency at `--builds` SegmentBuilds (default 100), see
 * segmentBuildLatency.
 * Options: --starts N (default 3): starts measured, one after another; the median is reported.
 */
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import pino from "pino";
import { windowOf } from "../../workloads/search/segments/windows";
import { GROUP, VERSION, type SegmentBuild } from "../../workloads/search/crds/types";
import { environmentFor, loadOperatorSettings } from "../../workloads/search/operator/config";
import { createSegmentBuild } from "../../workloads/search/operator/create-build";
import { RestartingInformer } from "../../workloads/search/operator/informer";
import { startOperator } from "../../workloads/search/operator/main";
import {
  adminKubeConfig,
  setUpOperator,
  testBuildJobs,
  TEST_SOURCE,
} from "../../workloads/search/local/operator-harness";
import { startEmbeddedKubernetes, KUBERNETES_VERSION, type EmbeddedKubernetes } from "../embedded-k8s";
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

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};

/**
 * The operator (as its ServiceAccount, default 4 workers) against `count` daily SegmentBuilds
 * created 10 at a time: from sending the create to seeing the build's Job in a watch, and from
 * seeing its Job Complete (KWOK completes Job pods at once) to seeing the SegmentBuild Succeeded.
 * Both ends are seen through the same kind of watch, so the watch delay is on both sides.
 */
async function segmentBuildLatency(cluster: EmbeddedKubernetes, count: number, report: Report): Promise<void> {
  const ns = "search-bench";
  const accounts = await setUpOperator(cluster, ns, "segment-operator");
  const settings = loadOperatorSettings(
    environmentFor({
      namespace: ns,
      podName: "bench",
      opsPort: 0,
      buildJobs: JSON.stringify(testBuildJobs(count)),
    }),
  );
  const operator = await startOperator(settings, pino({ level: "silent" }), accounts.operator);
  const admin = adminKubeConfig(cluster);
  const sent = new Map<string, number>();
  const jobSeen = new Map<string, number>();
  const jobDone = new Map<string, number>();
  const statusSeen = new Map<string, number>();
  // Informers, not bare watches: a watch on a just-established CRD answers 429 until its cache is ready.
  const silent = pino({ level: "silent" });
  const jobs = new RestartingInformer<k8s.V1Job>(
    admin,
    {
      name: "jobs",
      path: `/apis/batch/v1/namespaces/${ns}/jobs`,
      list: () => admin.makeApiClient(k8s.BatchV1Api).listNamespacedJob({ namespace: ns }),
    },
    (job) => {
      const name = job.metadata?.name as string;
      if (!jobSeen.has(name)) jobSeen.set(name, performance.now());
      if (!jobDone.has(name) && job.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True"))
        jobDone.set(name, performance.now());
    },
    silent,
  );
  const builds = new RestartingInformer<SegmentBuild & k8s.KubernetesObject>(
    admin,
    {
      name: "segmentbuilds",
      path: `/apis/${GROUP}/${VERSION}/namespaces/${ns}/segmentbuilds`,
      list: () =>
        admin
          .makeApiClient(k8s.CustomObjectsApi)
          .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: "segmentbuilds" }),
    },
    (sb) => {
      if (sb.status?.phase === "Succeeded" && !statusSeen.has(sb.metadata.name))
        statusSeen.set(sb.metadata.name, performance.now());
    },
    silent,
  );
  await Promise.all([jobs.start(), builds.start()]);
  try {
    await waitUntil(
      () => operator.reconciler() !== undefined,
      30_000,
      () => "the bench operator leading",
    );
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < count; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
          const t = performance.now();
          const window = windowOf("daily", new Date(start + (i + j) * 86_400_000));
          const name = await createSegmentBuild(accounts.creator, ns, { window, force: false, source: TEST_SOURCE });
          sent.set(name, t);
        }),
      );
    }
    await waitUntil(
      () => statusSeen.size >= count,
      180_000,
      () =>
        `${count} SegmentBuilds Succeeded (created ${sent.size}, Jobs ${jobSeen.size}, Complete ${jobDone.size}, Succeeded ${statusSeen.size})`,
    );
  } finally {
    await jobs.stop();
    await builds.stop();
    await operator.stop();
  }
  const toJob = [...sent].map(([name, t]) => (jobSeen.get(name) as number) - t);
  const toStatus = [...jobDone].map(([name, t]) => (statusSeen.get(name) as number) - t);
  const note = `${count} SegmentBuilds created 10 at a time, 4 workers, watch to watch`;
  for (const [label, values] of [
    ["create-to-job", toJob],
    ["job-done-to-status", toStatus],
  ] as const) {
    report({ label: `segmentbuild.${label}.p50`, value: percentile(values, 0.5), unit: "ms", note });
    report({ label: `segmentbuild.${label}.p99`, value: percentile(values, 0.99), unit: "ms", note });
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`bench: no ${what()} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function run(argv: string[], report: Report): Promise<void> {
  const starts = numberOption(argv, "starts", 3);
  const buildCount = numberOption(argv, "builds", 100);
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
        await segmentBuildLatency(k8s, buildCount, report);
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
