/**
 * Search front process: the HTTP API on HTTP_PORT, /healthz and /readyz on OPS_PORT (ready while
 * a segment is discoverable), discovery through the Kubernetes API in the cluster (or a registry
 * the local run fills in), and graceful shutdown.
 */
import { createServer, type Server } from "node:http";
import * as k8s from "@kubernetes/client-node";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { sendJson } from "../../shared/http";
import { resolveModel } from "../../shared/image-model/model-source";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { CnnEmbedder } from "../embedder/cnn-embedder";
import type { Embedder } from "../embedder/embedder";
import { loadProjection } from "../embedder/load-projection";
import { createFront } from "./app";
import { loadFrontSettings, type FrontSettings } from "./config";
import type { Discovery } from "./discovery";
import { KubernetesDiscovery } from "./kubernetes-discovery";
import { EmbedderSet } from "./query-embedder";
import { SegmentClients } from "./segment-clients";
import { Searcher } from "./searcher";
import { TombstoneLog } from "./tombstone-log";

export interface RunningFront {
  url: string;
  stop(): Promise<void>;
}

/** The embedders the settings name: the current one, and the next during a roll-out. */
export async function loadEmbedders(settings: FrontSettings, s3: S3Client): Promise<Embedder[]> {
  const session = { threads: settings.inferenceThreads, executionProvider: settings.executionProvider };
  const load = async (modelUri: string, projectionUri?: string) => {
    const model = await resolveModel(modelUri, s3);
    const projection = projectionUri ? await loadProjection(projectionUri, s3) : undefined;
    return CnnEmbedder.load(model.path, model.version, session, projection);
  };
  const embedders = [await load(settings.embedderModelUri, settings.projectionUri)];
  if (settings.nextEmbedderModelUri)
    embedders.push(await load(settings.nextEmbedderModelUri, settings.nextProjectionUri));
  return embedders;
}

const listen = (server: Server, host: string, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });

export async function startFront(
  settings: FrontSettings,
  log: Logger,
  discovery: Discovery,
  embedders: Embedder[],
): Promise<RunningFront> {
  const clients = new SegmentClients();
  const tombstones = new TombstoneLog(discovery, clients, settings.segmentDeadlineMs, log);
  await tombstones.refresh();
  const searcher = new Searcher(
    discovery,
    clients,
    tombstones.lookup,
    {
      retentionMs: settings.retentionDays * 86_400_000,
      oversample: settings.oversample,
      deadlineMs: settings.segmentDeadlineMs,
      ef: settings.ef,
    },
    log,
  );
  const embedder = new EmbedderSet(embedders, { maxBytes: settings.maxPhotoBytes, maxPixels: settings.maxPhotoPixels });
  const api = createServer(
    createFront({
      searcher,
      discovery,
      embedder,
      options: { maxK: settings.maxK, defaultK: settings.defaultK, maxPhotoBytes: settings.maxPhotoBytes },
      log,
    }),
  );
  const ops = createServer((req, res) =>
    req.url === "/readyz"
      ? sendJson(res, discovery.current().length > 0 ? 200 : 503, { segments: discovery.current().length })
      : sendJson(res, 200, { ok: true }),
  );
  const port = await listen(api, settings.host, settings.httpPort);
  await listen(ops, settings.host, settings.opsPort);
  const url = `http://${settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
  log.info({ url, versions: embedder.versions }, "search front listening");
  return {
    url,
    stop: async () => {
      const closed = Promise.all([new Promise((r) => api.close(r)), new Promise((r) => ops.close(r))]);
      api.closeIdleConnections();
      ops.closeIdleConnections();
      await closed;
      await discovery.close();
      clients.close();
      await embedder.close();
    },
  };
}

if (require.main === module) {
  void runService(
    "search-front",
    () => loadFrontSettings(),
    async (settings, log) => {
      const embedders = await loadEmbedders(settings, new S3Client(s3Options()));
      const kubeconfig = new k8s.KubeConfig();
      kubeconfig.loadFromCluster();
      const discovery = await new KubernetesDiscovery(
        kubeconfig,
        settings.namespace,
        log,
        embedders.map((e) => e.version),
        settings.indexSelector,
      ).start();
      return startFront(settings, log, discovery, embedders);
    },
  );
}
