/** The API and a worker running in this process against one photo environment. */
import { loadApiConfig } from "../api/config";
import { startApi, type RunningApi } from "../api/main";
import { loadWorkerConfig } from "../worker/config";
import { startWorker, type RunningWorker } from "../worker/main";
import type { Logger } from "../../shared/log";
import type { PhotoEnvironment } from "./environment";

export interface Story {
  api: RunningApi;
  worker: RunningWorker;
  stop(): Promise<void>;
}

export async function startStory(
  env: PhotoEnvironment,
  log: Logger,
  workerOverrides: Record<string, string> = {},
): Promise<Story> {
  const sdk = env.aws.clientConfig();
  const api = await startApi(loadApiConfig(env.apiEnv()), log.child({ service: "photo-api" }), sdk);
  const worker = await startWorker(
    loadWorkerConfig(env.workerEnv(api.url, workerOverrides)),
    log.child({ service: "photo-worker" }),
    sdk,
  );
  return {
    api,
    worker,
    stop: async () => {
      await worker.stop();
      await api.close();
    },
  };
}
