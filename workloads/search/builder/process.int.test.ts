import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { HierarchicalNSW } from "hnswlib-node";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
// The photo story's process spawner (node with tsx's hooks, output as JSON lines).
import { spawnNode, type NodeProcess } from "../../shared/node-process";
import { BUILT_EMBEDDER } from "../embedder/paths";
import { createSearchEnvironment, loadPhotos, writeCatalogue, type SearchEnvironment } from "../local/environment";
import { AssetRepository } from "../repository/asset-repository";
import { SEGMENT_FILES } from "../segments/keys";
import { RunRecord } from "./run-record";
import { readSegmentData } from "./segment-files";

const MAIN = path.join(__dirname, "main.ts");
const HOUR = "2026-11-01T10";

describe("search build program (real CNN embedder) on embedded AWS", function () {
  this.timeout(300_000);
  let aws: EmbeddedAws;
  let env: SearchEnvironment;
  let repo: AssetRepository;
  let work: string;
  let buildEnv: Record<string, string>;
  let killedBuildId = "";

  const run = (args: string[], onLine?: (line: string, p: NodeProcess) => void): NodeProcess => {
    const p = spawnNode(["--import", "tsx", MAIN, ...args], buildEnv);
    if (onLine)
      p.child.stdout?.on("data", (chunk: Buffer) =>
        chunk
          .toString()
          .split("\n")
          .forEach((l) => onLine(l, p)),
      );
    return p;
  };
  const buildIdOf = (p: NodeProcess) => p.logs().find((l) => l.msg === "build started")?.buildId as string;

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createSearchEnvironment(aws);
    repo = new AssetRepository(env.s3, env.assetBucket);
    work = await mkdtemp(path.join(tmpdir(), "search-process-"));
    await writeCatalogue(env, await loadPhotos(8), {
      start: new Date(`${HOUR}:00:00Z`),
      hours: 1,
      seed: 3,
      listingsPerPeakHour: 5,
    });
    buildEnv = env.buildEnv({
      EMBEDDER_MODEL_URI: BUILT_EMBEDDER,
      CACHE_DIR: path.join(work, "cache"),
      WORK_DIR: path.join(work, "scratch"),
      INFERENCE_THREADS: "1",
      EMBED_BATCH: "4",
    });
  });
  after(async () => {
    await aws?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("publishes nothing when killed while uploading, and its run record says it was running", async () => {
    let killed = false;
    const p = run(["--tier", "hourly", "--window", HOUR], (line, proc) => {
      if (!killed && line.includes('"stage":"uploading"')) {
        killed = true;
        proc.child.kill("SIGKILL");
      }
    });
    const exit = await p.exited;
    expect(exit.signal, JSON.stringify(p.logs().slice(-3))).to.equal("SIGKILL");
    killedBuildId = buildIdOf(p);
    expect(await repo.readPointer("hourly", HOUR)).to.equal(undefined);
    const record = await repo.getJson(RunRecord, `runs/${killedBuildId}.json`);
    expect(record?.status).to.equal("running");
    expect(record?.inputs.feed.length).to.be.at.least(2);
    // Whatever it uploaded sits under its own build id, which nothing points at.
    const listed = await env.s3.send(new ListObjectsV2Command({ Bucket: env.assetBucket, Prefix: "segments/" }));
    for (const o of listed.Contents ?? []) expect(o.Key).to.contain(`/${killedBuildId}/`);
  });

  it("re-runs the killed build from its record: CNN embeddings (1280-d, unit length), each item its own nearest neighbour", async () => {
    const p = run(["--rerun", killedBuildId]);
    expect((await p.exited).code, JSON.stringify(p.logs().slice(-3))).to.equal(0);
    const published = await repo.readPublished("hourly", HOUR);
    const manifest = published?.manifest;
    expect(manifest?.embeddingVersion).to.match(/^image-embedder@sha256:[0-9a-f]{12}$/);
    expect(manifest?.dimension).to.equal(1280);
    expect(manifest?.itemCount).to.be.at.least(3);
    const dir = await mkdtemp(path.join(work, "read-"));
    for (const role of ["index", "vectors", "items", "tombstones"] as const)
      await repo.fetchVerified(manifest!.files[role], path.join(dir, SEGMENT_FILES[role]));
    const data = await readSegmentData(dir, 1280);
    const index = new HierarchicalNSW(manifest!.index.metric, 1280);
    await index.readIndex(path.join(dir, SEGMENT_FILES.index));
    index.setEf(manifest!.index.efSearch);
    for (let i = 0; i < data.items.length; i++) {
      const v = data.vectors.subarray(i * 1280, (i + 1) * 1280);
      expect(Math.hypot(...v)).to.be.closeTo(1, 1e-4);
      const { distances } = index.searchKnn(Array.from(v), 1);
      // Two items may share a photo (and so a vector): the nearest is at distance 0 either way.
      expect(distances[0]).to.be.closeTo(0, 1e-4);
    }
  });

  it("re-runs to byte-identical files, downloading no photo the cache holds", async () => {
    const before = await repo.readPublished("hourly", HOUR);
    const p = run(["--rerun", before!.manifest.buildId]);
    expect((await p.exited).code).to.equal(0);
    const after = await repo.readPublished("hourly", HOUR);
    expect(after?.manifest.buildId).to.not.equal(before?.manifest.buildId);
    for (const role of ["index", "vectors", "items", "tombstones"] as const)
      expect(after?.manifest.files[role].sha256, role).to.equal(before?.manifest.files[role].sha256);
    expect(after?.manifest.counts.cacheMisses).to.equal(0);
    expect(after?.manifest.counts.cacheHits).to.equal(after?.manifest.itemCount);
  });

  it("exits 2 naming a bad argument or variable", async () => {
    const p = run(["--tier", "weekly", "--window", HOUR]);
    expect((await p.exited).code).to.equal(2);
    expect(JSON.stringify(p.logs())).to.contain("--tier weekly");
    const q = spawnNode(["--import", "tsx", MAIN, "--tier", "hourly", "--window", HOUR], { ...buildEnv, HNSW_M: "1" });
    expect((await q.exited).code).to.equal(2);
    expect(JSON.stringify(q.logs())).to.contain("HNSW_M");
  });
});
