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
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { RestartingInformer } from "../operator/informer";
import { StatusWriter } from "../operator/status";
import { API_VERSION, GROUP, INDEX_SERVING, VERSION, type IndexServing } from "../crds/types";
import { AssetRepository } from "../repository/asset-repository";
import { TIERS } from "../segments/windows";
import { loadControllerSettings, type ControllerSettings } from "./config";
import type { HostTemplate } from "./desired";
import { InvalidSpecError, servingSpecFrom, servingStatus } from "./index-serving";
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
  const custom = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
  const statusWriter = new StatusWriter(kubeconfig, INDEX_SERVING.plural);
  const metrics = controllerMetrics();
  const where = { group: GROUP, version: VERSION, plural: INDEX_SERVING.plural, namespace: settings.namespace };
  let reconciled = false;
  let stopped = false;

  /** The IndexServing, or undefined when there is none (its hosts went with it: nothing to do). */
  const readIndexServing = async (): Promise<IndexServing | undefined> => {
    try {
      return (await custom.getNamespacedCustomObject({ ...where, name: settings.indexServing })) as IndexServing;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };

  const reconcileOnce = async (object: IndexServing) => {
    const now = new Date();
    const notReadyDeadlineMs = settings.notReadyDeadlineSeconds * 1000;
    let spec;
    try {
      spec = servingSpecFrom(object);
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      log.warn({ indexServing: object.metadata.name, err: err.message }, "invalid spec; nothing applied");
      await statusWriter.write(object, servingStatus({ object, now, notReadyDeadlineMs, invalid: err }));
      return;
    }
    const template: HostTemplate = {
      namespace: settings.namespace,
      spec,
      assetBucket: settings.assetBucket,
      serviceAccount: settings.hostServiceAccount,
      uid: settings.hostUid,
      grpcPort: settings.hostGrpcPort,
      opsPort: settings.hostOpsPort,
      owner: {
        apiVersion: API_VERSION,
        kind: INDEX_SERVING.kind,
        name: object.metadata.name,
        uid: object.metadata.uid as string,
      },
    };
    const [list, previous] = await Promise.all([published.list(), reconciler.readAssignments()]);
    const plan = planRound({ published: list, previous, template, now });
    metrics.unreadable.inc(list.unreadable.length + previous.unreadable.length);
    const result = await reconciler.reconcile(plan.objects, { prune: plan.prune });
    const deployments = await reconciler.readDeployments();
    const status = servingStatus({
      object,
      now,
      notReadyDeadlineMs,
      hosts: plan.hosts,
      deployments,
      replicas: spec.replicas,
      unreadable: [...list.unreadable.map((u) => `pointer ${u.tier}/${u.window}`), ...previous.unreadable],
    });
    const wrote = await statusWriter.write(object, status);
    metrics.hosts.set(plan.hosts.length);
    metrics.hostBytes.reset();
    for (const h of plan.hosts) metrics.hostBytes.set({ host: h.name }, h.bytes);
    for (const tier of TIERS)
      metrics.segments.set({ tier }, plan.hosts.flatMap((h) => h.segments).filter((s) => s.tier === tier).length);
    log.debug(
      { hosts: plan.hosts.length, applied: result.applied.length, pruned: plan.prune, statusWritten: wrote },
      "reconcile round",
    );
  };

  const round = async () => {
    const end = metrics.duration.startTimer();
    try {
      const object = await readIndexServing();
      if (object) await reconcileOnce(object);
      else log.info({ indexServing: settings.indexServing }, "no IndexServing; nothing to serve");
      metrics.rounds.inc({ outcome: "ok" });
      reconciled = true;
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
        (await custom.listNamespacedCustomObject(where)) as k8s.KubernetesListObject<
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
    async (settings, log) => {
      const kubeconfig = new k8s.KubeConfig();
      kubeconfig.loadFromCluster();
      return startController(settings, log, kubeconfig);
    },
  );
}
