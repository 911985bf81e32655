import { expect } from "chai";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { createLogger } from "../../shared/log";
import { createPhotoEnvironment, type PhotoEnvironment } from "../local/environment";
import { uploadPhoto } from "../local/phone";
import { loadApiSettings } from "./config";
import { startApi, type RunningApi } from "./main";

const quiet = () => createLogger("photo-api-test", { write: () => undefined });

describe("photo API on embedded AWS (S3 pre-signed URLs, DynamoDB)", () => {
  let aws: EmbeddedAws;
  let env: PhotoEnvironment;
  let api: RunningApi;

  before(async () => {
    aws = await startEmbeddedAws();
    env = await createPhotoEnvironment(aws);
    api = await startApi(
      loadApiSettings(env.apiEnv({ maxUploadBytes: 2048, uploadUrlExpirySeconds: 120 })),
      quiet(),
      aws.clientConfig(),
    );
  });
  after(async () => {
    await api?.stop();
    await aws?.stop();
  });

  const post = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${api.url}/photos`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const report = (id: string, body: unknown, token = env.token) =>
    fetch(`${api.url}/internal/photos/${encodeURIComponent(id)}/result`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  const verdict = (over: Record<string, unknown> = {}) => ({
    status: "food",
    score: 0.91,
    modelVersion: "food-classifier@sha256:0123456789ab",
    objectKey: "uploads/x",
    uploadedAt: "2026-11-23T09:00:00.000Z",
    classifiedAt: "2026-11-23T09:00:01.000Z",
    ...over,
  });

  it("issues a short-lived PUT URL that signs the declared type and size, and a pending record", async () => {
    const res = await post({ contentType: "image/png", contentLength: 1500 });
    expect(res.status).to.equal(201);
    const body = (await res.json()) as {
      photoId: string;
      upload: { url: string; method: string; headers: Record<string, string>; expiresAt: string };
    };
    const url = new URL(body.upload.url);
    expect(url.pathname).to.equal(`/${env.bucket}/uploads/${body.photoId}`);
    expect(url.searchParams.get("X-Amz-Expires")).to.equal("120");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).to.include.members([
      "content-length",
      "content-type",
      "host",
    ]);
    expect(body.upload).to.deep.include({
      method: "PUT",
      headers: { "Content-Type": "image/png", "Content-Length": "1500" },
    });
    const status = await (await fetch(`${api.url}/photos/${body.photoId}`)).json();
    expect(status).to.include({ photoId: body.photoId, status: "pending" });
  });

  it("lets the phone upload through the URL", async () => {
    const bytes = Buffer.alloc(700, 7);
    const { photoId } = await uploadPhoto(api.url, bytes, "image/webp");
    const object = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: `uploads/${photoId}` }));
    expect(object.ContentType).to.equal("image/webp");
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).to.equal(true);
  });

  it("refuses bad upload requests and names the field", async () => {
    const gif = await post({ contentType: "image/gif", contentLength: 10 });
    expect(gif.status).to.equal(400);
    expect(((await gif.json()) as { error: string }).error).to.match(/^contentType: .*image\/jpeg/);
    const big = await post({ contentType: "image/jpeg", contentLength: 4096 });
    expect(((await big.json()) as { error: string }).error).to.equal("contentLength: at most 2048 bytes");
    expect((await post({ contentType: "image/jpeg" })).status).to.equal(400);
    const notJson = await post("{oops");
    expect(notJson.status).to.equal(400);
    expect(((await notJson.json()) as { error: string }).error).to.match(/^body is not JSON/);
    expect((await post({}, { "content-type": "text/plain" })).status).to.equal(415);
    expect((await post("x".repeat(20_000))).status).to.equal(413);
  });

  it("answers 404 for an unknown photo and for unknown routes", async () => {
    expect((await fetch(`${api.url}/photos/no-such-photo`)).status).to.equal(404);
    expect((await fetch(`${api.url}/admin`)).status).to.equal(404);
  });

  it("takes results only with the worker token", async () => {
    expect((await report("p-auth", verdict(), "not-the-token")).status).to.equal(401);
    const anonymous = await fetch(`${api.url}/internal/photos/p-auth/result`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(verdict()),
    });
    expect(anonymous.status).to.equal(401);
    expect((await fetch(`${api.url}/photos/p-auth`)).status).to.equal(404);
  });

  it("stores a result once: a repeated report leaves the first result in place", async () => {
    const { photoId } = (await (await post({ contentType: "image/jpeg", contentLength: 100 })).json()) as {
      photoId: string;
    };
    const first = await report(photoId, verdict({ objectKey: `uploads/${photoId}` }));
    expect(first.status).to.equal(201);
    const stored = (await first.json()) as { stored: boolean; photo: Record<string, unknown> };
    expect(stored.stored).to.equal(true);
    const again = await report(photoId, verdict({ status: "not-food", score: 0.1, objectKey: `uploads/${photoId}` }));
    expect(again.status).to.equal(200);
    expect(((await again.json()) as { stored: boolean }).stored).to.equal(false);
    const status = (await (await fetch(`${api.url}/photos/${photoId}`)).json()) as Record<string, unknown>;
    expect(status).to.include({
      status: "food",
      score: 0.91,
      modelVersion: "food-classifier@sha256:0123456789ab",
      storedAt: stored.photo.storedAt,
    });
    expect(status.createdAt).to.be.a("string");
  });

  it("validates reports and names the bad field", async () => {
    const bad = await report("p-bad", verdict({ score: 1.5 }));
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: string }).error).to.match(/^score: /);
    const reason = await report("p-bad", verdict({ status: "failed", reason: "gremlins" }));
    expect(((await reason.json()) as { error: string }).error).to.match(/^reason: /);
  });

  it("keeps ids with spaces and plus signs intact through the path", async () => {
    const id = "my lunch+1 (2).jpg";
    expect(
      (await report(id, verdict({ status: "failed", reason: "corrupt", objectKey: `uploads/${id}` }))).status,
    ).to.equal(201);
    const status = (await (await fetch(`${api.url}/photos/${encodeURIComponent(id)}`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).to.include({ photoId: id, status: "failed", reason: "corrupt" });
  });

  it("exports request, latency and error metrics by route template on the ops port, not the API port", async () => {
    await fetch(`${api.url}/photos/metrics-probe`); // 404: a served route, an unknown photo
    await fetch(`${api.url}/nowhere/at/all`);
    const text = await (await fetch(`http://127.0.0.1:${api.ops.port}/metrics`)).text();
    expect(text).to.match(/photo_api_http_requests_total\{method="GET",route="\/photos\/:id",status="404"\} [1-9]/);
    expect(text).to.match(/photo_api_http_requests_total\{method="GET",route="other",status="404"\} [1-9]/);
    expect(text).to.match(/photo_api_http_request_duration_seconds_count\{method="GET",route="\/photos\/:id"\} [1-9]/);
    expect(text).to.contain("photo_api_http_request_errors_total");
    expect(text).to.contain("process_cpu_user_seconds_total");
    expect(text).not.to.contain("metrics-probe");
    expect((await fetch(`${api.url}/metrics`)).status).to.equal(404);
  });

  it("turns /healthz and /readyz 503 once draining, before it stops", async () => {
    const draining = await startApi(loadApiSettings(env.apiEnv()), quiet(), aws.clientConfig());
    try {
      expect((await fetch(`${draining.url}/healthz`)).status).to.equal(200);
      expect((await fetch(`http://127.0.0.1:${draining.ops.port}/readyz`)).status).to.equal(200);
      draining.ops.drain();
      expect((await fetch(`${draining.url}/healthz`)).status).to.equal(503);
      expect((await fetch(`http://127.0.0.1:${draining.ops.port}/readyz`)).status).to.equal(503);
      // Requests already routed here are still answered while draining.
      expect((await fetch(`${draining.url}/photos/still-served`)).status).to.equal(404);
    } finally {
      await draining.stop();
    }
  });
});
