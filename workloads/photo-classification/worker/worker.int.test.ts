import { expect } from "chai";
import { waitFor } from "../../shared/poll";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import sharp from "sharp";
import { freePort, startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { loadApiSettings } from "../api/config";
import { startApi } from "../api/main";
import { capturingLogger } from "../local/capture-log";
import { createPhotoEnvironment, type PhotoEnvironment } from "../local/environment";
import { contentTypeOf, uploadPhoto, waitForVerdict, type Verdict } from "../local/phone";
import { deadLetters, queueDepth } from "../local/probes";
import { startStory, type Story } from "../local/story";
import { LABELLED_PHOTOS } from "../model/paths";
import { loadWorkerSettings } from "./config";
import { startWorker } from "./main";
import { s3Event } from "./testing";

const photo = (set: "food" | "not-food", name: string) => readFile(path.join(LABELLED_PHOTOS, set, name));

async function metric(story: Story, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await story.worker.metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

describe("photo worker on embedded AWS (S3 -> SQS -> worker -> API -> DynamoDB)", () => {
  let aws: EmbeddedAws;
  let env: PhotoEnvironment;
  let story: Story;
  const { log } = capturingLogger("worker-test");

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createPhotoEnvironment(aws, { maxReceiveCount: 3 });
    story = await startStory(env, log, { maxImageBytes: 280000, maxImagePixels: 4000000, batchSize: 4 });
  });
  after(async () => {
    await story?.stop();
    await aws?.stop();
  });

  const put = (key: string, body: Uint8Array | string) =>
    env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: body }));
  const drained = () =>
    waitFor("the photo queue to drain", async () => {
      const depth = await queueDepth(env);
      return depth.visible === 0 && depth.inFlight === 0;
    });

  /**
   * A counter once it reaches `least` (or after 10 s, whatever it reads then): the worker counts after SQS or the API
   * has answered it, so a drained queue or a stored verdict can be seen a moment before the count moves.
   */
  const counted = async (name: string, labels: Record<string, string>, least: number) => {
    await waitFor(`${name} to reach ${least}`, async () => (await metric(story, name, labels)) >= least, 10_000).catch(
      () => undefined,
    );
    return metric(story, name, labels);
  };

  it("classifies photos uploaded through pre-signed URLs and deletes their messages", async () => {
    const [cat, cabbage] = await Promise.all(
      [photo("not-food", "chelsea.png"), photo("food", "D001.jpeg")].map(async (bytes, i) => {
        const { photoId } = await uploadPhoto(story.api.url, await bytes, i === 0 ? "image/png" : "image/jpeg");
        return waitForVerdict(story.api.url, photoId);
      }),
    );
    expect(cat).to.include({ status: "not-food" });
    // Clear of the food head's threshold (about 0.49) on either side.
    expect(cat.score).to.be.below(0.25);
    expect(cabbage).to.include({ status: "food" });
    expect(cabbage.score).to.be.above(0.75);
    for (const v of [cat, cabbage]) {
      expect(v.modelVersion).to.match(/^food-classifier@sha256:[0-9a-f]{12}$/);
      expect(Date.parse(v.classifiedAt as string)).to.be.at.least(Date.parse(v.uploadedAt as string));
    }
    await drained();
    expect(await counted("photo_worker_messages_total", { outcome: "deleted" }, 2)).to.be.at.least(2);
  });

  it("gives empty, non-image, corrupt, oversized and unsupported uploads a failed verdict with the reason", async () => {
    const jpeg = await photo("food", "E001.jpeg");
    const cases: Record<string, [Uint8Array | string, string]> = {
      empty: [new Uint8Array(), "empty"],
      text: ["a recipe for pancakes", "not-an-image"],
      truncated: [jpeg.subarray(0, Math.floor(jpeg.length / 2)), "corrupt"],
      huge: [Buffer.alloc(300_000, 1), "too-large"],
      bomb: [
        await sharp({ create: { width: 4000, height: 4000, channels: 3, background: "white" } })
          .png()
          .toBuffer(),
        "too-large",
      ],
      gif: [
        await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
          .gif()
          .toBuffer(),
        "unsupported-format",
      ],
    };
    for (const [name, [body]] of Object.entries(cases)) await put(`uploads/bad-${name}`, body);
    for (const [name, [, reason]] of Object.entries(cases)) {
      const verdict = await waitForVerdict(story.api.url, `bad-${name}`);
      expect(verdict, name).to.include({ status: "failed", reason });
    }
    await drained();
    expect(await deadLetters(env)).to.have.length(0);
    expect(await counted("photo_worker_photos_failed_total", { reason: "too-large" }, 2)).to.equal(2);
  });

  it("fails a photo whose object was deleted before it was processed, without a retry loop", async () => {
    await env.sqs.send(
      new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: s3Event(env.bucket, [{ key: "uploads/gone" }]) }),
    );
    const verdict = await waitForVerdict(story.api.url, "gone");
    expect(verdict).to.include({ status: "failed", reason: "object-not-found" });
    await drained();
  });

  it("deletes S3's test event and decodes form-encoded keys", async () => {
    expect(await metric(story, "photo_worker_messages_total", { outcome: "test_event" })).to.equal(1);
    await put("uploads/my lunch+1 (2).png", await photo("not-food", "coins.png"));
    const verdict = await waitForVerdict(story.api.url, "my lunch+1 (2).png");
    expect(verdict.status).to.equal("not-food");
  });

  it("handles every record of a multi-record message before deleting it", async () => {
    await put("uploads/multi-a", await photo("food", "G001.jpeg"));
    await put("uploads/multi-b", await photo("not-food", "rocket.jpg"));
    await drained(); // the notifications of the two puts are handled on their own first
    const before = await metric(story, "photo_worker_photos_classified_total");
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: s3Event(env.bucket, [{ key: "uploads/multi-a" }, { key: "uploads/multi-b" }]),
      }),
    );
    await drained();
    expect((await counted("photo_worker_photos_classified_total", {}, before + 2)) - before).to.equal(2);
  });

  it("sends unknown message shapes to the dead-letter queue with the reason, once", async () => {
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queueUrl, MessageBody: "hello" }));
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queueUrl,
        MessageBody: JSON.stringify({ Records: [{ eventSource: "aws:sqs" }] }),
      }),
    );
    await drained();
    const parked = await deadLetters(env);
    expect(parked.map((m) => m.Body)).to.have.members([
      "hello",
      JSON.stringify({ Records: [{ eventSource: "aws:sqs" }] }),
    ]);
    expect(parked.map((m) => m.MessageAttributes?.reason?.StringValue)).to.have.members([
      'body is not JSON: "hello"',
      "Records[0] is not an S3 event record",
    ]);
  });
});

