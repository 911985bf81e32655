/**
 * Shard host process: listen at once (health NOT_SERVING), read the assignment, fetch, verify and
 * open its segments on the search threads, then serve; follow the assignment while serving; on
 * SIGTERM, NOT_SERVING and drain. Probes and /metrics on the ops port.
 */
import { availableParallelism } from "node:os";
import { S3Client } from "@aws-sdk/client-s3";
import { s3Options } from "../../shared/aws";
import type { Logger } from "../../shared/log";
import { OpsServer } from "../../shared/ops-server";
import { runService } from "../../shared/service";
import { AssetRepository } from "../repository/asset-repository";
import { AssignmentFile } from "./assignment-file";
import { loadShardHostSettings, type ShardHostSettings } from "./config";
import { fetchSegment } from "./fetch-segment";
import { hostMetrics } from "./metrics";
import { SearchThreads } from "./search-threads";
import { ShardHostServer } from "./server";
import { Shard, type ApplyResult, type SegmentSource } from "./shard";
import type { HostAssignment } from "../segments/assignment";

export interface RunningShardHost {
  server: ShardHostServer;
  shard: Shard;
  port: number;
  opsPort: number;
  /** Resolves once the first assignment is applied and the host is SERVING. */
  ready: Promise<void>;
  /** Applies an assignment now (what a change of the assignment file does). */
  assign(assignment: HostAssignment): Promise<ApplyResult>;
  stop(): Promise<void>;
}

/**
 * `sdk` overrides client settings (endpoint, credentials) where the environment cannot, e.g. in
 * tests; `source` replaces the asset repository as where segments come from (the bench).
 */
export async function startShardHost(
  settings: ShardHostSettings,
  log: Logger,
  sdk: object = {},
  source?: SegmentSource,
  /** Overrides RETIRE_GRACE_SECONDS in ms (tests need less than a second). */
  retireGraceMs = settings.retireGraceSeconds * 1000,
): Promise<RunningShardHost> {
  const metrics = hostMetrics();
  const threads = new SearchThreads(settings.searchThreads || availableParallelism());
  let flatMaxItems = 0;
  const repo = new AssetRepository(new S3Client({ ...s3Options(), ...sdk }), settings.assetBucket);
  const fetch: SegmentSource = source ?? ((segment, dir) => fetchSegment(repo, segment, flatMaxItems, dir));
  const shard = new Shard(threads, fetch, {
    dir: settings.segmentDir,
    retireGraceMs,
    log,
    events: {
      loaded: (_entry, ms) => metrics.loadSeconds.observe(ms / 1000),
      failed: () => metrics.loadFailures.inc(),
      changed: (served) => {
        metrics.segments.reset();
        for (const e of served) metrics.segments.inc({ search: e.kind });
        metrics.vectors.set(served.reduce((n, e) => n + e.segment.itemCount, 0));
      },
    },
  });
  let name = "(unassigned)";
  const server = new ShardHostServer(
    {
      get name() {
        return name;
      },
      ef: settings.ef,
      maxEf: settings.maxEf,
      maxK: settings.maxK,
      maxBatch: settings.maxBatch,
      drainTimeoutMs: settings.drainTimeoutSeconds * 1000,
    },
    shard,
    threads,
    metrics,
    log,
  );
  const assign = async (a: HostAssignment) => {
    name = a.host;
    flatMaxItems = a.flatMaxItems;
    const result = await shard.apply(a.segments);
    log.info({ host: a.host, ...result, served: shard.served().length }, "assignment applied");
    server.markReady();
    return result;
  };
  const assignment = new AssignmentFile(settings.assignmentFile, settings.pollSeconds * 1000, log, assign);
  const port = await server.listen(settings.host, settings.grpcPort);
  const ops = new OpsServer({
    host: settings.host,
    port: settings.opsPort,
    registry: metrics.registry,
    ready: () => ({
      ready: shard.ready && !(server as ShardHostServer).isDraining,
      detail: { segments: shard.served().length },
    }),
  });
  const opsPort = await ops.start();
  log.info({ port, opsPort, assignment: settings.assignmentFile }, "listening; reading the assignment");
  const ready = assignment.start().then((ok) => {
    if (!ok && !shard.ready) throw new Error(`the assignment ${settings.assignmentFile} could not be used`);
  });
  return {
    server,
    shard,
    port,
    opsPort,
    ready,
    assign,
    stop: async () => {
      assignment.stop();
      await ops.stopAfter(() => server.drain());
      await shard.close();
      await threads.terminate();
    },
  };
}

if (require.main === module) {
  void runService(
    "shard-host",
    () => loadShardHostSettings(),
    async (settings: ShardHostSettings, log: Logger) => {
      const running = await startShardHost(settings, log);
      running.ready.catch((err: Error) => {
        log.fatal({ err: err.message }, "the host could not start serving");
        process.exit(1);
      });
      return running;
    },
  );
}
