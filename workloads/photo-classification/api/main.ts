/**
 * Photo API service: configuration from the environment, request metrics and probes on the ops
 * port, graceful shutdown on SIGTERM (readiness off first, then the open requests finish).
 */
import { createServer, type Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { collectDefaultMetrics, Registry } from "prom-client";
import { s3Options } from "../../shared/aws";
import { closeServer } from "../../shared/http";
import { HttpMetrics } from "../../shared/http-metrics";
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { apiRoute, createApi } from "./app";
import { loadApiSettings, type ApiSettings } from "./config";
import { PhotoStore } from "./photo-store";

export interface RunningApi {
  server: Server;
  url: string;
  /** /healthz, /readyz and /metrics (requests, latency, errors, process) on OPS_PORT. */
  ops: OpsServer;
  /** Readiness off first, then the requests under way finish (cut after SHUTDOWN_TIMEOUT_SECONDS), then the ops port closes. */
  stop(): Promise<void>;
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startApi(settings: ApiSettings, log: Logger, sdk: object = {}): Promise<RunningApi> {
  const s3 = new S3Client({ ...s3Options(), ...sdk });
  const store = new PhotoStore(new DynamoDBClient({ ...sdk }), settings.tableName);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const ops = new OpsServer({ host: settings.host, port: settings.opsPort, registry });
  const metrics = new HttpMetrics(registry, "photo_api", apiRoute);
  const server = createServer(
    metrics.instrument(createApi({ settings, s3, store, log, ready: () => ops.readiness().ready })),
  );
  server.keepAliveTimeout = 65_000; // longer than the load balancer's idle timeout
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const url = `http://${settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
  const opsPort = await ops.start().catch(async (err: Error) => {
    await new Promise((r) => server.close(r));
    throw err;
  });
  log.info({ url, opsPort }, "api listening");
  return {
    server,
    url,
    ops,
    stop: () => ops.stopAfter(() => closeServer(server, settings.shutdownTimeoutSeconds * 1000)),
  };
}

if (require.main === module) void runService("photo-api", () => loadApiSettings(), startApi);
