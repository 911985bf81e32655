/**
 * Segment controller process: on an interval, read the published segments and the assignments
 * the host ConfigMaps hold, place the segments to serve on shard hosts, and reconcile the
 * namespace to those hosts' objects. /healthz, /readyz (ready once a reconcile has succeeded) and
 * /metrics on the ops port. Runs in the cluster with its service account.
 */
import * as k8s from "@kubernetes/client-node";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { AssetRepository } from "../repository/asset-repository";
import { TIERS } from "../segments/windows";
import { loadControllerSettings, servingSpecOf, type ControllerSettings } from "./config";
import type { HostTemplate } from "./desired";
import { controllerMetrics } from "./metrics";
import { PublishedSegments } from "./published";
import { Reconciler } from "./reconcile";
import { planRound } from "./round";

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
  const template: HostTemplate = {
    namespace: settings.namespace,
    spec: servingSpecOf(settings),
    assetBucket: settings.assetBucket,
    serviceAccount: settings.hostServiceAccount,
    uid: settings.hostUid,
    grpcPort: settings.hostGrpcPort,
    opsPort: settings.hostOpsPort,
  };
  let reconciled = false;
  let stopped = false;

  const round = async () => {
    const end = metrics.duration.startTimer();
    try {
      const [list, previous] = await Promise.all([published.list(), reconciler.readAssignments()]);
      const plan = planRound({ published: list, previous, template, now: new Date() });
      metrics.unreadable.inc(list.unreadable.length + previous.unreadable.length);
      const result = await reconciler.reconcile(plan.objects, { prune: plan.prune });
      metrics.hosts.set(plan.hosts.length);
      metrics.hostBytes.reset();
      for (const h of plan.hosts) metrics.hostBytes.set({ host: h.name }, h.bytes);
      for (const tier of TIERS)
        metrics.segments.set({ tier }, plan.hosts.flatMap((h) => h.segments).filter((s) => s.tier === tier).length);
      metrics.rounds.inc({ outcome: "ok" });
      log.debug({ hosts: plan.hosts.length, applied: result.applied.length, pruned: plan.prune }, "reconcile round");
      reconciled = true;
    } catch (err) {
      metrics.rounds.inc({ outcome: "error" });
      log.error({ err: (err as Error).message }, "reconcile failed; retried next round");
    } finally {
      end();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    void round().finally(() => {
      if (!stopped) timer = setTimeout(loop, settings.intervalSeconds * 1000);
    });
  };
  const ops = new OpsServer({
    port: settings.opsPort,
    registry: metrics.registry,
    ready: () => ({ ready: reconciled, detail: { reconciled } }),
  });
  const opsPort = await ops.start();
  loop();
  return {
    opsPort,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await ops.stop();
    },
  };
}

if (require.main === module) {
  void runService(
    "segment-controller",
    () => loadControllerSettings(),
    async (settings, log) => {
      const kubeconfig = new k8s.KubeConfig();
      kubeconfig.loadFromCluster();
      return startController(settings, log, kubeconfig);
    },
  );
}
