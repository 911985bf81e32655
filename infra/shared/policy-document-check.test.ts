import { expect } from "chai";
import { checkPolicyActions, checkPolicyDocument } from "./policy-document-check";

const identity = { principal: "forbidden", resource: "required" } as const;
const trust = { principal: "required", resource: "forbidden" } as const;

describe("policy document check", () => {
  it("accepts well-formed identity and trust policies", () => {
    expect(
      checkPolicyDocument(
        {
          Version: "2012-10-17",
          Statement: [
            { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject", "s3:List*"], Resource: ["arn:aws:s3:::b/*", "*"] },
          ],
        },
        identity,
      ),
    ).to.deep.equal([]);
    expect(
      checkPolicyDocument(
        {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::123456789012:root", Service: "ecs-tasks.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        },
        trust,
      ),
    ).to.deep.equal([]);
  });

  it("names each problem of a broken document", () => {
    const problems = checkPolicyDocument(
      {
        Version: "2008-10-17",
        Statement: [
          { Effect: "Permit", Action: "GetObject", Resource: "bucket/*" },
          {
            Effect: "Allow",
            Action: "s3:GetObject",
            NotAction: "s3:PutObject",
            Resource: "*",
            Principal: "*",
            Bogus: 1,
          },
        ],
      },
      identity,
    );
    expect(problems).to.include('Version is "2008-10-17", expected "2012-10-17"');
    expect(problems).to.include('Statement[0]: Effect "Permit" is not Allow or Deny');
    expect(problems).to.include('Statement[0]: action "GetObject" is not of the form service:Action');
    expect(problems).to.include('Statement[0]: resource "bucket/*" is not "*" or an ARN');
    expect(problems).to.include("Statement[1]: needs exactly one of Action / NotAction");
    expect(problems).to.include("Statement[1]: this kind of policy takes no Principal");
    expect(problems).to.include("Statement[1]: unknown key Bogus");
  });

  it("checks principals and the trust-policy shape", () => {
    const problems = checkPolicyDocument(
      {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: "bob", Service: "lambda" }, Action: "sts:AssumeRole", Resource: "*" },
        ],
      },
      trust,
    );
    expect(problems).to.include('Statement[0]: Principal AWS "bob" is not an account id or ARN');
    expect(problems).to.include('Statement[0]: Principal Service "lambda" is not a service principal');
    expect(problems).to.include("Statement[0]: a trust policy has no Resource");
  });

  it("rejects non-objects and empty statements", () => {
    expect(checkPolicyDocument("{}", identity)).to.deep.equal(["document is not a JSON object"]);
    expect(checkPolicyDocument({ Version: "2012-10-17", Statement: [] }, identity)).to.include("no Statement");
  });

  it("checks actions against AWS's action list: a misspelt action or service is an error", async () => {
    const doc = (actions: string[]) => ({
      Version: "2012-10-17",
      Statement: [{ Sid: "S", Effect: "Allow", Action: actions, Resource: "*" }],
    });
    expect(
      await checkPolicyActions(doc(["s3:GetObject", "config:Put*", "iam:Get*", "*", "kms:GenerateDataKey*"])),
    ).to.deep.equal([]);
    expect(await checkPolicyActions(doc(["s3:GetObjekt"]))).to.deep.equal([
      'Statement[0] (S): action "s3:GetObjekt" is not an action of s3',
    ]);
    expect(await checkPolicyActions(doc(["config:Strat*"]))).to.deep.equal([
      'Statement[0] (S): action "config:Strat*" is not an action of config',
    ]);
    expect(await checkPolicyActions(doc(["sagemkaer:*"]))).to.deep.equal([
      'Statement[0] (S): action "sagemkaer:*": no AWS service "sagemkaer"',
    ]);
  });
});
