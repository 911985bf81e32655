import { expect } from "chai";
import { res, violations } from "../gate/testing";
import type { PlanResource } from "../gate/plan-files";
import { bucketGuards, tlsOnlyPolicy } from "./compliant.testing";

/** A bucket named by its `bucket` input (the physical name companions refer to). */
const bucket = (name: string, inputs: Record<string, unknown> = {}, type = "aws:s3/bucketV2:BucketV2") =>
  res(type, name, { bucket: name, ...inputs });
const S3 = [
  "s3-public-access-block",
  "s3-server-side-encryption",
  "s3-tls-only",
  "s3-audit-versioning",
  "s3-audit-object-lock",
];
const s3Violations = async (resources: PlanResource[]) =>
  (await violations(resources)).filter((v) => S3.includes(v.policy));

describe("S3 bucket policies", () => {
  it("flag a bare bucket on public access block, encryption and TLS", async () => {
    const v = await s3Violations([bucket("data")]);
    expect(v.map((x) => x.policy)).to.deep.equal([
      "s3-public-access-block",
      "s3-server-side-encryption",
      "s3-tls-only",
    ]);
    expect(v.every((x) => x.urn === "urn:pulumi:test::ml-platform::aws:s3/bucketV2:BucketV2::data")).to.equal(true);
  });

  it("pass a bucket whose companions name it by its bucket name", async () => {
    expect(await s3Violations([bucket("data-logical", { bucket: "data" }), ...bucketGuards("data")])).to.deep.equal([]);
  });

  it("link an auto-named bucket's companions by the auto-name they name and their dependency on it", async () => {
    const auto = res("aws:s3/bucketV2:BucketV2", "models");
    const linked = bucketGuards("models-1a2b3c4").map((c) => ({ ...c, dependencies: [auto.urn] }));
    expect(await s3Violations([auto, ...linked])).to.deep.equal([]);
    const unknownRef = bucketGuards("<computed>").map((c) => ({ ...c, dependencies: [auto.urn] }));
    expect(await s3Violations([auto, ...unknownRef])).to.deep.equal([]);
  });

  it("do not link by a guessed logical name, nor by a dependency when the companion names another bucket", async () => {
    const auto = res("aws:s3/bucketV2:BucketV2", "models");
    expect((await s3Violations([auto, ...bucketGuards("models")])).map((v) => v.policy)).to.have.length(3);
    const elsewhere = bucketGuards("someone-elses-bucket").map((c) => ({ ...c, dependencies: [auto.urn] }));
    expect((await s3Violations([auto, ...elsewhere])).map((v) => v.policy)).to.deep.equal([
      "s3-public-access-block",
      "s3-server-side-encryption",
      "s3-tls-only",
    ]);
  });

  it("link companions that name the bucket by its ARN", async () => {
    expect(await s3Violations([bucket("data"), ...bucketGuards("arn:aws:s3:::data")])).to.deep.equal([]);
  });

  it("do not credit another bucket's companions", async () => {
    const v = await s3Violations([bucket("data"), bucket("other"), ...bucketGuards("other")]);
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["data", "data", "data"]);
  });

  it("reject a partial public access block and a policy without the TLS deny", async () => {
    const [pab, sse] = bucketGuards("data");
    const weak = { ...pab, inputs: { ...pab.inputs, restrictPublicBuckets: false } };
    const allowOnly = res("aws:s3/bucketPolicy:BucketPolicy", "p", {
      bucket: "data",
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }],
      }),
    });
    const v = await s3Violations([bucket("data"), weak, sse, allowOnly]);
    expect(v.map((x) => x.policy)).to.deep.equal(["s3-public-access-block", "s3-tls-only"]);
  });

  it("accept inline encryption and policy on the v7 Bucket, and an account-wide public access block", async () => {
    const inline = bucket(
      "logs",
      {
        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
        policy: tlsOnlyPolicy("logs"),
      },
      "aws:s3/bucket:Bucket",
    );
    const account = res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(await s3Violations([inline, account])).to.deep.equal([]);
  });

  describe("audit buckets (tag ml-platform:purpose = audit)", () => {
    const audit = (inputs: Record<string, unknown> = {}) =>
      bucket("audit", { bucket: "audit", tags: { "ml-platform:purpose": "audit" }, ...inputs });

    it("need versioning and object lock with a default retention", async () => {
      const v = await s3Violations([audit(), ...bucketGuards("audit")]);
      expect(v.map((x) => `${x.policy}: ${x.message}`)).to.deep.equal([
        "s3-audit-versioning: audit bucket has no versioning configuration with status Enabled",
        "s3-audit-object-lock: audit bucket must be created with objectLockEnabled: true",
        "s3-audit-object-lock: audit bucket has no object lock configuration with a default retention",
      ]);
    });

    it("pass with versioning, object lock and retention", async () => {
      const v = await s3Violations([
        audit({ objectLockEnabled: true }),
        ...bucketGuards("audit"),
        res("aws:s3/bucketVersioning:BucketVersioning", "audit-versioning", {
          bucket: "audit",
          versioningConfiguration: { status: "Enabled" },
        }),
        res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-lock", {
          bucket: "audit",
          rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } },
        }),
      ]);
      expect(v).to.deep.equal([]);
    });
  });
});

describe("S3 bucket policies with values known only after deployment", () => {
  it("note the unknown bucket as advisory and still check the other buckets", async () => {
    const v = await s3Violations([
      bucket("pending", { policy: "<computed>" }),
      ...bucketGuards("pending"),
      bucket("bare"),
    ]);
    expect(v.map((x) => [x.policy, String(x.urn).split("::").pop(), x.enforcementLevel])).to.deep.equal([
      ["s3-public-access-block", "bare", "mandatory"],
      ["s3-server-side-encryption", "bare", "mandatory"],
      ["s3-tls-only", "pending", "advisory"],
      ["s3-tls-only", "bare", "mandatory"],
    ]);
  });
});
