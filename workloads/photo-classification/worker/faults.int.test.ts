/**
 * Photos that must get a verdict through faults (issue 11), on the real embedded AWS: an API
 * outage longer than maxReceiveCount × the visibility timeout, keys the API's photo-id contract
 * refuses put straight into the bucket, a version that vanished before it was read, and one
 * message carrying 700 records, and an API that refuses the worker's token (401) or its right to
 * store results (403), which parks each message with the reason and no retry. Each ends counting one stored verdict per uploaded photo (or,
 * for a key no verdict can be stored under, one dead-letter message with its reason) and no
 * dead-letter message without a reason.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { PurgeQueueCommand, SendMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { freePort, startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { waitFor } from "../../shared/poll";
import { loadApiSettings } from "../api/config";
import { startApi } from "../api/main";
import { capturingLogger } from "../local/capture-log";
import { createPhotoEnvironment, type PhotoEnvironment } from "../local/environment";
import { allRecords, deadLetters, queueDepth } from "../local/probes";
import { startStory } from "../local/story";
import { loadWorkerSettings } from "./config";
import { startWorker } from "./main";
import { API_AUTH_REFUSED_EVENT } from "./config";
import { foodPhotos, s3Event } from "./testing";

const reasonOf = (m: Message) => m.MessageAttributes?.reason?.StringValue;

/** Every message on the DLQ (it holds few here), without taking them off it. */
async function allDeadLetters(env: PhotoEnvironment): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let i = 0; i < 5; i++) for (const m of await deadLetters(env)) seen.set(m.MessageId as string, m);
  return [...seen.values()];
}

const drained = (env: PhotoEnvironment) =>
  waitFor(
    "the photo queue to drain",
    async () => {
      const d = await queueDepth(env);
      return d.visible === 0 && d.inFlight === 0;
    },
    120_000,
    200,
  );

