import { expect } from "chai";
import { TAG } from "../../workloads/shared/conventions";
import { doc, fired, OWN_ACCOUNT, res, type Case } from "../gate/testing";
import { tlsOnlyPolicy } from "./compliant.testing";

const P = "resource-policy-no-public-principal";
const FOREIGN = "arn:aws:iam::999999999999:root";
const grant = (Principal: unknown, Condition?: object) =>
  doc({
    Sid: "Grant",
    Effect: "Allow",
    Principal,
    Action: "sqs:SendMessage",
    Resource: "*",
    ...(Condition ? { Condition } : {}),
  });
const org = { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } };
const source = { ArnLike: { "aws:SourceArn": "arn:aws:s3:::uploads" } };

/** Each resource type that carries a resource policy, with `policy` as its document. */
const holders: [string, (policy: string) => ReturnType<typeof res>][] = [
  ["KMS key", (policy) => res("aws:kms/key:Key", "k", { policy })],
  [
    "SNS topic policy",
    (policy) => res("aws:sns/topicPolicy:TopicPolicy", "t", { arn: "arn:aws:sns:us-east-1:111111111111:t", policy }),
  ],
  [
    "SQS queue policy",
    (policy) => res("aws:sqs/queuePolicy:QueuePolicy", "q", { queueUrl: "https://sqs/111111111111/q", policy }),
  ],
  [
    "Secrets Manager secret policy",
    (policy) => res("aws:secretsmanager/secretPolicy:SecretPolicy", "s", { secretArn: "arn:s", policy }),
  ],
  [
    "ECR repository policy",
    (policy) => res("aws:ecr/repositoryPolicy:RepositoryPolicy", "r", { repository: "r", policy }),
  ],
];

/** The photo API's load-balancer log bucket and its policy, granting `principal` s3:PutObject. */
const elbLogBucket = (
  principal: string,
  claim: string | undefined,
  components = ["ml-platform:classification:PhotoApi"],
) => [
  res(
    "aws:s3/bucket:Bucket",
    "photo-api-lb-logs",
    { bucket: "photo-api-lb-logs-1a2b", tags: claim ? { [TAG.policyExemption]: claim } : {} },
    { components },
  ),
  res(
    "aws:s3/bucketPolicy:BucketPolicy",
    "photo-api-lb-logs-policy",
    {
      bucket: "photo-api-lb-logs-1a2b",
      policy: doc({
        Sid: "LoadBalancerAccessLogs",
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::photo-api-lb-logs-1a2b/load-balancers/*",
      }),
    },
    { components },
  ),
];
const ELB_US_EAST_1 = "arn:aws:iam::127311923021:root";
const CLAIMS = "policy-exemption-claims";

describe("the elb-access-log-delivery exemption", () => {
  const cases: Case[] = [
    [
      "ELB's regional account on the photo API's log bucket, claimed",
      elbLogBucket(ELB_US_EAST_1, "elb-access-log-delivery"),
      [],
    ],
    ["the same grant without the claim", elbLogBucket(ELB_US_EAST_1, undefined), [P]],
    ["the claim granting another account", elbLogBucket(FOREIGN, "elb-access-log-delivery"), [CLAIMS, P].sort()],
    [
      "the claim outside the photo API",
      elbLogBucket(ELB_US_EAST_1, "elb-access-log-delivery", ["ml-platform:search:Front"]),
      [CLAIMS, P].sort(),
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      // The fixture bucket leaves out its encryption and access block: only these two policies matter here.
      expect((await fired(resources)).filter((p) => p === P || p === CLAIMS)).to.deep.equal(expected);
    });
  }
});

describe("policy resource-policy-no-public-principal", () => {
  const cases: Case[] = holders.flatMap(([what, make]): Case[] => [
    [`${what}: Principal *`, [make(grant("*"))], [P]],
    [`${what}: a foreign account`, [make(grant({ AWS: FOREIGN }))], [P]],
    [`${what}: Principal * under an org condition`, [make(grant("*", org))], []],
    [`${what}: a foreign account under a source condition`, [make(grant({ AWS: FOREIGN }, source))], []],
    [`${what}: the stack's own account`, [make(grant({ AWS: `arn:aws:iam::${OWN_ACCOUNT}:role/app` }))], []],
    [`${what}: a service principal`, [make(grant({ Service: "s3.amazonaws.com" }))], []],
  ]);
  cases.push(
    [
      "S3 bucket policy: {AWS: *} read of the bucket",
      [
        res("aws:s3/bucketPolicy:BucketPolicy", "b", {
          bucket: "b",
          policy: doc({
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
          }),
        }),
      ],
      [P],
    ],
    [
      "S3 bucket policy: NotPrincipal with Allow",
      [
        res("aws:s3/bucketPolicy:BucketPolicy", "b", {
          bucket: "b",
          policy: doc({
            Effect: "Allow",
            NotPrincipal: { AWS: FOREIGN },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
          }),
        }),
      ],
      [P],
    ],
    [
      "a Deny to everyone (what TLS-only policies do)",
      [res("aws:s3/bucketPolicy:BucketPolicy", "b", { bucket: "b", policy: tlsOnlyPolicy("b") })],
      [],
    ],
    [
      "Lambda permission for *",
      [
        res("aws:lambda/permission:Permission", "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "*",
        }),
      ],
      [P],
    ],
    [
      "Lambda permission for a foreign account",
      [
        res("aws:lambda/permission:Permission", "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "999999999999",
        }),
      ],
      [P],
    ],
    [
      "Lambda permission for * in the organization",
      [
        res("aws:lambda/permission:Permission", "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "*",
          principalOrgId: "o-abc123",
        }),
      ],
      [],
    ],
    [
      "Lambda permission for a service from one rule",
      [
        res("aws:lambda/permission:Permission", "p", {
          action: "lambda:InvokeFunction",
          function: "f",
          principal: "events.amazonaws.com",
          sourceArn: "arn:aws:events:us-east-1:111111111111:rule/r",
        }),
      ],
      [],
    ],
  );
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("takes more own accounts from config", async () => {
    const q = holders[2][1](grant({ AWS: FOREIGN }));
    expect(await fired([q], { [P]: { trustedAccounts: ["999999999999"] } })).to.deep.equal([]);
  });
});