describe("photo worker while the API is down", () => {
  it("retries the report until the API is back, and loses nothing", async () => {
    const aws = await startEmbeddedAws();
    try {
      const env = await createPhotoEnvironment(aws);
      const port = await freePort();
      const apiUrl = `http://127.0.0.1:${port}`;
      const { log, lines } = capturingLogger("worker-api-down");
      const worker = await startWorker(
        loadWorkerSettings(
          env.workerEnv(apiUrl, { reportBackoffMs: 100, reportBackoffMaxMs: 400, reportAttempts: 40 }),
        ),
        log,
        aws.clientConfig(),
      );
      try {
        await env.s3.send(
          new PutObjectCommand({
            Bucket: env.bucket,
            Key: "uploads/while-down",
            Body: await photo("food", "D001.jpeg"),
          }),
        );
        await waitFor(
          "report retries",
          async () => lines.filter((l) => l.msg === "result report failed; retrying").length >= 3,
        );
        const api = await startApi(
          loadApiSettings(env.apiEnv({ port: port })),
          capturingLogger("api").log,
          aws.clientConfig(),
        );
        try {
          const verdict: Verdict = await waitForVerdict(apiUrl, "while-down");
          expect(verdict.status).to.equal("food");
          await waitFor("the queue to drain", async () => {
            const d = await queueDepth(env);
            return d.visible === 0 && d.inFlight === 0;
          });
          expect(await deadLetters(env)).to.have.length(0);
        } finally {
          await api.stop();
        }
      } finally {
        await worker.stop();
      }
    } finally {
      await aws.stop();
    }
  });
});

