import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { modelVersion, parseModelUri, resolveModel } from "./model-source";

describe("model source", () => {
  it("parses local paths and s3 URIs with a version", () => {
    expect(parseModelUri("s3://models/food/lite0.onnx?versionId=3HL4kqtJ")).to.deep.equal({
      kind: "s3",
      bucket: "models",
      key: "food/lite0.onnx",
      versionId: "3HL4kqtJ",
    });
    expect(parseModelUri("s3://models/food/lite0.onnx")).to.include({ versionId: undefined });
    expect(parseModelUri("models/x.onnx")).to.deep.equal({ kind: "file", path: path.resolve("models/x.onnx") });
    expect(() => parseModelUri("https://example.com/x.onnx")).to.throw(
      /MODEL_URI https:\/\/example.com\/x.onnx: only local paths and s3/,
    );
    expect(() => parseModelUri("s3://bucket-only")).to.throw(/expected s3:\/\/bucket\/key/);
  });

  it("versions a model by name and content", async () => {
    const a = modelVersion("/m/food.onnx", Buffer.from("weights-a"));
    expect(a).to.match(/^food@sha256:[0-9a-f]{12}$/);
    expect(modelVersion("/other/food.onnx", Buffer.from("weights-a"))).to.equal(a);
    expect(modelVersion("/m/food.onnx", Buffer.from("weights-b"))).to.not.equal(a);
  });

  it("resolves a local file, and names the URI when it cannot", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "model-source-"));
    await writeFile(path.join(dir, "m.onnx"), "bytes");
    const resolved = await resolveModel(path.join(dir, "m.onnx"), new S3Client({ region: "us-east-1" }));
    expect(resolved).to.deep.equal({
      path: path.join(dir, "m.onnx"),
      version: modelVersion("m.onnx", Buffer.from("bytes")),
    });
    let message = "";
    await resolveModel(path.join(dir, "missing.onnx"), new S3Client({ region: "us-east-1" })).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.match(/MODEL_URI .*missing.onnx: cannot read/);
    await rm(dir, { recursive: true, force: true });
  });
});
