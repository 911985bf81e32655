/**
 * Segment controller process: on an interval, read the published segments, work out the index
 * services to run, and reconcile the namespace to them. /healthz and /readyz on the ops port
 * (ready once a reconcile has succeeded). Runs in the cluster with its service account.
 */
import { createServer, type Server } from "node:http";
import * as k8s from "@kubernetes/client-node";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { sendJson } from "../../shared/http";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { environmentFor as indexEnvironment } from "../index-service/config";
import { AssetRepository } from "../repository/asset-repository";
import { loadControllerSettings, type ControllerSettings } from "./config";
import { indexServiceObjects, segmentsToServe, type IndexServiceTemplate } from "./desired";
import { PublishedSegments } from "./published";
import { Reconciler } from "./reconcile";

export async function startController(
  settings: ControllerSettings,
  log: Logger,
  kubeconfig: k8s.KubeConfig,
  sdk: object = {},
): Promise<{ stop(): Promise<void>; server: Server }> {
  const repo = new AssetRepository(new S3Client({ ...s3Options(), ...sdk }), settings.assetBucket);
  const published = new PublishedSegments(repo, log);
  const reconciler = new Reconciler(kubeconfig, settings.namespace, log);
  const template: IndexServiceTemplate = {
    namespace: settings.namespace,
    image: settings.indexImage,
    serviceAccount: settings.indexServiceAccount,
    uid: settings.indexUid,
    grpcPort: settings.indexGrpcPort,
    requests: { cpu: settings.indexCpuRequest, memory: settings.indexMemoryRequest },
    limits: { cpu: settings.indexCpuLimit, memory: settings.indexMemoryLimit },
    environment: (s) =>
      indexEnvironment({
        assetBucket: settings.assetBucket,
        manifestKey: s.manifestKey,
        manifestVersionId: s.manifestVersionId ?? undefined,
        manifestSha256: s.manifestSha256,
        grpcPort: settings.indexGrpcPort,
      }),
  };
  let reconciled = false;
  let stopped = false;
  const round = async () => {
    const { segments, unreadable } = await published.list();
    const serve = segmentsToServe(segments, new Date(), settings.retentionDays * 86_400_000);
    await reconciler.reconcile(
      serve.flatMap((s) => indexServiceObjects(s, template)),
      { prune: unreadable === 0 },
    );
    reconciled = true;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    round()
      .catch((err: Error) => log.error({ err: err.message }, "reconcile failed; retried next round"))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, settings.intervalSeconds * 1000);
      });
  };
  loop();
  const server = createServer((req, res) =>
    req.url === "/readyz" ? sendJson(res, reconciled ? 200 : 503, { reconciled }) : sendJson(res, 200, { ok: true }),
  );
  await new Promise<void>((resolve) => server.listen(settings.opsPort, resolve));
  return {
    server,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await new Promise((resolve) => server.close(resolve));
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
