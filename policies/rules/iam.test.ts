import { expect } from "chai";
import { TAG } from "../../workloads/shared/conventions";
import { serviceTrustPolicy } from "../../infra/shared/service-trust";
import { ESCALATION_ACTIONS, expandPattern } from "./iam-semantics";
import { doc, fired, res, violations, type Case } from "../gate/testing";
import { iamRole as role, mfaTrust } from "./compliant.testing";

const ADMIN = "iam-no-effective-admin";
const KNOWN = "iam-actions-known";
const TRUST = "iam-trust-policy-conditions";
const CLAIMS = "policy-exemption-claims";

const allow = (Action: unknown, Resource: unknown = "*", extra: object = {}) =>
  doc({ Effect: "Allow", Action, Resource, ...extra });
const withInline = (policy: string) => role("worker", { inlinePolicies: [{ name: "p", policy }] });

const ADMIN_COMPONENT = { components: ["ml-platform:research:ResearchAdminRole"] };
const claim = { tags: { [TAG.policyExemption]: "research-admin" } };
/** The real research admin: in its component, claiming the entry, MFA-only trust, with * on *. */
const researchAdmin = (inputs: Record<string, unknown> = {}, opts: object = ADMIN_COMPONENT) =>
  role(
    "research-admin",
    { assumeRolePolicy: mfaTrust(), inlinePolicies: [{ name: "all", policy: allow("*") }], ...claim, ...inputs },
    opts,
  );

