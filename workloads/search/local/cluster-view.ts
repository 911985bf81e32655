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
 */
import { startEmbeddedKubernetes } from "../../../scripts/embedded-k8s";
import pino from "pino";
import { waitFor } from "../../shared/poll";
import { inputWindows, parseWindow } from "../segments/windows";
import type { SegmentBuild } from "../crds/types";
import { environmentFor, loadOperatorSettings } from "../operator/config";
import { createSegmentBuild } from "../operator/create-build";
import { startOperator } from "../operator/main";
import { finishPod, setUpOperator, testBuildJobs, TEST_SOURCE } from "./operator-harness";

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
      for (const args of [
        ["get", "segmentbuilds", "--sort-by=.spec.window"],
        ["get", "sb", "-l", "search.ml-platform.dev/tier=daily", "-o", "wide"],
        ["get", "jobs", "-l", "search.ml-platform.dev/segment-build"],
      ]) {
        console.log(`$ kubectl -n ${NS} ${args.join(" ")}`);
        console.log((await cluster.kubectl(["-n", NS, ...args])).stdout.trimEnd());
      }
    } finally {
      await operator.stop();
    }
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`cluster view failed: ${err.message}`);
    process.exit(1);
  },
);
