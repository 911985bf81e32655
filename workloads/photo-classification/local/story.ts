/** The API and a worker running in this process against one photo environment. */
import { loadApiSettings } from "../api/config";
import { startApi, type RunningApi } from "../api/main";
import { loadWorkerSettings, type WorkerSettings } from "../worker/config";
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
  workerOverrides: Partial<WorkerSettings> = {},
): Promise<Story> {
  const sdk = env.aws.clientConfig();
  const api = await startApi(loadApiSettings(env.apiEnv()), log.child({ service: "photo-api" }), sdk);
  const worker = await startWorker(
    loadWorkerSettings(env.workerEnv(api.url, workerOverrides)),
    log.child({ service: "photo-worker" }),
    sdk,
  );
  return {
    api,
    worker,
    stop: async () => {
      await worker.stop();
      await api.stop();
    },
  };
}
