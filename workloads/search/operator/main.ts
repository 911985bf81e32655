/**
 * The segment operator's process. `node main.js` (the default) runs the SegmentBuild reconciler
 * while this replica holds the Lease; a second replica waits, passive, until the Lease is free.
 * /healthz and /readyz on the ops port: ready once leading with its caches filled, or while
 * standing by; unhealthy after it lost the Lease (it exits then, and is restarted a candidate).
 * `node main.js create-build --tier T --window W|last-closed [--force]` creates one SegmentBuild.
 *
 * The ops endpoints are written here: the shared ops server (workloads/shared/ops-server.ts) was
 * not in this tree yet; they move to it when it lands.
 */
import { createServer, type Server } from "node:http";
import * as k8s from "@kubernetes/client-node";
import { sendJson } from "../../shared/http";
import { inCluster } from "../../shared/in-cluster";
import { createLogger, type Logger } from "../../shared/log";
import { runService } from "../../shared/service";
import { loadCreateBuildSettings, loadOperatorSettings, type OperatorSettings } from "./config";
import { createSegmentBuild, requestFromArgs } from "./create-build";
import { parseBuildJobs } from "./job-template";
import { LeaderElector } from "./leader";
import { SegmentBuildReconciler } from "./segment-builds";

export interface RunningOperator {
  server: Server;
  elector: LeaderElector;
  /** The reconciler while leading, once its caches are filled. */
  reconciler(): SegmentBuildReconciler | undefined;
  stop(): Promise<void>;
}

/** Campaigns for the Lease and runs the reconciler while holding it; `onLost` is called if it is lost. */
export async function startOperator(
  settings: OperatorSettings,
  log: Logger,
  kubeconfig: k8s.KubeConfig,
  onLost: () => void = () => undefined,
): Promise<RunningOperator> {
  const jobs = parseBuildJobs(settings.buildJobs);
  let reconciler: SegmentBuildReconciler | undefined;
  let state: "standby" | "starting" | "leading" | "lost" = "standby";
  let stopping = false;
  const elector = new LeaderElector(
    kubeconfig,
    {
      namespace: settings.namespace,
      name: settings.leaseName,
      identity: settings.podName,
      leaseDurationSeconds: settings.leaseDurationSeconds,
      renewDeadlineMs: settings.renewDeadlineSeconds * 1000,
      retryPeriodMs: settings.retryPeriodSeconds * 1000,
    },
    {
      onStartedLeading: async () => {
        state = "starting";
        reconciler = new SegmentBuildReconciler(kubeconfig, {
          namespace: settings.namespace,
          jobs,
          resyncMs: settings.resyncSeconds * 1000,
          workers: settings.workers,
          log,
        });
        await reconciler.start();
        state = "leading";
      },
      onStoppedLeading: async () => {
        const was = reconciler;
        reconciler = undefined;
        await was?.stop();
        state = stopping ? "standby" : "lost";
        if (!stopping) onLost();
      },
    },
    log,
  );
  const server = createServer((req, res) => {
    if (req.url === "/readyz") sendJson(res, state === "standby" || state === "leading" ? 200 : 503, { state });
    else sendJson(res, state === "lost" ? 503 : 200, { state });
  });
  await new Promise<void>((resolve) => server.listen(settings.opsPort, "0.0.0.0", resolve));
  elector.start();
  return {
    server,
    elector,
    reconciler: () => (state === "leading" ? reconciler : undefined),
    stop: async () => {
      stopping = true;
      await elector.release();
      await reconciler?.stop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function createBuild(argv: string[]): Promise<number> {
  const log = createLogger("create-build");
  let request;
  let namespace: string;
  try {
    const settings = loadCreateBuildSettings();
    namespace = settings.namespace;
    request = requestFromArgs(argv, new Date(), settings.feedCloseGraceSeconds * 1000, settings.source);
  } catch (err) {
    log.fatal((err as Error).message);
    return 2;
  }
  const name = await createSegmentBuild(inCluster(), namespace, request);
  log.info({ segmentBuild: name, tier: request.window.tier, window: request.window.name }, "segment build requested");
  return 0;
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "create-build") {
    createBuild(rest).then(
      (code) => process.exit(code),
      (err: Error) => {
        createLogger("create-build").fatal({ err: err.message }, "create-build failed");
        process.exit(1);
      },
    );
  } else {
    void runService("segment-operator", loadOperatorSettings, (settings, log) =>
      // A replica that lost the Lease exits: its pod restarts it as a fresh candidate.
      startOperator(settings, log, inCluster(), () => process.exit(1)),
    );
  }
}
