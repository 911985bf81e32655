import { expect } from "chai";
import { readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { modelVersion, resolveModel } from "./model-source";

describe("model source on embedded AWS (versioned S3)", () => {
  let aws: EmbeddedAws;
  let s3: S3Client;
  before(async () => {
    aws = await startEmbeddedAws();
    s3 = new S3Client(aws.clientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: "models" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "models", VersioningConfiguration: { Status: "Enabled" } }));
  });
  after(async () => aws?.stop());

  it("downloads the pinned version, not the latest, and versions it by content", async () => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: "models", Key: "food/food-classifier.onnx", Body: "weights v1" }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "models", Key: "food/food-classifier.onnx", Body: "weights v2" }));
    const pinned = await resolveModel(`s3://models/food/food-classifier.onnx?versionId=${first.VersionId}`, s3);
    expect(await readFile(pinned.path, "utf8")).to.equal("weights v1");
    expect(pinned.version).to.equal(modelVersion("food-classifier.onnx", Buffer.from("weights v1")));
    const latest = await resolveModel("s3://models/food/food-classifier.onnx", s3);
    expect(await readFile(latest.path, "utf8")).to.equal("weights v2");
    for (const m of [pinned, latest]) await rm(path.dirname(m.path), { recursive: true, force: true });
  });

  it("names the URI when the object is missing", async () => {
    let message = "";
    await resolveModel("s3://models/food/missing.onnx", s3).catch((e: Error) => (message = e.message));
    expect(message).to.match(/^MODEL_URI s3:\/\/models\/food\/missing.onnx: cannot download: NoSuchKey/);
  });
});