describe("policy iam-no-effective-admin (actions expanded against AWS's action list)", () => {
  const cases: Case[] = [
    ["Allow * on *", [withInline(allow("*"))], [ADMIN]],
    [
      "Allow NotAction (everything else, present and future)",
      [withInline(doc({ Effect: "Allow", NotAction: "s3:*", Resource: "*" }))],
      [ADMIN],
    ],
    ["iam:* on one role", [withInline(allow("iam:*", "arn:aws:iam::111111111111:role/x"))], [ADMIN]],
    ["a spelling that expands to PutRolePolicy (IAM:put*)", [withInline(allow("IAM:put*"))], [ADMIN]],
    ["iam:PassRole on *", [withInline(allow("iam:PassRole"))], [ADMIN]],
    [
      "iam:Pass* on every role of the account",
      [withInline(allow("iam:Pass*", "arn:aws:iam::111111111111:role/*"))],
      [ADMIN],
    ],
    [
      "AdministratorAccess in managedPolicyArns",
      [role("worker", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })],
      [ADMIN],
    ],
    [
      "AdministratorAccess attached to an ordinary role",
      [
        role("worker"),
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "worker-admin", {
          role: "worker",
          policyArn: "arn:aws:iam::aws:policy/IAMFullAccess",
        }),
      ],
      [ADMIN],
    ],
    [
      "a managed policy allowing CreatePolicyVersion",
      [res("aws:iam/policy:Policy", "p", { policy: allow("iam:CreatePolicyVersion") })],
      [ADMIN],
    ],
    [
      "a group policy allowing AddUserToGroup",
      [res("aws:iam/groupPolicy:GroupPolicy", "g", { group: "devs", policy: allow("iam:AddUserToGroup") })],
      [ADMIN],
    ],
    ["scoped read", [withInline(allow(["s3:GetObject"], "arn:aws:s3:::data/*"))], []],
    ["iam:PassRole on one named role", [withInline(allow("iam:PassRole", "arn:aws:iam::111111111111:role/app"))], []],
    [
      "role creation only with the permissions boundary pinned",
      [
        withInline(
          allow(["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"], "*", {
            Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/boundary" } },
          }),
        ),
      ],
      [],
    ],
    [
      "iam:* with every escalation action denied in the same document",
      [
        withInline(
          doc(
            { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::111111111111:role/app" },
            { Effect: "Deny", Action: [...ESCALATION_ACTIONS, "iam:PassRole"], Resource: "*" },
          ),
        ),
      ],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("names the escalation actions it found", async () => {
    const v = await violations([withInline(allow("iam:Put*"))], ADMIN);
    expect(v.map((x) => x.message)).to.deep.equal([
      "inline policy p: grants privilege-escalation action(s) iam:PutGroupPolicy, iam:PutRolePermissionsBoundary, iam:PutRolePolicy, iam:PutUserPermissionsBoundary, iam:PutUserPolicy",
    ]);
  });

  it("keeps a documented escalation list of real actions", async () => {
    for (const a of ESCALATION_ACTIONS) expect(await expandPattern(a), a).to.deep.equal([a]);
  });
});

describe("the research-admin exemption cannot be forged", () => {
  it("exempts the real one: inline * on *, and a role policy and attachment naming it or depending on it", async () => {
    const ra = researchAdmin();
    const byName = res(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "ra-admin",
      { role: "research-admin", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      ADMIN_COMPONENT,
    );
    const byDep = res(
      "aws:iam/rolePolicy:RolePolicy",
      "ra-extra",
      { role: "<computed>", policy: allow("*") },
      { dependencies: [ra.urn], ...ADMIN_COMPONENT },
    );
    expect(await fired([ra, byName, byDep])).to.deep.equal([]);
  });

  const forgeries: Case[] = [
    [
      "a role named research-admin in another stack's component, unclaimed",
      [researchAdmin({ tags: {} }, { components: ["ml-platform:classification:PhotoApi"] })],
      [ADMIN],
    ],
    ["a role named research-admin at the top level, unclaimed", [researchAdmin({ tags: {} }, {})], [ADMIN]],
    [
      "the claim tag on a role outside the component",
      [
        role("worker", {
          ...claim,
          assumeRolePolicy: mfaTrust(),
          inlinePolicies: [{ name: "all", policy: allow("*") }],
        }),
      ],
      [ADMIN, CLAIMS],
    ],
    [
      "the real component and tag, but a trust without MFA",
      [
        researchAdmin({
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { AWS: "111111111111" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": "x" } },
          }),
        }),
      ],
      [ADMIN, CLAIMS],
    ],
    [
      "the real component and tag, but a service may assume it",
      [
        researchAdmin({
          assumeRolePolicy: doc({
            Effect: "Allow",
            Principal: { Service: "ec2.amazonaws.com", AWS: "111111111111" },
            Action: "sts:AssumeRole",
            Condition: { Bool: { "aws:MultiFactorAuthPresent": true } },
          }),
        }),
      ],
      [ADMIN, CLAIMS],
    ],
    ["the real component, unclaimed", [researchAdmin({ tags: {} })], [ADMIN]],
    [
      "a role policy naming research-admin by string when that role is not in the stack",
      [res("aws:iam/rolePolicy:RolePolicy", "sneaky", { role: "research-admin", policy: allow("*") })],
      [ADMIN],
    ],
  ];
  for (const [what, resources, expected] of forgeries) {
    it(`does not exempt ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});

describe("policy iam-actions-known", () => {
  const cases: Case[] = [
    ["a misspelt action in a role policy", [withInline(allow("s3:GetObjekt", "arn:aws:s3:::d/*"))], [KNOWN]],
    ["an unknown service in a Deny", [withInline(doc({ Effect: "Deny", Action: "s4:*", Resource: "*" }))], [KNOWN]],
    ["a wildcard that matches nothing", [withInline(allow("s3:Get*Foo", "arn:aws:s3:::d/*"))], [KNOWN]],
    [
      "a misspelt action in a bucket policy",
      [
        res("aws:s3/bucketPolicy:BucketPolicy", "p", {
          bucket: "x",
          policy: doc({ Effect: "Deny", Principal: "*", Action: "s3:DeleteObjekt", Resource: "*" }),
        }),
      ],
      [KNOWN],
    ],
    [
      "a misspelt Lambda permission action",
      [
        res("aws:lambda/permission:Permission", "p", {
          action: "lambda:InvokeFuntion",
          function: "f",
          principal: "events.amazonaws.com",
        }),
      ],
      [KNOWN],
    ],
    [
      "real actions in any case and with wildcards",
      [withInline(allow(["S3:getobject", "s3:List*"], "arn:aws:s3:::d/*"))],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});

describe("policy iam-trust-policy-conditions (condition semantics)", () => {
  const trust = (statement: object) =>
    role("cross", { assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", ...statement }) });
  const other = { AWS: "arn:aws:iam::222222222222:root" };
  const oidc = { Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" };
  const web = (Condition?: object) =>
    role("ci", {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: oidc,
        Action: "sts:AssumeRoleWithWebIdentity",
        ...(Condition ? { Condition } : {}),
      }),
    });
  const gh = "token.actions.githubusercontent.com";
  const cases: Case[] = [
    ["another account without conditions", [trust({ Principal: other })], [TRUST]],
    [
      "MFA tested with Null true (means: no MFA)",
      [trust({ Principal: other, Condition: { Null: { "aws:MultiFactorAuthPresent": "true" } } })],
      [TRUST],
    ],
    [
      "MFA tested for false",
      [trust({ Principal: other, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })],
      [TRUST],
    ],
    [
      "an external id under a negated operator",
      [trust({ Principal: other, Condition: { StringNotEquals: { "sts:ExternalId": "x" } } })],
      [TRUST],
    ],
    ["Principal * without an org or source condition", [trust({ Principal: "*" })], [TRUST]],
    [
      "Principal {AWS: *} with an org condition of *",
      [trust({ Principal: { AWS: "*" }, Condition: { StringLike: { "aws:PrincipalOrgID": "*" } } })],
      [TRUST],
    ],
    ["OIDC without conditions", [web()], [TRUST]],
    ["OIDC with aud but no sub", [web({ StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" } })], [TRUST]],
    [
      "OIDC with sub * (restricts nothing)",
      [web({ StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${gh}:sub`]: "*" } })],
      [TRUST],
    ],
    [
      "MFA under Bool",
      [trust({ Principal: other, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })],
      [],
    ],
    [
      "MFA under BoolIfExists",
      [trust({ Principal: other, Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": true } } })],
      [],
    ],
    ["an external id", [trust({ Principal: other, Condition: { StringEquals: { "sts:ExternalId": "abc" } } })], []],
    [
      "Principal * with aws:PrincipalOrgID",
      [trust({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })],
      [],
    ],
    [
      "OIDC with sub and aud",
      [web({ StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${gh}:sub`]: "repo:acme/ml:*" } })],
      [],
    ],
    ["a service principal", [role("svc")], []],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("trusts the configured accounts without MFA", async () => {
    expect(
      await fired([trust({ Principal: other })], { [TRUST]: { trustedAccounts: ["222222222222"] } }),
    ).to.deep.equal([]);
  });

  it("notes a trust policy known only after deployment as advisory, and still checks the others", async () => {
    const v = await violations(
      [role("pending", { assumeRolePolicy: "<computed>" }), trust({ Principal: other })],
      TRUST,
    );
    expect(v.map((x) => [String(x.urn).split("::").pop(), x.enforcementLevel])).to.deep.equal([
      ["pending", "advisory"],
      ["cross", "mandatory"],
    ]);
  });
});

describe("policy iam-no-user-inline-policies", () => {
  it("flags a user inline policy and passes a user without one", async () => {
    const user = res("aws:iam/user:User", "alice", { name: "alice" });
    const inline = res("aws:iam/userPolicy:UserPolicy", "alice-inline", {
      user: "alice",
      policy: allow("s3:GetObject", "arn:aws:s3:::d/*"),
    });
    expect(await fired([user, inline])).to.deep.equal(["iam-no-user-inline-policies"]);
    expect(await fired([user])).to.deep.equal([]);
  });
});

describe("policy iam-service-trust-source-condition (the confused-deputy guard)", () => {
  const SOURCE = "iam-service-trust-source-condition";
  const service = (Service: unknown, Condition?: object, extra: object = {}) =>
    role("svc", {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service },
        Action: "sts:AssumeRole",
        ...(Condition ? { Condition } : {}),
        ...extra,
      }),
    });
  const account = { StringEquals: { "aws:SourceAccount": "111111111111" } };
  const cases: Case[] = [
    ["Lambda without a source condition", [service("lambda.amazonaws.com")], [SOURCE]],
    ["ECS tasks without a source condition", [service(["ecs-tasks.amazonaws.com"])], [SOURCE]],
    ["AWS Config without a source condition", [service("config.amazonaws.com")], [SOURCE]],
    ["the EKS control plane without a source condition", [service("eks.amazonaws.com")], [SOURCE]],
    [
      "EKS Pod Identity without a source condition",
      [service("pods.eks.amazonaws.com", undefined, { Action: ["sts:AssumeRole", "sts:TagSession"] })],
      [SOURCE],
    ],
    [
      "a conditioned-service beside EC2 in one unconditioned statement",
      [service(["ec2.amazonaws.com", "lambda.amazonaws.com"])],
      [SOURCE],
    ],
    [
      "aws:SourceAccount under an IfExists operator (absent key passes)",
      [service("lambda.amazonaws.com", { StringEqualsIfExists: { "aws:SourceAccount": "111111111111" } })],
      [SOURCE],
    ],
    [
      "aws:SourceArn of * (restricts nothing)",
      [service("ecs-tasks.amazonaws.com", { ArnLike: { "aws:SourceArn": "*" } })],
      [SOURCE],
    ],
    [
      "a condition on another key only",
      [service("lambda.amazonaws.com", { StringEquals: { "aws:RequestedRegion": "us-east-1" } })],
      [SOURCE],
    ],
    ["Lambda under aws:SourceAccount", [service("lambda.amazonaws.com", account)], []],
    [
      "ECS tasks under aws:SourceArn",
      [service("ecs-tasks.amazonaws.com", { ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:111111111111:*" } })],
      [],
    ],
    [
      "AWS Config under aws:SourceOrgID",
      [service("config.amazonaws.com", { StringEquals: { "aws:SourceOrgID": "o-abc123" } })],
      [],
    ],
    ["EC2 (reviewed: sends no source context)", [service("ec2.amazonaws.com")], []],
    ["an unconditioned Deny", [service("lambda.amazonaws.com", undefined, { Effect: "Deny" })], []],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("passes every trust the role block builds for the platform's services", async () => {
    const where = { partition: "aws", region: "us-east-1", account: "111111111111" };
    const built = [
      ["ec2.amazonaws.com"],
      ["ecs-tasks.amazonaws.com"],
      ["lambda.amazonaws.com"],
      ["config.amazonaws.com"],
      ["eks.amazonaws.com"],
      ["pods.eks.amazonaws.com"],
      ["ec2.amazonaws.com", "lambda.amazonaws.com"],
    ].map((services, i) =>
      role(`built-${i}`, {
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy(services, ["sts:AssumeRole", "sts:TagSession"], where)),
      }),
    );
    expect(await fired(built)).to.deep.equal([]);
  });

  it("names the unconditioned services and only them", async () => {
    const v = await violations([service(["ec2.amazonaws.com", "lambda.amazonaws.com"])], SOURCE);
    expect(v.map((x) => x.message)).to.have.length(1);
    expect(v[0].message).to.match(/service principal\(s\) lambda\.amazonaws\.com without/);
  });
});

describe("policy iam-no-user-long-lived-credentials", () => {
  const CREDS = "iam-no-user-long-lived-credentials";
  const user = res("aws:iam/user:User", "alice", { name: "alice" });
  const cases: Case[] = [
    ["an access key", [user, res("aws:iam/accessKey:AccessKey", "k", { user: "alice" })], [CREDS]],
    [
      "an inactive access key (still long-lived)",
      [user, res("aws:iam/accessKey:AccessKey", "k", { user: "alice", status: "Inactive" })],
      [CREDS],
    ],
    ["a console password", [user, res("aws:iam/userLoginProfile:UserLoginProfile", "lp", { user: "alice" })], [CREDS]],
    [
      "a service-specific credential",
      [
        user,
        res("aws:iam/serviceSpecificCredential:ServiceSpecificCredential", "cc", {
          userName: "alice",
          serviceName: "codecommit.amazonaws.com",
        }),
      ],
      [CREDS],
    ],
    [
      "a signing certificate",
      [user, res("aws:iam/signingCertificate:SigningCertificate", "cert", { userName: "alice", certificateBody: "x" })],
      [CREDS],
    ],
    [
      "an SSH public key",
      [user, res("aws:iam/sshKey:SshKey", "ssh", { username: "alice", encoding: "SSH", publicKey: "ssh-rsa AAAA" })],
      [CREDS],
    ],
    ["a user alone (no credential)", [user], []],
    [
      "a user in a group (no credential)",
      [user, res("aws:iam/userGroupMembership:UserGroupMembership", "m", { user: "alice", groups: ["readers"] })],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("names the user in the message", async () => {
    const v = await violations([res("aws:iam/accessKey:AccessKey", "k", { user: "alice" })], CREDS);
    expect(v.map((x) => x.message)).to.deep.equal(["access key for IAM user alice: a long-lived credential"]);
  });
});
