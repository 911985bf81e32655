import { expect } from "chai";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startEmbeddedAws, type EmbeddedAws } from "./index";

describe("embedded AWS (moto server)", () => {
  let aws: EmbeddedAws;
  before(async () => {
    aws = await startEmbeddedAws();
  });
  after(async () => {
    await aws?.stop();
  });

  it("serves S3 with path-style addressing and round-trips an object", async () => {
    const s3 = new S3Client(aws.clientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: "roundtrip" }));
    await s3.send(new PutObjectCommand({ Bucket: "roundtrip", Key: "a b+c.txt", Body: "hello" }));
    const got = await s3.send(new GetObjectCommand({ Bucket: "roundtrip", Key: "a b+c.txt" }));
    expect(await got.Body?.transformToString()).to.equal("hello");
  });

  it("answers STS with a 12-digit account id", async () => {
    const sts = new STSClient(aws.clientConfig());
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).to.match(/^\d{12}$/);
  });

  it("stops cleanly: the endpoint no longer answers", async () => {
    const second = await startEmbeddedAws();
    await second.stop();
    let refused = false;
    try {
      await fetch(`${second.endpoint}/moto-api/data.json`);
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
  });
});
