/**
 * The local run's builds as the cluster sees them (`npm start`, after the image search): an
 * embedded Kubernetes with the search CRDs, the segment operator running as its ServiceAccount,
 * and one SegmentBuild per window of the local run (the day 2026-11-01: its 24 hours, the day,
 * the month, forced), created the way the CronJobs create them; then `kubectl get segmentbuilds`.
 *
 * KWOK runs no containers (local/operator-harness.ts): the daily and monthly pods are completed by its
 * stages, exit 0 with no termination message; the hourly pods wait for GPU nodes the embedded
 * cluster lacks, so this script plays their kubelet, ending 23 with exit 0 and the last with
 * exit 3 (incomplete inputs) to show a failure's reason. No build program runs here: the
 * segments themselves were built by the local run before this.
 *
 * Then serving: an IndexServing (the spec the stack writes from ml-platform:hosts), reconciled by
 * the segment controller's own round as its ServiceAccount, over the segments those SegmentBuilds
 * published (stand-in manifests: no asset repository here), until KWOK's pods make it Ready; then
 * `kubectl get indexservings` and the hosts' objects.
 */
import { startEmbeddedKubernetes, type EmbeddedKubernetes, type KubeObject } from "../../../scripts/embedded-k8s";
import pino from "pino";
import { waitFor } from "../../shared/poll";
import { inputWindows, parseWindow } from "../segments/windows";
import type { SegmentBuild } from "../crds/types";
import { environmentFor, loadOperatorSettings } from "../operator/config";
import { createSegmentBuild } from "../operator/create-build";
import { startOperator } from "../operator/main";
import {
  boundAccount,
  finishPod,
  serviceAccountConfig,
  setUpOperator,
  testBuildJobs,
  TEST_SOURCE,
} from "./operator-harness";
import { GROUP, VERSION, type IndexServing } from "../crds/types";
import { controllerRoleRules } from "../controller/config";
import { Reconciler } from "../controller/reconcile";
import { ServingRound } from "../controller/serving-round";
import { findCondition } from "../crds/conditions";
import type { PublishedSegment } from "../segments/segment";

const NS = "search";

async function main(): Promise<void> {
  const cluster = await startEmbeddedKubernetes();
  try {
    const accounts = await setUpOperator(cluster, NS, "segment-operator");
    const settings = loadOperatorSettings(
      environmentFor({
        namespace: NS,
        podName: "segment-operator-local",
        opsPort: 0,
        buildJobs: JSON.stringify(testBuildJobs()),
      }),
    );
    const operator = await startOperator(settings, pino({ level: "warn" }), accounts.operator);
    try {
      const day = parseWindow("daily", "2026-11-01");
      const hours = inputWindows(day);
      const requests = [
        ...hours.map((window) => ({ window, force: false })),
        { window: day, force: false },
        { window: parseWindow("monthly", "2026-11"), force: true },
      ];
      const names = await Promise.all(
        requests.map((r) => createSegmentBuild(accounts.creator, NS, { ...r, source: TEST_SOURCE })),
      );
      // The hourly builds' kubelet, played: 23 end well, the last finds its inputs incomplete.
      await Promise.all(
        names.slice(0, hours.length).map((name, i) =>
          i < hours.length - 1
            ? finishPod(cluster, NS, name, 0)
            : finishPod(cluster, NS, name, 3, {
                buildId: `local-${hours[i].name}`,
                status: "incomplete",
                embeddingVersion: null,
                manifestKey: null,
                counts: {},
                timingsMs: {},
                detail: `feed partition of ${hours[i].name} not closed (played kubelet: no build ran in the cluster)`,
              }),
        ),
      );
      await waitFor(
        "every SegmentBuild finished",
        async () => {
          const got = await cluster.kubectl(["-n", NS, "get", "sb", "-o", "json"]);
          const items = (JSON.parse(got.stdout) as { items: SegmentBuild[] }).items;
          return (
            items.length === names.length &&
            items.every((sb) => ["Succeeded", "Failed"].includes(sb.status?.phase ?? ""))
          );
        },
        120_000,
      );
      const show = async (args: string[]) => {
        console.log(`$ kubectl -n ${NS} ${args.join(" ")}`);
        console.log((await cluster.kubectl(["-n", NS, ...args])).stdout.trimEnd());
      };
      for (const args of [
        ["get", "segmentbuilds", "--sort-by=.spec.window"],
        ["get", "sb", "-l", "search.ml-platform.dev/tier=daily", "-o", "wide"],
        ["get", "jobs", "-l", "search.ml-platform.dev/segment-build"],
      ])
        await show(args);
      await serve(cluster, published(await builds(cluster)));
      for (const args of [
        ["get", "indexservings", "-o", "wide"],
        [
          "get",
          "isv",
          "search",
          "-o",
          "jsonpath={range .status.windowsServed[*]}{.tier} {.window} on {.host}{'\\n'}{end}",
        ],
        ["get", "deployments,services,poddisruptionbudgets,configmaps", "-l", "app.kubernetes.io/component=shard-host"],
      ])
        await show(args);
    } finally {
      await operator.stop();
    }
  } finally {
    await cluster.stop();
  }
}

