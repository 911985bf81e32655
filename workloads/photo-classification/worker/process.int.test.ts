/**
 * The worker as its own process, killed and stopped the way ECS does it: SIGKILL (instance
 * lost, OOM) and SIGTERM followed by the stop timeout (deploys, scale-in).
 */
import { waitFor } from "../../shared/poll";
import { expect } from "chai";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { freePort, startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { loadApiSettings } from "../api/config";
import type { WorkerSettings } from "./config";
import { startApi, type RunningApi } from "../api/main";
import { capturingLogger } from "../local/capture-log";
import { createPhotoEnvironment, type PhotoEnvironment } from "../local/environment";
import type { NodeProcess } from "../../shared/node-process";
import { allRecords, deadLetters, queueDepth, scrapeCounter, spawnWorker } from "../local/probes";
import { foodPhotos } from "./testing";

const received = (port: number) => scrapeCounter(port, "photo_worker_messages_received_total");

describe("photo worker process: killed and stopped", () => {
  let aws: EmbeddedAws;
  let env: PhotoEnvironment;
  let api: RunningApi;
  let photos: Buffer[];
  const workers: NodeProcess[] = [];

  before(async () => {
    aws = await startEmbeddedAws();
    photos = await foodPhotos(40);
  });
  beforeEach(async () => {
    env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: 3 });
    api = await startApi(loadApiSettings(env.apiEnv()), capturingLogger("api").log, aws.clientConfig());
  });
  afterEach(async () => {
    for (const w of workers.splice(0))
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await api.stop();
  });
  after(async () => aws?.stop());

  const start = async (extra: Partial<WorkerSettings> = {}, apiUrl = api.url) => {
    const metricsPort = await freePort();
    const w = spawnWorker(env.workerEnv(apiUrl, { metricsPort, visibilityTimeoutSeconds: 3, ...extra }));
    workers.push(w);
    return { ...w, metricsPort };
  };
  const upload = (count: number) =>
    Promise.all(
      photos
        .slice(0, count)
        .map((body, i) => env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `uploads/p${i}`, Body: body }))),
    );
  const verdicts = async () => (await allRecords(env)).filter((r) => r.classifiedAt);

  it("a worker killed mid-batch loses nothing: its messages come back and every photo ends with one result", async () => {
    await upload(40);
    const first = await start({ batchSize: 16 });
    await waitFor(
      "the first worker to receive photos",
      async () => (await received(first.metricsPort)) >= 1,
      60_000,
      5,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    await new Promise((r) => setTimeout(r, 1000)); // reports already on the wire still land
    const doneByFirst = (await verdicts()).length;
    expect(doneByFirst, "the kill must land while photos are still in flight").to.be.below(40);

    const second = await start({ batchSize: 16 });
    await waitFor("all 40 verdicts", async () => (await verdicts()).length === 40, 90_000, 200);
    await waitFor("the queue to drain", async () => {
      const d = await queueDepth(env);
      return d.visible === 0 && d.inFlight === 0;
    });
    const records = await allRecords(env);
    expect(records.map((r) => r.photoId).sort()).to.deep.equal(Array.from({ length: 40 }, (_, i) => `p${i}`).sort());
    for (const r of records) expect(r.status, r.photoId).to.be.oneOf(["food", "not-food"]);
    expect(await deadLetters(env)).to.have.length(0);
    // The redelivered photos the first worker had already reported were not stored twice.
    expect(second.logs().filter((l) => l.msg === "verdict stored").length).to.be.at.least(40 - doneByFirst);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).to.equal(0);
  });

  it("SIGTERM drains: in-flight photos finish, the rest stay queued, and the process exits 0 in time", async () => {
    const worker = await start({ stopTimeoutSeconds: 20, batchSize: 8 });
    await upload(30);
    await waitFor("the worker to receive photos", async () => (await received(worker.metricsPort)) >= 1, 60_000, 10);
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code).to.equal(0);
    expect(Date.now() - signalled).to.be.below(20_000);
    const stopped = worker.logs().find((l) => l.msg === "stopped");
    expect(stopped).to.include({ drained: true, released: 0 });
    // Count photos, not log lines: under load a heartbeat can land after the 3 s visibility
    // timeout, SQS redelivers, and one photo is (idempotently) stored twice.
    const stored = new Set(
      worker
        .logs()
        .filter((l) => l.msg === "verdict stored")
        .map((l) => l.photoId),
    );
    expect((await verdicts()).map((r) => r.photoId).sort()).to.deep.equal([...stored].sort());

    const next = await start();
    await waitFor("all 30 verdicts", async () => (await verdicts()).length === 30, 90_000, 200);
    // The first worker may have stored all 30 (what its last receive brought is drained too): the
    // SIGTERM below is for a started worker, not one still loading its model.
    await waitFor(
      "the next worker to poll",
      async () => next.logs().some((l) => l.msg === "worker polling"),
      60_000,
      20,
    );
    next.child.kill("SIGTERM");
    expect((await next.exited).code).to.equal(0);
  });

  it("SIGTERM with the API unreachable releases in-flight messages at the deadline instead of holding them", async () => {
    const deadApi = `http://127.0.0.1:${await freePort()}`;
    const worker = await start({ stopTimeoutSeconds: 1, visibilityTimeoutSeconds: 120, reportBackoffMs: 100 }, deadApi);
    await upload(3);
    await waitFor(
      "reports to be retrying",
      async () => worker.logs().filter((l) => l.msg === "result report failed; retrying").length >= 3,
      60_000,
      20,
    );
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code).to.equal(0);
    expect(worker.logs().find((l) => l.msg === "stopped")).to.include({ drained: false, released: 3 });
    // Visible again at once, not after the 120 s visibility timeout.
    const depth = await queueDepth(env);
    expect(depth).to.deep.equal({ visible: 3, inFlight: 0 });
  });
});
