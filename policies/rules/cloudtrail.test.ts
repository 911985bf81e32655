import { expect } from "chai";
import { fired, res, violations, type Case } from "../gate/testing";

const budget = res("aws:budgets/budget:Budget", "b", {
  budgetType: "COST",
  limitAmount: "10",
  limitUnit: "USD",
  timeUnit: "MONTHLY",
});

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

describe("policy cloudtrail-logging-complete", () => {
  const L = "cloudtrail-logging-complete";
  const trail = (inputs: Record<string, unknown>) => res("aws:cloudtrail/trail:Trail", "trail", { ...good, ...inputs });
  const mgmt = (extra: object[] = []) => ({
    name: "management",
    fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, ...extra],
  });
  const cases: Case[] = [
    ["a trail with AWS's default selectors", [trail({})], []],
    ["logging disabled", [trail({ enableLogging: false })], [L]],
    [
      "management events excluded",
      [trail({ eventSelectors: [{ includeManagementEvents: false, readWriteType: "All" }] })],
      [L],
    ],
    ["only read-only management events", [trail({ eventSelectors: [{ readWriteType: "ReadOnly" }] })], [L]],
    [
      "KMS events excluded",
      [trail({ eventSelectors: [{ excludeManagementEventSources: ["kms.amazonaws.com"] }] })],
      [L],
    ],
    [
      "basic selectors with management events",
      [trail({ eventSelectors: [{ includeManagementEvents: true, readWriteType: "All" }] })],
      [],
    ],
    [
      "advanced selectors for data events only",
      [
        trail({
          advancedEventSelectors: [
            {
              name: "s3",
              fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
              ],
            },
          ],
        }),
      ],
      [L],
    ],
    [
      "advanced selectors for read-only management events",
      [trail({ advancedEventSelectors: [mgmt([{ field: "readOnly", equals: ["true"] }])] })],
      [L],
    ],
    ["advanced selectors for every management event", [trail({ advancedEventSelectors: [mgmt()] })], []],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      // A trail makes an account stack: give it its budget so only trail policies can fire.
      expect(await fired([...resources, budget])).to.deep.equal(expected);
    });
  }
});