/** The SegmentBuilds as the API server holds them. */
async function builds(cluster: EmbeddedKubernetes): Promise<SegmentBuild[]> {
  const got = await cluster.kubectl(["-n", NS, "get", "sb", "-o", "json"]);
  return (JSON.parse(got.stdout) as { items: SegmentBuild[] }).items;
}

/** What the succeeded builds published, as the controller's pointer listing would give it. */
function published(list: SegmentBuild[]): PublishedSegment[] {
  return list
    .filter((sb) => sb.status?.phase === "Succeeded")
    .map((sb) => {
      const window = parseWindow(sb.spec.tier, sb.spec.window);
      const buildId = sb.status?.buildId ?? sb.metadata?.name ?? "local";
      return {
        tier: sb.spec.tier,
        window: window.name,
        start: window.start,
        embeddingVersion: "local-embedder",
        buildId,
        manifestKey: sb.status?.manifestKey ?? `segments/${sb.spec.tier}/${window.name}/${buildId}/manifest.json`,
        manifestVersionId: null,
        manifestSha256: "0".repeat(64),
        itemCount: Number(sb.status?.counts?.vectors ?? 40),
        dimension: 128,
        m: 16,
      };
    });
}

/** The IndexServing and the controller's round over `segments`, as its ServiceAccount, until Ready. */
async function serve(cluster: EmbeddedKubernetes, segments: PublishedSegment[]): Promise<void> {
  await boundAccount(cluster, NS, "segment-controller", controllerRoleRules());
  await cluster.apply([{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "shard-host", namespace: NS } }]);
  const body: IndexServing = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "IndexServing",
    metadata: { name: "search", namespace: NS },
    spec: {
      image: "registry.example.com/ml-platform/shard-host:1.0.0",
      replicas: 2,
      retentionDays: 40,
      hostMemory: "64Mi",
      flatMaxItems: 250,
      resources: { requests: { cpu: "100m", memory: "96Mi" }, limits: { cpu: "1", memory: "128Mi" } },
    },
  };
  await cluster.apply([body as unknown as KubeObject]);
  const controller = await serviceAccountConfig(cluster, NS, "segment-controller");
  const round = new ServingRound({
    kubeconfig: controller,
    reconciler: new Reconciler(controller, NS, pino({ level: "warn" })),
    published: { list: async () => ({ segments, unreadable: [] }) },
    namespace: NS,
    name: "search",
    hosts: { assetBucket: "local-assets", serviceAccount: "shard-host", uid: 10001, grpcPort: 50051, opsPort: 9090 },
    notReadyDeadlineMs: 600_000,
    log: pino({ level: "warn" }),
  });
  // The local run's "now": the day 2026-11-01 closed, November still open.
  const now = new Date("2026-11-02T02:30:00Z");
  await waitFor(
    "the IndexServing Ready",
    async () => {
      await round.run(now);
      const got = await cluster.kubectl(["-n", NS, "get", "isv", "search", "-o", "json"]);
      const isv = JSON.parse(got.stdout) as IndexServing;
      return findCondition(isv.status?.conditions, "Ready")?.status === "True" ? isv : undefined;
    },
    120_000,
    1_000,
  );
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`cluster view failed: ${err.message}`);
    process.exit(1);
  },
);