describe("photo worker under faults (every photo gets a verdict)", () => {
  let aws: EmbeddedAws;
  let photos: Buffer[];

  before(async () => {
    aws = await startEmbeddedAws();
    photos = await foodPhotos(12);
  });
  after(async () => aws?.stop());

  it("an API outage longer than maxReceiveCount × visibility timeout: breaker opens, nothing is received, all classified", async () => {
    const visibility = 2;
    const maxReceiveCount = 3;
    const outageMs = 3 * maxReceiveCount * visibility * 1000 + 2000;
    const env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: visibility, maxReceiveCount });
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const { log } = capturingLogger("worker-outage");
    const t0 = Date.now();
    const at = () => ((Date.now() - t0) / 1000).toFixed(1);
    const timeline: string[] = [];
    const receives: { t: number; messages: number }[] = [];
    const running = await startWorker(
      loadWorkerSettings(
        env.workerEnv(apiUrl, {
          visibilityTimeoutSeconds: visibility,
          reportAttempts: 2,
          reportBackoffMs: 100,
          reportBackoffMaxMs: 200,
          probeIntervalMs: 500,
          releaseBackoffSeconds: visibility,
        }),
      ),
      log,
      aws.clientConfig(),
    );
    const consumer = running.worker;
    consumer.on("received", ({ messages }) => receives.push({ t: Date.now(), messages }));
    consumer.on("breaker_opened", ({ dependency }) => timeline.push(`t=${at()}s breaker opened (${dependency})`));
    consumer.on("breaker_closed", ({ dependency, downSeconds }) =>
      timeline.push(`t=${at()}s breaker closed (${dependency}, open ${downSeconds.toFixed(1)} s)`),
    );
    let api: Awaited<ReturnType<typeof startApi>> | undefined;
    try {
      timeline.push(`t=${at()}s API down; ${photos.length} photos put into the bucket`);
      await Promise.all(
        photos.map((body, i) =>
          env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: `uploads/outage-${i}`, Body: body })),
        ),
      );
      await waitFor("the breaker to open", async () => consumer.openBreakers().includes("photo-api"), 30_000, 20);
      const openedAt = Date.now();
      const outageEnds = t0 + outageMs;
      while (Date.now() < outageEnds) await new Promise((r) => setTimeout(r, 200));
      const apiBackAt = Date.now();
      api = await startApi(loadApiSettings(env.apiEnv({ port })), capturingLogger("api").log, aws.clientConfig());
      timeline.push(`t=${at()}s API back (outage ${((apiBackAt - t0) / 1000).toFixed(1)} s)`);
      await waitFor(
        `${photos.length} verdicts`,
        async () => (await allRecords(env)).filter((r) => r.classifiedAt).length === photos.length,
        60_000,
        200,
      );
      timeline.push(`t=${at()}s all ${photos.length} verdicts stored`);
      await drained(env);

      const duringOutage = receives.filter((r) => r.t >= openedAt && r.t < apiBackAt);
      timeline.push(
        `receives while the breaker was open: ${duringOutage.length} calls, ` +
          `${duringOutage.reduce((n, r) => n + r.messages, 0)} messages; ` +
          `receive calls in all: ${receives.length}, messages in all: ${receives.reduce((n, r) => n + r.messages, 0)}`,
      );
      console.log(`      outage timeline (visibility ${visibility} s, maxReceiveCount ${maxReceiveCount}):`);
      for (const line of timeline) console.log(`        ${line}`);

      const records = await allRecords(env);
      expect(records.map((r) => r.photoId).sort()).to.deep.equal(photos.map((_, i) => `outage-${i}`).sort());
      for (const r of records) expect(r.status, r.photoId).to.be.oneOf(["food", "not-food"]);
      expect(await allDeadLetters(env)).to.have.length(0);
      expect(
        duringOutage.reduce((n, r) => n + r.messages, 0),
        "messages received while the API was known down",
      ).to.equal(0);
      // Each notification received once (plus S3's test event): the outage cost no message a receive.
      expect(receives.reduce((n, r) => n + r.messages, 0)).to.equal(photos.length + 1);
      expect(timeline.some((l) => l.includes("breaker closed (photo-api"))).to.equal(true);
    } finally {
      await running.stop();
      await api?.stop();
    }
  });

  it("an API refusing the worker's token (401) or its right (403): each message parked at once with the reason, counted, never retried", async () => {
    const env = await createPhotoEnvironment(aws, { maxReceiveCount: 3 });
    const port = await freePort();
    const apiLog = capturingLogger("api");
    const api = await startApi(loadApiSettings(env.apiEnv({ port })), apiLog.log, aws.clientConfig());
    // 403 comes from a gateway in front of the API in practice; a stand-in on loopback answers it,
    // and healthy on /healthz, as such a gateway would.
    const puts403: string[] = [];
    const forbidding: Server = createServer((req, res) => {
      // The body is read before the answer, as a real server does: keep-alive stays usable.
      req.resume();
      req.on("end", () => {
        if (req.url === "/healthz") return void res.writeHead(200).end("ok");
        puts403.push(req.url ?? "");
        res.writeHead(403, { "content-type": "application/json" }).end('{"error":"forbidden"}');
      });
    });
    await new Promise<void>((resolve) => forbidding.listen(0, "127.0.0.1", resolve));
    const cases = [
      { status: "401", apiUrl: `http://127.0.0.1:${port}`, photos: photos.slice(0, 3) },
      {
        status: "403",
        apiUrl: `http://127.0.0.1:${(forbidding.address() as AddressInfo).port}`,
        photos: photos.slice(3, 5),
      },
    ];
    try {
      for (const c of cases) {
        const { log, lines } = capturingLogger(`worker-auth-${c.status}`);
        const running = await startWorker(
          loadWorkerSettings(
            env.workerEnv(c.apiUrl, {
              // A token the API does not know (for 401); plenty of attempts, which must not be used.
              apiToken: "not-the-worker-token-".repeat(3),
              reportAttempts: 5,
              reportBackoffMs: 100,
              probeIntervalMs: 200,
              releaseBackoffSeconds: 1,
            }),
          ),
          log,
          aws.clientConfig(),
        );
        try {
          await drained(env);
          const parkedBefore = (await allDeadLetters(env)).length;
          await Promise.all(
            c.photos.map((body, i) =>
              env.s3.send(
                new PutObjectCommand({ Bucket: env.bucket, Key: `uploads/auth-${c.status}-${i}`, Body: body }),
              ),
            ),
          );
          await waitFor(
            `${c.photos.length} messages parked (HTTP ${c.status})`,
            async () => (await allDeadLetters(env)).length === parkedBefore + c.photos.length,
            60_000,
            200,
          );
          await drained(env);
          const parked = (await allDeadLetters(env)).filter((m) => m.Body?.includes(`auth-${c.status}-`));
          expect(parked).to.have.length(c.photos.length);
          for (const m of parked) {
            expect(reasonOf(m), m.Body).to.match(new RegExp(`^API refused the worker's token \\(HTTP ${c.status}\\)`));
            expect(m.MessageAttributes?.receiveCount?.StringValue, "parked on its first receive").to.equal("1");
          }
          // The counter on /metrics, as Prometheus scrapes it, and the log line the alarm counts.
          const scraped = await (await fetch(`http://127.0.0.1:${running.ops.port}/metrics`)).text();
          expect(scraped).to.include(`photo_worker_api_auth_refused_total{status="${c.status}"} ${c.photos.length}`);
          const alarmLines = lines.filter((l) => l.event === API_AUTH_REFUSED_EVENT);
          expect(alarmLines.map((l) => l.status)).to.deep.equal(c.photos.map(() => Number(c.status)));
          // No retry loop: one report per photo, no breaker, nothing released, each message received once.
          expect((await running.metrics.breakerOpenings.get()).values).to.deep.equal([]);
          const outcomes = (await running.metrics.messages.get()).values;
          expect(outcomes.filter((v) => v.labels.outcome === "released")).to.deep.equal([]);
          expect(outcomes.find((v) => v.labels.outcome === "dead_lettered")?.value).to.equal(c.photos.length);
          expect(lines.filter((l) => l.msg === "message released for retry")).to.deep.equal([]);
          const received = (await running.metrics.messagesReceived.get()).values.reduce((n, v) => n + v.value, 0);
          expect(received, "received once each (plus S3's test event on the first run)").to.be.oneOf([
            c.photos.length,
            c.photos.length + 1,
          ]);
        } finally {
          await running.stop();
        }
      }
      expect(
        apiLog.lines.filter((l) => l.status === 401),
        "one request per photo: no retries",
      ).to.have.length(3);
      expect(puts403, "one request per photo: no retries").to.have.length(2);
      expect(await allRecords(env)).to.deep.equal([]);
    } finally {
      forbidding.close();
      await api.stop();
    }
  });

  it("keys the API's photo-id contract refuses go to the DLQ at once with the reason, never retried", async () => {
    const env = await createPhotoEnvironment(aws, { maxReceiveCount: 3 });
    const { log } = capturingLogger("worker-odd-keys");
    const story = await startStory(env, log);
    try {
      const odd: Record<string, string> = {
        "over-long id": `uploads/${"x".repeat(600)}`,
        "trailing space": "uploads/lunch ",
        "control character": "uploads/lu\u0001nch",
        dot: "uploads/.",
        "dot-dot": "uploads/..",
      };
      const put = (key: string, body: Uint8Array) =>
        env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: body }));
      const stored: string[] = [];
      for (const [what, key] of Object.entries(odd)) {
        try {
          await put(key, photos[0]);
          stored.push(key);
        } catch (err) {
          // Some keys cannot be stored through this client; their notification is sent as S3 would.
          log.info({ what, err: (err as Error).message }, "key not storable; sending its event");
          await env.sqs.send(
            new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: s3Event(env.bucket, [{ key }]) }),
          );
        }
      }
      console.log(`      odd keys stored in the bucket: ${stored.length} of ${Object.keys(odd).length}`);
      // A good photo and an odd key in one message: the good one still gets its verdict.
      await put("uploads/good-neighbour", photos[1]);
      await drained(env);
      await env.sqs.send(
        new SendMessageCommand({
          QueueUrl: env.queueUrl,
          MessageBody: s3Event(env.bucket, [{ key: "uploads/good-neighbour" }, { key: "uploads/bad " }]),
        }),
      );
      await drained(env);

      const parked = await allDeadLetters(env);
      expect(parked).to.have.length(Object.keys(odd).length + 1);
      for (const m of parked) {
        expect(reasonOf(m), m.Body).to.match(/photo id/);
        expect(m.MessageAttributes?.receiveCount?.StringValue, "parked on its first receive").to.equal("1");
      }
      const records = await allRecords(env);
      expect(records.map((r) => r.photoId)).to.deep.equal(["good-neighbour"]);
      expect(records[0].status).to.be.oneOf(["food", "not-food"]);
      const released = await story.worker.metrics.messages.get();
      expect(released.values.filter((v) => v.labels.outcome === "released")).to.deep.equal([]);
    } finally {
      await story.stop();
    }
  });

  it("a version that vanished before it was read gets a failed verdict with the reason, not retries", async () => {
    const env = await createPhotoEnvironment(aws, { maxReceiveCount: 3 });
    await env.s3.send(
      new PutBucketVersioningCommand({ Bucket: env.bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const first = await env.s3.send(
      new PutObjectCommand({ Bucket: env.bucket, Key: "uploads/vanished", Body: photos[2] }),
    );
    await env.s3.send(
      new DeleteObjectCommand({ Bucket: env.bucket, Key: "uploads/vanished", VersionId: first.VersionId }),
    );
    await env.sqs.send(new PurgeQueueCommand({ QueueUrl: env.queueUrl }));
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: s3Event(env.bucket, [{ key: "uploads/vanished", versionId: first.VersionId }]),
      }),
    );
    const { log } = capturingLogger("worker-vanished");
    const story = await startStory(env, log);
    try {
      await drained(env);
      const records = await allRecords(env);
      expect(records).to.have.length(1);
      expect(records[0]).to.include({ photoId: "vanished", status: "failed", reason: "object-not-found" });
      expect(records[0].detail).to.match(/NoSuchVersion|NoSuchKey/);
      expect(await allDeadLetters(env)).to.have.length(0);
      const received = await story.worker.metrics.messagesReceived.get();
      expect(received.values[0].value, "received once").to.equal(1);
    } finally {
      await story.stop();
    }
  });

  it("one message with 700 records: photos in flight stay within the bound, every photo gets its verdict", async function () {
    this.timeout(600_000);
    const count = 700;
    // Small photos: this is about the bound, not about decoding.
    const small = await Promise.all(photos.map((p) => sharp(p).resize(96, 96).jpeg().toBuffer()));
    const bound = 16;
    const env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: 10, maxReceiveCount: 3 });
    const keys = Array.from({ length: count }, (_, i) => `uploads/many-${i}`);
    for (let i = 0; i < count; i += 50)
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((key, j) =>
            env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: small[(i + j) % small.length] })),
          ),
      );
    // Only the one big message is left to handle.
    await env.sqs.send(new PurgeQueueCommand({ QueueUrl: env.queueUrl }));
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: s3Event(
          env.bucket,
          keys.map((key) => ({ key })),
        ),
      }),
    );
    const { log } = capturingLogger("worker-many");
    const story = await startStory(env, log, { maxPhotosInFlight: bound, batchSize: 8 });
    try {
      const stored = async () =>
        (await story.worker.metrics.classified.get()).values.reduce((n, v) => n + v.value, 0) +
        (await story.worker.metrics.failed.get()).values.reduce((n, v) => n + v.value, 0);
      await waitFor(`${count} verdicts`, async () => (await stored()) === count, 500_000, 500);
      await drained(env);
      const peak = story.worker.worker.peakUnitsInFlight;
      console.log(`      ${count}-record message: peak photos in flight ${peak} (bound ${bound})`);
      expect(peak).to.be.at.most(bound);
      expect(peak, "the bound was reached: photos of one message run in parallel").to.equal(bound);
      const records = await allRecords(env);
      expect(new Set(records.map((r) => r.photoId)).size).to.equal(count);
      expect(await allDeadLetters(env)).to.have.length(0);
    } finally {
      await story.stop();
    }
  });
});
