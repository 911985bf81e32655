import { expect } from "chai";
import { res, violations } from "../gate/testing";
import { isTaggable } from "./tags";

const P = "required-tags";
const tags = { Owner: "ml-team", Project: "ml-platform" };

describe("policy required-tags", () => {
  it("reports missing keys as advisory on taggable AWS resources", async () => {
    const v = await violations([res("aws:s3/bucketV2:BucketV2", "data", { tags: { Owner: "ml-team" } })], P);
    expect(v).to.have.length(1);
    expect(v[0].enforcementLevel).to.equal("advisory");
    expect(v[0].message).to.equal("missing tag(s) Project");
  });

  it("passes tagged resources and ignores untaggable ones", async () => {
    const v = await violations(
      [
        res("aws:s3/bucketV2:BucketV2", "data", { tags }),
        res("aws:s3/bucketPolicy:BucketPolicy", "data-policy", { bucket: "data", policy: "{}" }),
        res("ml-platform:research:AuditBucket", "audit", {}),
      ],
      P,
    );
    expect(v).to.deep.equal([]);
  });

  it("counts defaultTags only when every AWS provider of the stack sets them", async () => {
    const provider = (name: string, t: Record<string, string>) =>
      res("pulumi:providers:aws", name, { region: "eu-west-1", defaultTags: { tags: t } });
    const bucket = res("aws:s3/bucketV2:BucketV2", "data", {});
    expect(await violations([provider("main", tags), bucket], P)).to.deep.equal([]);
    const v = await violations([provider("main", tags), provider("other", { Owner: "x" }), bucket], P);
    expect(v.map((x) => x.message)).to.deep.equal(["missing tag(s) Project"]);
    const engineForm = res("pulumi:providers:aws", "main", { defaultTags: JSON.stringify({ tags }) });
    expect(await violations([engineForm, bucket], P)).to.deep.equal([]);
  });

  it("takes its keys from config", async () => {
    const v = await violations([res("aws:sqs/queue:Queue", "q", { tags })], P, {
      [P]: { requiredTags: ["CostCenter"] },
    });
    expect(v.map((x) => x.message)).to.deep.equal(["missing tag(s) CostCenter"]);
  });

  it("decides taggability from the @pulumi/aws class", () => {
    expect(isTaggable("aws:sqs/queue:Queue", {})).to.equal(true);
    expect(isTaggable("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {})).to.equal(false);
    expect(isTaggable("eks:index:Cluster", { tags: {} })).to.equal(false);
  });
});
