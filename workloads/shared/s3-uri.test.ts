import { expect } from "chai";
import { isS3Uri, parseS3Uri, s3ObjectArn, s3UriSchema } from "./s3-uri";

describe("s3:// handles", () => {
  it("reads bucket, key and the pinned version", () => {
    expect(parseS3Uri("s3://models/food/lite0.onnx?versionId=3HL4kqtJ", "MODEL_URI")).to.deep.equal({
      bucket: "models",
      key: "food/lite0.onnx",
      versionId: "3HL4kqtJ",
    });
    expect(parseS3Uri("s3://models/food/lite0.onnx", "MODEL_URI")).to.deep.equal({
      bucket: "models",
      key: "food/lite0.onnx",
    });
  });

  it("decodes percent-encoded keys", () => {
    expect(parseS3Uri("s3://assets-1/projections/a%20b.json", "PROJECTION_URI").key).to.equal("projections/a b.json");
  });

  it("refuses what is not one object handle, naming the input and the reason", () => {
    const refused: [string, RegExp][] = [
      ["https://example.com/x.onnx", /^MODEL_URI "https:\/\/example.com\/x.onnx": expected s3:\/\/bucket\/key/],
      ["s3://bucket-only", /\(no key\)/],
      ["s3://bucket-only/", /\(no key\)/],
      ["s3://Bad_Bucket/key", /bucket "bad_bucket"|is not an S3 bucket name/],
      ["s3://models/x.onnx?version=1", /unknown parameter version/],
      ["s3://models/x.onnx?versionId=", /empty versionId/],
      ["models/x.onnx", /expected s3:\/\/bucket\/key/],
    ];
    for (const [uri, message] of refused) expect(() => parseS3Uri(uri, "MODEL_URI"), uri).to.throw(message);
  });

  it("gives the object's ARN, whatever version is pinned", () => {
    expect(s3ObjectArn(parseS3Uri("s3://models/food/lite0.onnx?versionId=v1", "x"))).to.equal(
      "arn:aws:s3:::models/food/lite0.onnx",
    );
  });

  it("tells handles from paths", () => {
    expect(isS3Uri("s3://a/b")).to.equal(true);
    expect(isS3Uri("/models/x.onnx")).to.equal(false);
  });

  it("validates config fields with the parser's reason", () => {
    const schema = s3UriSchema("the ONNX model");
    expect(schema.parse("s3://models/x.onnx?versionId=v1")).to.equal("s3://models/x.onnx?versionId=v1");
    const result = schema.safeParse("s3://models");
    expect(result.success).to.equal(false);
    expect(result.error?.issues[0].message).to.match(/expected s3:\/\/bucket\/key.*\(no key\): the ONNX model/);
  });
});
