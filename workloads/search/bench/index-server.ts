/**
 * Bench index service process: one segment's index as the bench build wrote it
 * (`segment-cache.ts`), served by the real `IndexService` over gRPC on loopback, in its own
 * process as in the cluster, so its searches hold its own event loop and not the client's. The
 * production program (`index-service/main.ts`) differs only in how it gets the segment (from the
 * asset repository, checked against the manifest). Input: the `SERVE` environment variable, JSON
 * `ServeSpec`; prints `{"msg":"serving","port":N}` once it answers.
 */
import { HierarchicalNSW } from "hnswlib-node";
import pino from "pino";
import { IndexService } from "../index-service/server";
import { HnswSegment, type SegmentDescription } from "../index-service/segment";

export interface ServeSpec {
  indexFile: string;
  segment: Omit<SegmentDescription, "windowStart" | "windowEnd"> & { windowStart: string; windowEnd: string };
  /** Label i is item `${idPrefix}${idFrom + i}`. */
  idPrefix: string;
  idFrom: number;
  ef: number;
  maxEf: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.SERVE ?? "") as ServeSpec;
  const info: SegmentDescription = {
    ...spec.segment,
    windowStart: new Date(spec.segment.windowStart),
    windowEnd: new Date(spec.segment.windowEnd),
  };
  const index = new HierarchicalNSW(info.metric as "ip", info.dimension);
  index.readIndexSync(spec.indexFile);
  const ids = Array.from({ length: info.itemCount }, (_, i) => `${spec.idPrefix}${spec.idFrom + i}`);
  const service = new IndexService(
    { ef: spec.ef, maxEf: spec.maxEf, maxK: 1000, drainTimeoutMs: 1000 },
    pino({ level: "silent" }),
  );
  const port = await service.listen("127.0.0.1", 0);
  service.serve(new HnswSegment(info, index, ids));
  console.log(JSON.stringify({ msg: "serving", port }));
  process.once("SIGTERM", () => void service.drain().then(() => process.exit(0)));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
