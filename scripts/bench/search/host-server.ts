/**
 * Bench shard host process: the real shard host (`workloads/search/host/main.ts`: gRPC server,
 * search threads, local merge) in its own process as in the cluster, serving the bench's cached
 * segments from local files instead of the asset repository (the only difference from production,
 * where each segment is fetched and checked against its manifest). Input: the `SERVE` environment
 * variable, JSON `HostSpec`; prints `{"msg":"serving","port":N}` once it answers.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pino from "pino";
import { environmentFor, loadShardHostSettings } from "../../../workloads/search/host/config";
import type { FetchedSegment } from "../../../workloads/search/host/fetch-segment";
import { startShardHost } from "../../../workloads/search/host/main";
import { encodeAssignment, searchKindOf } from "../../../workloads/search/segments/assignment";
import {
  decodePublished,
  segmentId,
  type PublishedSegment,
  type PublishedSegmentJson,
} from "../../../workloads/search/segments/segment";
import type { z } from "zod";

export interface HostSegmentSpec {
  segment: z.infer<typeof PublishedSegmentJson>;
  /** The cached HNSW index, and the rows of vectors (float32) for an exact scan. */
  indexFile: string;
  vectorsFile: string;
  /** Label i is item `${idPrefix}${idFrom + i}`. */
  idPrefix: string;
  idFrom: number;
}

export interface HostSpec {
  name: string;
  segments: HostSegmentSpec[];
  flatMaxItems: number;
  searchThreads: number;
  ef: number;
  maxEf: number;
  maxBatch: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.SERVE ?? "") as HostSpec;
  const dir = await mkdtemp(path.join(tmpdir(), `bench-host-${spec.name}-`));
  const segments: PublishedSegment[] = spec.segments.map((s, i) => decodePublished(s.segment, `SERVE segments.${i}`));
  const byId = new Map(spec.segments.map((s, i) => [segmentId(segments[i]), s]));
  const assignmentFile = path.join(dir, "segments.json");
  await writeFile(assignmentFile, encodeAssignment({ host: spec.name, flatMaxItems: spec.flatMaxItems, segments }));
  const source = async (segment: PublishedSegment): Promise<FetchedSegment> => {
    const s = byId.get(segmentId(segment)) as HostSegmentSpec;
    const kind = searchKindOf(segment.itemCount, spec.flatMaxItems);
    return {
      files: {
        kind,
        metric: "ip",
        dimension: segment.dimension,
        ids: Array.from({ length: segment.itemCount }, (_, i) => `${s.idPrefix}${s.idFrom + i}`),
        path: kind === "hnsw" ? s.indexFile : s.vectorsFile,
      },
      tombstones: [],
      efConstruction: 200,
    };
  };
  const settings = loadShardHostSettings(
    environmentFor({
      assetBucket: "bench",
      assignmentFile,
      pollSeconds: 3600,
      host: "127.0.0.1",
      grpcPort: 0,
      opsPort: 0,
      searchThreads: spec.searchThreads,
      ef: spec.ef,
      maxEf: spec.maxEf,
      maxBatch: spec.maxBatch,
      segmentDir: path.join(dir, "segments"),
    }),
  );
  const running = await startShardHost(settings, pino({ level: "silent" }), {}, source);
  await running.ready;
  console.log(JSON.stringify({ msg: "serving", port: running.port }));
  process.once("SIGTERM", () => void running.stop().then(() => process.exit(0)));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
