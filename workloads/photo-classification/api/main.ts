/** Photo API service: configuration from the environment, graceful shutdown on SIGTERM. */
import { createServer, type Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { createApi } from "./app";
import { loadApiSettings, type ApiSettings } from "./config";
import { PhotoStore } from "./photo-store";

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startApi(settings: ApiSettings, log: Logger, sdk: object = {}): Promise<RunningApi> {
  const s3 = new S3Client({ ...s3Options(), ...sdk });
  const store = new PhotoStore(new DynamoDBClient({ ...sdk }), settings.tableName);
  const server = createServer(createApi({ settings, s3, store, log }));
  server.keepAliveTimeout = 65_000; // longer than the load balancer's idle timeout
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const url = `http://${settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
  log.info({ url }, "api listening");
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), settings.shutdownTimeoutSeconds * 1000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

if (require.main === module) {
  void runService(
    "photo-api",
    () => loadApiSettings(),
    async (settings, log) => {
      const api = await startApi(settings, log);
      return { stop: () => api.close() };
    },
  );
}
