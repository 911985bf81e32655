/**
 * Segment controller process: on an interval (and as soon as its IndexServing changes), read the
 * IndexServing's spec, the published segments and the assignments the host ConfigMaps hold, place
 * the segments to serve on shard hosts, reconcile the namespace to those hosts' objects (owned by
 * the IndexServing), and report hosts, windows and conditions in its status. /healthz, /readyz (ready once a reconcile has succeeded) and
 * /metrics on the ops port. Runs in the cluster with its service account.
 */
import * as k8s from "@kubernetes/client-node";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { inCluster } from "../../shared/in-cluster";
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { RestartingInformer } from "../operator/informer";
import { GROUP, INDEX_SERVING, VERSION, type IndexServing } from "../crds/types";
import { AssetRepository } from "../repository/asset-repository";
import { TIERS } from "../segments/windows";
import { loadControllerSettings, type ControllerSettings } from "./config";
import { controllerMetrics } from "./metrics";
import { PublishedSegments } from "./published";
import { Reconciler } from "./reconcile";
import { ServingRound } from "./serving-round";

export interface RunningController {
  opsPort: number;
  stop(): Promise<void>;
}

export async function startController(
  settings: ControllerSettings,
  log: Logger,
  kubeconfig: k8s.KubeConfig,
  sdk: object = {},
): Promise<RunningController> {
  const repo = new AssetRepository(new S3Client({ ...s3Options(), ...sdk }), settings.assetBucket);
  const published = new PublishedSegments(repo, log);
  const reconciler = new Reconciler(kubeconfig, settings.namespace, log);
  const metrics = controllerMetrics();
  const serving = new ServingRound({
    kubeconfig,
    reconciler,
    published,
    namespace: settings.namespace,
    name: settings.indexServing,
    hosts: {
      assetBucket: settings.assetBucket,
      serviceAccount: settings.hostServiceAccount,
      uid: settings.hostUid,
      grpcPort: settings.hostGrpcPort,
      opsPort: settings.hostOpsPort,
    },
    notReadyDeadlineMs: settings.notReadyDeadlineSeconds * 1000,
    log,
  });
  const custom = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
  let reconciled = false;
  let stopped = false;

  const round = async () => {
    const end = metrics.duration.startTimer();
    try {
      const done = await serving.run();
      if (done.outcome === "absent")
        log.info({ indexServing: settings.indexServing }, "no IndexServing; nothing to serve");
      if (done.outcome === "applied") {
        metrics.unreadable.inc(done.unreadable);
        metrics.hosts.set(done.hosts.length);
        metrics.hostBytes.reset();
        for (const h of done.hosts) metrics.hostBytes.set({ host: h.name }, h.bytes);
        for (const tier of TIERS)
          metrics.segments.set({ tier }, done.hosts.flatMap((h) => h.segments).filter((s) => s.tier === tier).length);
        log.debug(
          { hosts: done.hosts.length, applied: done.applied, pruned: done.pruned, statusWritten: done.statusWritten },
          "reconcile round",
        );
      }
      metrics.rounds.inc({ outcome: done.outcome === "invalid" ? "error" : "ok" });
      reconciled = done.outcome !== "invalid";
    } catch (err) {
      metrics.rounds.inc({ outcome: "error" });
      log.error({ err: (err as Error).message }, "reconcile failed; retried next round");
    } finally {
      end();
    }
  };

  // One round at a time: a change seen while one runs asks for another right after it.
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const loop = () => {
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    void round().finally(() => {
      running = false;
      if (stopped) return;
      if (again) {
        again = false;
        setImmediate(loop);
      } else timer = setTimeout(loop, settings.intervalSeconds * 1000);
    });
  };
  // A spec change (a new generation), a creation or a deletion starts a round now, not an
  // interval later; the controller's own status writes do not.
  let seenGeneration: number | undefined;
  const watch = new RestartingInformer<IndexServing & k8s.KubernetesObject>(
    kubeconfig,
    {
      name: INDEX_SERVING.plural,
      path: `/apis/${GROUP}/${VERSION}/namespaces/${settings.namespace}/${INDEX_SERVING.plural}`,
      list: async () =>
        (await custom.listNamespacedCustomObject(serving.where)) as k8s.KubernetesListObject<
          IndexServing & k8s.KubernetesObject
        >,
    },
    (object) => {
      if (object.metadata.name !== settings.indexServing || object.metadata.generation === seenGeneration) return;
      seenGeneration = object.metadata.generation;
      if (!stopped) loop();
    },
    log,
  );
  const ops = new OpsServer({
    port: settings.opsPort,
    registry: metrics.registry,
    ready: () => ({ ready: reconciled, detail: { reconciled } }),
  });
  const opsPort = await ops.start();
  loop();
  // Not awaited: the rounds (and their error metrics) go on while the API server is unreachable.
  void watch.start().catch((err: Error) => log.error({ err: err.message }, "IndexServing watch failed"));
  return {
    opsPort,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await watch.stop();
      await ops.stop();
    },
  };
}

if (require.main === module) {
  void runService(
    "segment-controller",
    () => loadControllerSettings(),
    (settings, log) => startController(settings, log, inCluster()),
  );
}