describe("photo worker on a photo that takes longer than the visibility timeout", () => {
  it("keeps extending the message's visibility, so no other worker gets it meanwhile", async () => {
    const aws = await startEmbeddedAws();
    try {
      const env = await createPhotoEnvironment(aws, { visibilityTimeoutSeconds: 2 });
      const port = await freePort();
      const apiUrl = `http://127.0.0.1:${port}`;
      const { log } = capturingLogger("worker-slow");
      // The API is away for ~5 s, so this photo is in the worker's hands for 2.5 visibility timeouts.
      const worker = await startWorker(
        loadWorkerSettings(
          env.workerEnv(apiUrl, {
            visibilityTimeoutSeconds: 2,
            reportBackoffMs: 200,
            reportBackoffMaxMs: 500,
            reportAttempts: 60,
          }),
        ),
        log,
        aws.clientConfig(),
      );
      try {
        await env.s3.send(
          new PutObjectCommand({ Bucket: env.bucket, Key: "uploads/slow", Body: await photo("food", "D001.jpeg") }),
        );
        const depths: { visible: number; inFlight: number }[] = [];
        const until = Date.now() + 5000;
        while (Date.now() < until) {
          depths.push(await queueDepth(env));
          await new Promise((r) => setTimeout(r, 250));
        }
        const api = await startApi(
          loadApiSettings(env.apiEnv({ port: port })),
          capturingLogger("api").log,
          aws.clientConfig(),
        );
        try {
          expect((await waitForVerdict(apiUrl, "slow")).status).to.equal("food");
        } finally {
          await api.stop();
        }
        // Never visible again while held; received once (the notification) plus S3's test event.
        expect(
          depths.slice(4).every((d) => d.visible === 0 && d.inFlight === 1),
          JSON.stringify(depths),
        ).to.equal(true);
        const received = await worker.metrics.messagesReceived.get();
        expect(received.values[0].value).to.equal(2);
      } finally {
        await worker.stop();
      }
    } finally {
      await aws.stop();
    }
  });
});

describe("photo worker whose inference thread died", () => {
  it("reports unhealthy and stops taking photos it cannot classify", async () => {
    const aws = await startEmbeddedAws();
    try {
      const env = await createPhotoEnvironment(aws);
      const api = await startApi(loadApiSettings(env.apiEnv()), capturingLogger("api").log, aws.clientConfig());
      const metricsPort = await freePort();
      const { log, lines } = capturingLogger("worker-dead-thread");
      const running = await startWorker(
        loadWorkerSettings(env.workerEnv(api.url, { metricsPort: metricsPort })),
        log,
        aws.clientConfig(),
      );
      try {
        const health = () =>
          fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          }));
        expect((await health()).status).to.equal(200);
        expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).to.equal(200);
        await running.classifier.close(); // what a crash of the native runtime looks like from here
        expect(await health()).to.deep.equal({ status: 503, body: "inference thread exited with code 1" });
        expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).to.equal(503);
        await env.s3.send(
          new PutObjectCommand({ Bucket: env.bucket, Key: "uploads/orphan", Body: await photo("food", "D001.jpeg") }),
        );
        await waitFor("the worker to stop receiving", async () =>
          lines.some((l) => l.msg === "classifier failed; no longer receiving"),
        );
        await new Promise((r) => setTimeout(r, 2000));
        // Left on the queue for a healthy worker, not bounced toward the DLQ by this one.
        expect(await queueDepth(env)).to.deep.equal({ visible: 1, inFlight: 0 });
      } finally {
        await running.stop();
        await api.stop();
      }
    } finally {
      await aws.stop();
    }
  });
});

// Keeps contentTypeOf honest for the local run's sample files.
describe("contentTypeOf", () => {
  it("maps photo file names to their upload content type", () => {
    expect(["a.jpg", "b.JPEG", "c.png", "d.webp"].map(contentTypeOf)).to.deep.equal([
      "image/jpeg",
      "image/jpeg",
      "image/png",
      "image/webp",
    ]);
    expect(() => contentTypeOf("e.gif")).to.throw("e.gif: not a JPEG, PNG or WebP file name");
  });
});
