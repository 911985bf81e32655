/**
 * Search front process: the HTTP API on HTTP_PORT; /healthz, /readyz (ready while a segment is
 * served) and /metrics on OPS_PORT; shard hosts found through the Kubernetes API in the cluster (or
 * a registry the local run fills in) and asked what they serve; graceful shutdown.
 */
import { createServer, type Server } from "node:http";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import { Registry } from "prom-client";
import { HttpMetrics } from "../../shared/http-metrics";
import { OpsServer } from "../../shared/ops-server";
import { resolveModel } from "../../shared/image-model/model-source";
import { inCluster } from "../../shared/in-cluster";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { CnnEmbedder } from "../embedder/cnn-embedder";
import type { Embedder } from "../embedder/embedder";
import { loadProjection } from "../embedder/load-projection";
import { createFront } from "./app";
import { loadFrontSettings, type FrontSettings } from "./config";
import { Batcher } from "./batcher";
import type { HostSource } from "./discovery";
import { HostClients } from "./host-clients";
import { HostDirectory } from "./host-directory";
import { KubernetesHosts } from "./kubernetes-hosts";
import { frontMetrics } from "./metrics";
import { EmbedderSet } from "./query-embedder";
import { Searcher } from "./searcher";
import { TombstoneLog } from "./tombstone-log";

export interface RunningFront {
  url: string;
  opsPort: number;
  discovery: HostDirectory;
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

/** Search routes by template, for the request metrics. */
const routeOf = (method: string, path: string) =>
  method === "POST" && path === "/search"
    ? "/search"
    : method === "GET" && path === "/healthz"
      ? "/healthz"
      : undefined;

export async function startFront(
  settings: FrontSettings,
  log: Logger,
  hosts: HostSource,
  embedders: Embedder[],
): Promise<RunningFront> {
  const clients = new HostClients();
  const discovery = await new HostDirectory(
    hosts,
    clients,
    { refreshMs: settings.hostRefreshMs, deadlineMs: settings.hostDeadlineMs },
    log,
  ).start();
  const tombstones = new TombstoneLog(discovery, clients, settings.hostDeadlineMs, log);
  await tombstones.refresh();
  const batcher = new Batcher(clients, {
    windowMs: settings.batchWindowMs,
    maxBatch: settings.maxBatch,
    deadlineMs: settings.hostDeadlineMs,
  });
  const metrics = frontMetrics(new Registry());
  const searcher = new Searcher(
    discovery,
    batcher,
    clients,
    tombstones.lookup,
    {
      retentionMs: settings.retentionDays * 86_400_000,
      oversample: settings.oversample,
      deadlineMs: settings.hostDeadlineMs,
      ef: settings.ef,
    },
    log,
  );
  const embedder = new EmbedderSet(embedders, { maxBytes: settings.maxPhotoBytes, maxPixels: settings.maxPhotoPixels });
  const http = new HttpMetrics(metrics.registry, "search_front", routeOf);
  const api = createServer(
    http.instrument(
      createFront({
        searcher,
        discovery,
        embedder,
        options: { maxK: settings.maxK, defaultK: settings.defaultK, maxPhotoBytes: settings.maxPhotoBytes },
        log,
        observe: (result) => metrics.observe(result, batcher),
      }),
    ),
  );
  const ops = new OpsServer({
    host: settings.host,
    port: settings.opsPort,
    registry: metrics.registry,
    ready: () => ({ ready: discovery.current().length > 0, detail: { segments: discovery.current().length } }),
  });
  const port = await listen(api, settings.host, settings.httpPort);
  const opsPort = await ops.start();
  const url = `http://${settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
  log.info({ url, opsPort, versions: embedder.versions }, "search front listening");
  return {
    url,
    opsPort,
    discovery,
    stop: async () => {
      await ops.stopAfter(() => {
        const closed = new Promise((r) => api.close(r));
        api.closeIdleConnections();
        return closed;
      });
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
      const hosts = await new KubernetesHosts(inCluster(), settings.namespace, log, settings.hostSelector).start();
      return startFront(settings, log, hosts, embedders);
    },
  );
}
