/**
 * The bundles the images run (not the TypeScript sources), each started from its bundle
 * directory as the container would start it: the photo API and worker classify a photo on
 * embedded AWS; the search build bundle builds the last closed hour with the model from S3 and
 * the shard host bundle serves that segment, as an assignment file names it, over gRPC (its search
 * thread a sibling entry); the front and controller bundles start and refuse a bad environment by
 * the variable's name.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { bundleServices, SERVICES } from "./bundle-services";
import { freePort, startEmbeddedAws, type EmbeddedAws } from "./embedded-aws";
import { createPhotoEnvironment } from "../workloads/photo-classification/local/environment";
import { uploadPhoto, waitForVerdict } from "../workloads/photo-classification/local/phone";
import { spawnNode, type NodeProcess } from "../workloads/shared/node-process";
import { waitFor } from "../workloads/shared/poll";
import { LABELLED_PHOTOS } from "../workloads/photo-classification/model/paths";
import { lastClosedWindow } from "../workloads/search/segments/windows";
import { environmentFor as controllerEnvironment } from "../workloads/search/controller/config";
import { BUILT_EMBEDDER } from "../workloads/search/embedder/paths";
import { environmentFor as frontEnvironment } from "../workloads/search/front/config";
import { environmentFor as hostEnvironment } from "../workloads/search/host/config";
import { createSearchEnvironment, loadPhotos, writeCatalogue } from "../workloads/search/local/environment";
import { shardHostProto, type HostInfo } from "../workloads/search/proto/index";
import { AssetRepository } from "../workloads/search/repository/asset-repository";
import { encodeAssignment } from "../workloads/search/segments/assignment";
import { segmentId } from "../workloads/search/segments/segment";
import { publishedSegmentOf } from "../workloads/search/controller/published";

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}

/** The first log line that is fatal, after the process exited. */
async function fatalOf(proc: NodeProcess): Promise<{ code: number | null; msg: string; err?: string }> {
  const { code } = await proc.exited;
  const fatal = proc.logs().find((l) => l.level === "fatal") as { msg: string; err?: string } | undefined;
  if (!fatal) throw new Error(`no fatal line in ${JSON.stringify(proc.logs())}`);
  return { code, ...fatal };
}

