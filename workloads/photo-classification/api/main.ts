/** Photo API service: configuration from the environment, graceful shutdown on SIGTERM. */
import { createServer, type Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { createApi } from "./app";
import { loadApiConfig, type ApiConfig } from "./config";
import { PhotoStore } from "./photo-store";

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in tests. */
export async function startApi(config: ApiConfig, log: Logger, sdk: object = {}): Promise<RunningApi> {
  const s3 = new S3Client({ ...s3Options(), ...sdk });
  const store = new PhotoStore(new DynamoDBClient({ ...sdk }), config.TABLE_NAME);
  const server = createServer(createApi({ config, s3, store, log }));
  server.keepAliveTimeout = 65_000; // longer than the load balancer's idle timeout
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST}:${port}`;
  log.info({ url }, "api listening");
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
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
    () => loadApiConfig(),
    async (config, log) => {
      const api = await startApi(config, log);
      return { stop: () => api.close() };
    },
  );
}
