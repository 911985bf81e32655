import { expect } from "chai";
import { res, violations } from "../gate/testing";

const P = "cloudtrail-hardened";
const good = {
  isMultiRegionTrail: true,
  enableLogFileValidation: true,
  kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:key/abc",
  s3BucketName: "audit",
};

describe("policy cloudtrail-hardened", () => {
  it("passes a multi-region, validated, KMS-encrypted trail", async () => {
    expect(await violations([res("aws:cloudtrail/trail:Trail", "trail", good)], P)).to.deep.equal([]);
  });

  it("names each missing setting", async () => {
    const v = await violations([res("aws:cloudtrail/trail:Trail", "trail", { s3BucketName: "audit" })], P);
    expect(v.map((x) => x.message)).to.deep.equal([
      "isMultiRegionTrail must be true",
      "enableLogFileValidation must be true",
      "kmsKeyId must name a KMS key",
    ]);
  });

  it("treats a KMS key only known after deployment as unknown (advisory note), as a preview does", async () => {
    const v = await violations([res("aws:cloudtrail/trail:Trail", "trail", { ...good, kmsKeyId: "<computed>" })], P);
    expect(v).to.have.length(1);
    expect(v[0].enforcementLevel).to.equal("advisory");
    expect(v[0].message).to.match(/can't run policy during preview.*kmsKeyId/);
  });
});
