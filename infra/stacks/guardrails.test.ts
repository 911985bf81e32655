/**
 * The research guardrails, evaluated rather than pattern-matched: every tamper action is denied to
 * the research admin, to a role it creates (with the boundary), to the member root user and to
 * any principal trying to take over the organization access role, while ordinary research work
 * is allowed. A weakened SCP is shown to let tamper actions through, so the tests can fail.
 */
import { expect } from "chai";
import { planAll } from "../plan";
import {
  ALLOW_ALL,
  decide,
  guardrailsFromPlans,
  withoutStatement,
  type Guardrails,
  type Request,
} from "./guardrail-simulation";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../workloads/shared/conventions";

describe("research guardrails under IAM evaluation (offline plan)", function () {
  let g: Guardrails;
  let acct: string;
  before(async () => {
    const { plans, failures } = await planAll();
    expect(failures).to.deep.equal([]);
    g = guardrailsFromPlans(plans.get("management")!, plans.get("research")!);
    acct = g.researchAccountId;
  });

  const tagged = () => ({ [`aws:ResourceTag/${TAG.guardrail}`]: GUARDRAIL_VALUE });
  /** Tamper actions against what the plan deploys, each with the resource and context AWS would see. */
  const tamper = (): Array<Omit<Request, "principal" | "identityPolicies" | "scps" | "boundary">> => {
    const region = "us-east-1";
    const fn = `arn:aws:lambda:${region}:${acct}:function:${PLATFORM_NAMES.prefix}names-name-tag-dns`;
    const topic = `arn:aws:sns:${region}:${acct}:${PLATFORM_NAMES.prefix}budget-alerts`;
    const trail = `arn:aws:cloudtrail:${region}:${acct}:trail/${PLATFORM_NAMES.trail}`;
    const guardrailRole = `arn:aws:iam::${acct}:role/guardrails/audit-config-0a1b2c3`;
    const admin = `arn:aws:iam::${acct}:role/${PLATFORM_NAMES.researchAdminRole}`;
    const auditObject = `arn:aws:s3:::${g.auditBucketName}/cloudtrail/AWSLogs/${acct}/CloudTrail/x.json.gz`;
    const inProduction = { resourceAccount: g.productionAccountId };
    return [
      { action: "cloudtrail:StopLogging", resource: trail, context: tagged() },
      { action: "cloudtrail:DeleteTrail", resource: trail, context: tagged() },
      { action: "cloudtrail:CreateTrail", resource: `arn:aws:cloudtrail:${region}:${acct}:trail/extra` },
      { action: "config:StopConfigurationRecorder", resource: "*" },
      { action: "config:DeleteConfigurationRecorder", resource: "*" },
      { action: "config:PutRetentionConfiguration", resource: "*" },
      { action: "config:DeleteConfigRule", resource: `arn:aws:config:${region}:${acct}:config-rule/config-rule-abc` },
      {
        action: "config:PutConformancePack",
        resource: `arn:aws:config:${region}:${acct}:conformance-pack/p/conformance-pack-1`,
      },
      {
        action: "config:PutRemediationConfigurations",
        resource: `arn:aws:config:${region}:${acct}:remediation-configuration/r/1`,
      },
      { action: "s3:DeleteObject", resource: auditObject, resourcePolicy: g.auditBucketPolicy, ...inProduction },
      { action: "s3:PutObject", resource: auditObject, resourcePolicy: g.auditBucketPolicy, ...inProduction },
      {
        action: "s3:DeleteObject",
        resource: `arn:aws:s3:::${g.configBucketName}/config/AWSLogs/${acct}/Config/x.json.gz`,
        resourcePolicy: g.configBucketPolicy,
        ...inProduction,
      },
      { action: "kms:Decrypt", resource: g.auditKeyArn, resourcePolicy: g.auditKeyPolicy, ...inProduction },
      { action: "budgets:ModifyBudget", resource: `arn:aws:budgets::${acct}:budget/budget-0a1b2c3` },
      { action: "iam:UpdateAssumeRolePolicy", resource: admin, context: tagged() },
      { action: "iam:PutRolePolicy", resource: guardrailRole, context: tagged() },
      { action: "iam:AttachRolePolicy", resource: admin, context: tagged() },
      { action: "iam:DeleteRole", resource: guardrailRole, context: tagged() },
      { action: "iam:PassRole", resource: guardrailRole, context: tagged() },
      { action: "iam:UntagRole", resource: admin, context: { ...tagged(), "aws:TagKeys": [TAG.guardrail] } },
      { action: "iam:CreatePolicyVersion", resource: g.boundaryArn },
      { action: "lambda:UpdateFunctionCode", resource: fn, context: tagged() },
      { action: "lambda:UpdateFunctionConfiguration", resource: fn, context: tagged() },
      { action: "lambda:InvokeFunction", resource: fn, context: tagged() },
      { action: "lambda:UntagResource", resource: fn, context: { ...tagged(), "aws:TagKeys": [TAG.guardrail] } },
      { action: "sns:DeleteTopic", resource: topic, context: tagged() },
      { action: "sns:Unsubscribe", resource: "*" },
      { action: "sns:SetTopicAttributes", resource: topic, context: tagged() },
      {
        action: "events:DeleteRule",
        resource: `arn:aws:events:${region}:${acct}:rule/${PLATFORM_NAMES.prefix}names-name-tag-dns-state`,
        context: tagged(),
      },
      {
        action: "logs:DeleteLogGroup",
        resource: `arn:aws:logs:${region}:${acct}:log-group:${PLATFORM_NAMES.logGroupPrefix}${PLATFORM_NAMES.prefix}names-name-tag-dns`,
        context: tagged(),
      },
      { action: "organizations:LeaveOrganization", resource: "*" },
      { action: "iam:DeleteRolePermissionsBoundary", resource: `arn:aws:iam::${acct}:role/research/trainer` },
      { action: "iam:CreateRole", resource: `arn:aws:iam::${acct}:role/research/unbounded` },
      { action: "iam:CreateUser", resource: `arn:aws:iam::${acct}:user/backdoor` },
    ];
  };

  /** Ordinary research work: a GPU instance, an object in the team's own bucket. */
  const research = (): Array<Omit<Request, "principal" | "identityPolicies" | "scps" | "boundary">> => [
    {
      action: "ec2:RunInstances",
      resource: `arn:aws:ec2:us-east-1:${acct}:instance/*`,
      context: { "ec2:InstanceType": "p4d.24xlarge" },
    },
    { action: "s3:PutObject", resource: "arn:aws:s3:::research-alpha-datasets/runs/1/model.onnx" },
  ];

  async function decisions(
    who: Pick<Request, "principal" | "identityPolicies" | "boundary">,
    cases: Array<Omit<Request, "principal" | "identityPolicies" | "scps" | "boundary">>,
    scps = g.scps,
  ) {
    const out: Record<string, string> = {};
    for (const c of cases) out[`${c.action} ${c.resource}`] = await decide({ ...c, ...who, scps });
    return out;
  }
  const allDenied = (d: Record<string, string>) =>
    Object.entries(d)
      .filter(([, v]) => v === "Allowed")
      .map(([k]) => k);

  const admin = () => ({
    principal: `arn:aws:iam::${acct}:role/${PLATFORM_NAMES.researchAdminRole}`,
    identityPolicies: [g.adminPolicy],
  });
  // A role the admin creates: whatever it is given (here everything), the boundary caps it.
  const created = () => ({
    principal: `arn:aws:iam::${acct}:role/research/trainer`,
    identityPolicies: [ALLOW_ALL],
    boundary: g.boundary,
  });
  const root = () => ({ principal: `arn:aws:iam::${acct}:root`, identityPolicies: [ALLOW_ALL] });

  it("denies the research admin every tamper action", async () => {
    expect(allDenied(await decisions(admin(), tamper()))).to.deep.equal([]);
  });

  it("denies a role the admin creates (with the boundary) every tamper action", async () => {
    expect(allDenied(await decisions(created(), tamper()))).to.deep.equal([]);
  });

  it("denies the member account's root user everything, tamper actions and research work alike", async () => {
    expect(allDenied(await decisions(root(), [...tamper(), ...research()]))).to.deep.equal([]);
  });

  it("lets the admin and the roles it creates do research work", async () => {
    for (const who of [admin(), created()])
      expect(Object.values(await decisions(who, research()))).to.deep.equal(["Allowed", "Allowed"]);
  });

  it("lets the admin create research roles only with the platform's boundary", async () => {
    const create = (boundaryArn?: string) =>
      decide({
        ...admin(),
        scps: g.scps,
        action: "iam:CreateRole",
        resource: `arn:aws:iam::${acct}:role/research/trainer`,
        context: boundaryArn ? { "iam:PermissionsBoundary": boundaryArn } : {},
      });
    expect(await create(g.boundaryArn)).to.equal("Allowed");
    expect(await create()).to.not.equal("Allowed");
    expect(await create(`arn:aws:iam::${acct}:policy/research/my-own-boundary`)).to.not.equal("Allowed");
    expect(await create("arn:aws:iam::aws:policy/AdministratorAccess")).to.not.equal("Allowed");
  });

  describe("OrganizationAccountAccessRole (exempt from the SCP, so protected by it)", () => {
    const oaar = () => `arn:aws:iam::${acct}:role/OrganizationAccountAccessRole`;
    const takeover = () =>
      [
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DeleteRole",
        "iam:CreateRole",
        "iam:PassRole",
        "iam:TagRole",
      ].map((action) => ({ action, resource: oaar() }));

    it("cannot be changed, deleted or recreated by any member principal, itself included", async () => {
      const itself = { principal: oaar(), identityPolicies: [ALLOW_ALL] };
      // A member principal holding every IAM right, without a boundary (the SCP alone stands).
      const iamAdmin = { principal: `arn:aws:iam::${acct}:role/legacy-admin`, identityPolicies: [ALLOW_ALL] };
      for (const who of [admin(), created(), root(), itself, iamAdmin])
        expect(allDenied(await decisions(who, takeover())), who.principal).to.deep.equal([]);
    });

    it("after the attempted change still admits only the management account, and remains the deployer", async () => {
      // The trust AWS Organizations gives the role; the attempted changes above were denied.
      const trust = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${g.productionAccountId}:root` },
            Action: "sts:AssumeRole",
          },
        ],
      };
      const assume = (principal: string) =>
        decide({
          principal,
          identityPolicies: [ALLOW_ALL],
          resourcePolicy: trust,
          scps: g.scps,
          action: "sts:AssumeRole",
          resource: oaar(),
        });
      expect(await assume(`arn:aws:iam::${acct}:role/research/trainer`)).to.not.equal("Allowed");
      expect(await assume(`arn:aws:iam::${acct}:role/${PLATFORM_NAMES.researchAdminRole}`)).to.not.equal("Allowed");
      // The deploy role is exempt from the tamper denies (it deploys the trail), but not from the takeover denies.
      const deployer = { principal: oaar(), identityPolicies: [ALLOW_ALL] };
      expect(Object.values(await decisions(deployer, tamper().slice(0, 2)))).to.deep.equal(["Allowed", "Allowed"]);
    });

    it("exempts only the role of that exact name: a namesake on another path is denied", async () => {
      const namesake = {
        principal: `arn:aws:iam::${acct}:role/x/OrganizationAccountAccessRole`,
        identityPolicies: [ALLOW_ALL],
      };
      expect(allDenied(await decisions(namesake, tamper()))).to.deep.equal([]);
    });
  });

  describe("a weakened SCP is noticed", () => {
    // A member principal with every right and no boundary: only the SCP stands between it and the guardrails.
    const unbounded = () => ({ principal: `arn:aws:iam::${acct}:role/legacy-admin`, identityPolicies: [ALLOW_ALL] });

    it("the SCP alone denies an unbounded admin every tamper action outside the production account", async () => {
      const local = tamper().filter((c) => c.resourceAccount === undefined);
      expect(allDenied(await decisions(unbounded(), local))).to.deep.equal([]);
    });

    it("each SCP statement is load-bearing: without it some tamper action is allowed", async () => {
      const sids = g.scps.flatMap((d) => d.Statement.map((s) => s.Sid as string));
      const extra = {
        // Cases that only one statement covers, beyond the tamper list: a tagged resource without the
        // platform's name (the tag protects what the name prefix misses), a region the SCP does not allow,
        ProtectTaggedPlatformResources: {
          action: "lambda:UpdateFunctionCode",
          resource: `arn:aws:lambda:us-east-1:${acct}:function:renamed-platform-function`,
          context: tagged(),
        },
        // and an action on a platform-named resource for which the service sends no resource tag.
        ProtectNamedPlatformResources: {
          action: "sns:Subscribe",
          resource: `arn:aws:sns:us-east-1:${acct}:${PLATFORM_NAMES.prefix}budget-alerts`,
        },
        // a role on the guardrail path that carries no tag,
        ProtectGuardrailRoles: {
          action: "iam:PutRolePolicy",
          resource: `arn:aws:iam::${acct}:role/guardrails/untagged`,
        },
        AllowedRegionsOnly: {
          action: "ec2:RunInstances",
          resource: `arn:aws:ec2:eu-west-1:${acct}:instance/*`,
          context: { "aws:RequestedRegion": "eu-west-1" },
        },
      } as Record<string, Omit<Request, "principal" | "identityPolicies" | "scps" | "boundary">>;
      for (const sid of sids) {
        const who = sid === "DenyMemberRootUser" ? root() : sid === "ProtectDeployRole" ? unbounded() : unbounded();
        const cases =
          sid === "DenyMemberRootUser"
            ? research()
            : sid === "ProtectDeployRole"
              ? [
                  {
                    action: "iam:UpdateAssumeRolePolicy",
                    resource: `arn:aws:iam::${acct}:role/OrganizationAccountAccessRole`,
                  },
                ]
              : extra[sid]
                ? [extra[sid]]
                : tamper().filter((c) => c.resourceAccount === undefined);
        const weakened = await decisions(who, cases, withoutStatement(g.scps, sid));
        expect(allDenied(weakened), `without ${sid}`).to.not.deep.equal([]);
      }
    });

    it("an exemption pattern loosened to any path lets a namesake role through", async () => {
      const loosened = JSON.parse(
        JSON.stringify(g.scps).replaceAll("role/OrganizationAccountAccessRole", "role/*OrganizationAccountAccessRole"),
      );
      const namesake = {
        principal: `arn:aws:iam::${acct}:role/x/OrganizationAccountAccessRole`,
        identityPolicies: [ALLOW_ALL],
      };
      const d = await decisions(namesake, [{ action: "cloudtrail:StopLogging", resource: "*" }], loosened);
      expect(Object.values(d)).to.deep.equal(["Allowed"]);
    });
  });
});