describe("service bundles (what the container images run)", () => {
  let aws: EmbeddedAws;
  let out: string;

  before(async () => {
    // Inside the repository, so the bundles find the native modules in node_modules as the image's npm ci provides them.
    out = await mkdtemp(path.join(__dirname, "..", ".cache", "bundle-test-"));
    await bundleServices(out);
    aws = await startEmbeddedAws();
  });
  after(async () => {
    await aws?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  describe("photo classification", () => {
    it("pins the worker's native modules to the locked versions", async () => {
      const pkg = JSON.parse(await readFile(path.join(out, "photo-worker", "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      };
      const lock = JSON.parse(await readFile(path.join(__dirname, "..", "package-lock.json"), "utf8")) as {
        packages: Record<string, { version: string }>;
      };
      expect(pkg.dependencies).to.deep.equal({
        "onnxruntime-node": lock.packages["node_modules/onnxruntime-node"].version,
        sharp: lock.packages["node_modules/sharp"].version,
      });
    });

    it("classifies a photo with the bundled API and worker, and both exit 0 on SIGTERM", async () => {
      const env = await createPhotoEnvironment(aws);
      const port = await freePort();
      const api = spawnNode([path.join(out, "photo-api", "main.js")], env.apiEnv({ port: port }));
      const apiUrl = `http://127.0.0.1:${port}`;
      const worker = spawnNode([path.join(out, "photo-worker", "main.js")], env.workerEnv(apiUrl));
      try {
        await waitFor(
          "the bundled API to listen",
          async () => api.logs().some((l) => l.msg === "api listening"),
          10_000,
        );
        const { photoId } = await uploadPhoto(
          apiUrl,
          await readFile(path.join(LABELLED_PHOTOS, "not-food", "chelsea.png")),
          "image/png",
        );
        const verdict = await waitForVerdict(apiUrl, photoId);
        expect(verdict).to.include({ status: "not-food" });
        expect(verdict.modelVersion).to.match(/^food-classifier@sha256:/);
      } finally {
        worker.child.kill("SIGTERM");
        api.child.kill("SIGTERM");
      }
      expect((await worker.exited).code, JSON.stringify(worker.logs())).to.equal(0);
      expect((await api.exited).code, JSON.stringify(api.logs())).to.equal(0);
    });

    it("stops at once with exit 2 and the variable's name on a bad environment", async () => {
      const worker = spawnNode([path.join(out, "photo-worker", "main.js")], { QUEUE_URL: "not a url" });
      expect((await worker.exited).code).to.equal(2);
      const fatal = worker.logs()[0] as { level: string; msg: string };
      expect(fatal.level).to.equal("fatal");
      expect(fatal.msg).to.match(
        /^invalid environment: QUEUE_URL="not a url": Invalid URL; DEAD_LETTER_QUEUE_URL: required;/,
      );
    });
  });

  describe("search service bundles", function () {
    // The build embeds with the CNN on CPU; everything else takes seconds.
    this.timeout(240_000);
    const lock = () =>
      readJson<{ packages: Record<string, { version: string; integrity?: string }> }>(
        path.join(__dirname, "..", "package-lock.json"),
      );
    const bundle = (name: string, file = "main.js") => path.join(out, name, file);
    const running: NodeProcess[] = [];
    afterEach(() => {
      for (const p of running.splice(0)) p.child.kill("SIGKILL");
    });
    const start = (name: string, args: string[], env: Record<string, string>) => {
      const proc = spawnNode([bundle(name), ...args], env);
      running.push(proc);
      return proc;
    };

    it("pins each bundle's externals to the locked versions, with a lock for npm ci, and ships shard-host.proto", async () => {
      const root = await lock();
      const expected: Record<string, string[]> = {
        "search-front": ["onnxruntime-node", "sharp"],
        "search-shard-host": ["grpc-health-check", "hnswlib-node"],
        "search-controller": [],
        "search-sweep": [],
        "search-build": ["hnswlib-node", "onnxruntime-node", "sharp"],
      };
      for (const [name, externals] of Object.entries(expected)) {
        expect(SERVICES.find((s) => s.name === name)?.external.sort(), name).to.deep.equal(externals);
        const pkg = await readJson<{ dependencies: Record<string, string> }>(bundle(name, "package.json"));
        const want = Object.fromEntries(externals.map((e) => [e, root.packages[`node_modules/${e}`].version]));
        expect(pkg.dependencies, name).to.deep.equal(want);
        const sub = await readJson<{ packages: Record<string, { version?: string; integrity?: string }> }>(
          bundle(name, "package-lock.json"),
        );
        expect(sub.packages[""], name).to.deep.include({ dependencies: want });
        // Every locked package is the root lock's, byte for byte in version and integrity.
        for (const [at, entry] of Object.entries(sub.packages)) {
          if (at === "") continue;
          expect(entry.version, `${name} ${at}`).to.equal(root.packages[at]?.version);
          expect(entry.integrity, `${name} ${at}`).to.equal(root.packages[at]?.integrity);
        }
        // npm accepts package.json and lock together, as the image's `npm ci` will (no download, no scripts).
        const npm = spawnSync("npm", ["ci", "--dry-run", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
          cwd: path.join(out, name),
          encoding: "utf8",
        });
        expect(npm.status, `${name}: ${npm.stderr}`).to.equal(0);
      }
      const proto = await readFile(
        path.join(__dirname, "..", "workloads", "search", "proto", "shard-host.proto"),
        "utf8",
      );
      expect(await readFile(bundle("search-front", "shard-host.proto"), "utf8")).to.equal(proto);
      expect(await readFile(bundle("search-shard-host", "shard-host.proto"), "utf8")).to.equal(proto);
      // The search thread is its own entry beside main.js, where the host starts it from.
      expect(await readFile(bundle("search-shard-host", "search-thread.js"), "utf8")).to.contain("search-thread");
    });

    it("the build bundle builds the last closed hour as the CronJob runs it, and the shard host bundle serves it", async () => {
      const env = await createSearchEnvironment(aws);
      // The model comes from S3 by version, as in the cluster: nothing is baked into the bundle.
      const modelBucket = `models-${env.assetBucket.slice(-8)}`;
      await env.s3.send(new CreateBucketCommand({ Bucket: modelBucket }));
      await env.s3.send(
        new PutBucketVersioningCommand({ Bucket: modelBucket, VersioningConfiguration: { Status: "Enabled" } }),
      );
      const put = await env.s3.send(
        new PutObjectCommand({
          Bucket: modelBucket,
          Key: "search/image-embedder.onnx",
          Body: await readFile(BUILT_EMBEDDER),
        }),
      );
      const modelUri = `s3://${modelBucket}/search/image-embedder.onnx?versionId=${put.VersionId}`;
      // A close grace that puts (now - grace) in the middle of an hour: the last closed hour cannot
      // change while the test runs, whatever the time of day.
      const now = Date.now();
      const graceSeconds = Math.floor((now % 3_600_000) / 1000) + 1800;
      const window = lastClosedWindow("hourly", new Date(now), graceSeconds * 1000);
      await writeCatalogue(env, await loadPhotos(8), {
        start: window.start,
        hours: 1,
        seed: 5,
        listingsPerPeakHour: 24,
        badEvents: false,
      });
      const work = await mkdtemp(path.join(out, "build-work-"));
      const build = start(
        "search-build",
        ["--tier", "hourly", "--window", "last-closed"],
        env.buildEnv({
          EMBEDDER_MODEL_URI: modelUri,
          FEED_CLOSE_GRACE_SECONDS: String(graceSeconds),
          INFERENCE_THREADS: "1",
          CACHE_DIR: path.join(work, "cache"),
          WORK_DIR: path.join(work, "scratch"),
        }),
      );
      expect((await build.exited).code, JSON.stringify(build.logs())).to.equal(0);
      const resolved = build.logs().find((l) => String(l.msg).startsWith("--window last-closed"));
      expect(resolved, JSON.stringify(build.logs())).to.deep.include({ tier: "hourly", window: window.name });
      const repo = new AssetRepository(new S3Client(aws.clientConfig()), env.assetBucket);
      const published = await repo.readPublished("hourly", window.name);
      expect(published, `no pointer for ${window.name}`).to.not.equal(undefined);
      const { pointer, manifest } = published!;
      expect(manifest.embeddingVersion).to.match(/^image-embedder@sha256:/);
      expect(manifest.itemCount).to.be.greaterThan(0);

      // The host's assignment as the segment controller writes it into the host's ConfigMap.
      const segment = publishedSegmentOf(pointer, manifest);
      const assignmentFile = path.join(work, "segments.json");
      await writeFile(
        assignmentFile,
        encodeAssignment({ host: "shard-host-test", flatMaxItems: 0, segments: [segment] }),
      );
      const [port, opsPort] = [await freePort(), await freePort()];
      const host = start("search-shard-host", [], {
        ...aws.env(),
        ...hostEnvironment({
          assetBucket: env.assetBucket,
          assignmentFile,
          host: "127.0.0.1",
          grpcPort: port,
          opsPort,
          searchThreads: 1,
          segmentDir: path.join(work, "segments"),
        }),
      });
      const Health = grpc.makeGenericClientConstructor(healthService, "Health");
      const health = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
        check(r: object, cb: (e: grpc.ServiceError | null, r?: { status: string | number }) => void): void;
      };
      const { Client } = shardHostProto();
      const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      try {
        // grpc.health.v1: SERVING once the assigned segment is loaded and verified (NOT_SERVING before).
        await waitFor(
          "the bundled shard host to report SERVING",
          () =>
            new Promise<boolean>((resolve) =>
              health.check({ service: "" }, (err, res) =>
                resolve(!err && (res?.status === "SERVING" || res?.status === 1)),
              ),
            ),
          60_000,
          200,
        );
        const info = await new Promise<HostInfo>((resolve, reject) =>
          client.info({}, {}, (err, res) => (err ? reject(err) : resolve(res!))),
        );
        expect(info.host).to.equal("shard-host-test");
        expect(info.segments).to.have.length(1);
        expect(info.segments[0]).to.deep.include({
          segmentId: segmentId(segment),
          tier: "hourly",
          window: window.name,
          windowStart: window.start.toISOString(),
          itemCount: manifest.itemCount,
          embeddingVersion: manifest.embeddingVersion,
          dimension: manifest.dimension,
          buildId: pointer.buildId,
        });
        const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
        expect(metrics).to.match(/^search_host_/m);
        expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).to.equal(200);
      } finally {
        health.close();
        client.close();
        host.child.kill("SIGTERM");
      }
      expect((await host.exited).code, JSON.stringify(host.logs())).to.equal(0);
    });

    it("the front bundle loads the model from S3 on its inference thread, answers a photo, and refuses a bad environment", async () => {
      const env = await createSearchEnvironment(aws);
      await env.s3.send(
        new PutObjectCommand({
          Bucket: env.assetBucket,
          Key: "m/image-embedder.onnx",
          Body: await readFile(BUILT_EMBEDDER),
        }),
      );
      const [httpPort, opsPort, apiPort] = [await freePort(), await freePort(), await freePort()];
      // No Kubernetes API answers here: discovery keeps retrying, the front serves and stays unready.
      const front = start("search-front", [], {
        ...aws.env(),
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: String(apiPort),
        ...frontEnvironment({
          namespace: "search",
          host: "127.0.0.1",
          httpPort,
          opsPort,
          embedderModelUri: `s3://${env.assetBucket}/m/image-embedder.onnx`,
          inferenceThreads: 1,
        }),
      });
      try {
        const listening = await waitFor(
          "the bundled front to listen",
          async () => front.logs().find((l) => l.msg === "search front listening"),
          60_000,
        );
        expect(listening.versions).to.have.length(1);
        expect((listening.versions as string[])[0]).to.match(/^image-embedder@sha256:[0-9a-f]{12}$/);
        const res = await fetch(`http://127.0.0.1:${httpPort}/search?k=3`, {
          method: "POST",
          headers: { "content-type": "image/png" },
          body: await readFile(path.join(LABELLED_PHOTOS, "not-food", "chelsea.png")),
        });
        expect(res.status).to.equal(200);
        expect(await res.json()).to.deep.include({ items: [], segments: 0, partial: false });
        expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).to.equal(200);
        expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).to.equal(503);
      } finally {
        front.child.kill("SIGTERM");
      }
      expect((await front.exited).code, JSON.stringify(front.logs())).to.equal(0);

      const bad = await fatalOf(
        start("search-front", [], { NAMESPACE: "search", EMBEDDER_MODEL_URI: "s3://m/e.onnx", OVERSAMPLE: "20" }),
      );
      expect(bad.code).to.equal(2);
      expect(bad.msg).to.equal('invalid environment: OVERSAMPLE="20": Too big: expected number to be <=10');
    });

    it("the controller bundle serves its health while reconciling fails, and refuses a bad environment", async () => {
      const env = await createSearchEnvironment(aws);
      const [opsPort, apiPort] = [await freePort(), await freePort()];
      const settings = {
        namespace: "search",
        assetBucket: env.assetBucket,
        opsPort,
        indexServing: "search",
        hostServiceAccount: "shard-host",
        intervalSeconds: 5,
      };
      const controller = start("search-controller", [], {
        ...aws.env(),
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: String(apiPort),
        ...controllerEnvironment(settings),
      });
      try {
        await waitFor(
          "a reconcile round to fail without a Kubernetes API",
          async () => controller.logs().find((l) => l.msg === "reconcile failed; retried next round"),
          30_000,
        );
        expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).to.equal(200);
        expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).to.equal(503);
        const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
        expect(metrics).to.match(/^segment_controller_reconcile_rounds_total\{outcome="error"\} [1-9]/m);
      } finally {
        controller.child.kill("SIGTERM");
      }
      expect((await controller.exited).code, JSON.stringify(controller.logs())).to.equal(0);

      const bad = await fatalOf(
        start("search-controller", [], {
          ...controllerEnvironment(settings),
          INDEX_SERVING: "Search_1",
          HOST_GRPC_PORT: "0",
        }),
      );
      expect(bad.code).to.equal(2);
      expect(bad.msg).to.match(
        /^invalid environment: INDEX_SERVING="Search_1": a Kubernetes object name; HOST_GRPC_PORT="0"/,
      );
    });

    it("the build bundle names what is wrong on its command line (exit 2)", async () => {
      const env = await createSearchEnvironment(aws);
      const buildEnv = env.buildEnv({ EMBEDDER_MODEL_URI: BUILT_EMBEDDER, CACHE_DIR: path.join(out, "unused") });
      const cases: [string[], string][] = [
        [["--tier", "weekly", "--window", "last-closed"], "--tier weekly: expected one of hourly, daily, monthly"],
        [
          ["--tier", "daily", "--window", "yesterday"],
          "--window yesterday: not a daily window (expected e.g. 2026-11-01)",
        ],
        [["--tier", "hourly"], "--window is required"],
      ];
      for (const [args, message] of cases) {
        const bad = await fatalOf(start("search-build", args, buildEnv));
        expect(bad.code, args.join(" ")).to.equal(2);
        expect(bad.msg, args.join(" ")).to.contain(message);
        expect(bad.msg, args.join(" ")).to.contain(
          "usage: build --tier hourly|daily|monthly --window START|last-closed",
        );
      }
    });
  });
});
