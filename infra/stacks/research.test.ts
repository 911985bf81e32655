import { expect } from "chai";
import { planAll, planStack, PlanError } from "../plan";
import { byUrn, jsonInput, one, ofType } from "../plan/query";
import type { StackPlan } from "../plan/types";
import { AUDIT_TAMPER_ACTIONS } from "../shared/guardrails";

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** True when some statement of the given effect covers the action (wildcards as IAM reads them) on the resource. */
function covers(statements: Statement[], effect: string, action: string, resource = "*"): boolean {
  const match = (pattern: string, value: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(value);
  return statements.some(
    (s) =>
      s.Effect === effect &&
      list(s.Action).some((a) => match(a, action)) &&
      list(s.Resource).some((r) => match(r, resource) || r === "*"),
  );
}

describe("research stack (offline graph)", () => {
  let plan: StackPlan;
  let management: StackPlan;
  before(async () => {
    const { plans, failures } = await planAll();
    expect(failures).to.deep.equal([]);
    plan = plans.get("research") as StackPlan;
    management = plans.get("management") as StackPlan;
  });

  const auditBucketArn = () => management.outputs.auditBucketArn as string;

  it("runs in the research account through the organization access role", () => {
    const provider = one(plan, "pulumi:providers:aws", "research");
    const researchId = (management.outputs.researchAccountIds as Record<string, string>).alpha;
    expect(provider.inputs.assumeRoles).to.deep.equal([
      { roleArn: `arn:aws:iam::${researchId}:role/OrganizationAccountAccessRole`, sessionName: "pulumi-research" },
    ]);
    expect(provider.inputs.allowedAccountIds).to.deep.equal([researchId]);
    expect(one(plan, "aws:cloudtrail/trail:Trail").provider).to.equal(provider.urn);
  });

  it("has a multi-region trail with log validation, KMS, into the production audit bucket", () => {
    const trail = one(plan, "aws:cloudtrail/trail:Trail").inputs;
    expect(trail.isMultiRegionTrail).to.equal(true);
    expect(trail.enableLogFileValidation).to.equal(true);
    expect(trail.kmsKeyId).to.equal(management.outputs.auditKeyArn);
    expect(trail.s3BucketName).to.equal(management.outputs.auditBucketName);
    expect(trail.s3KeyPrefix).to.equal(management.outputs.trailPrefix);
  });

  it("records all supported resources with Config in every region the SCP allows, global ones and the role once", () => {
    const recorders = ofType(plan, "aws:cfg/recorder:Recorder");
    expect(recorders.map((r) => r.inputs.region)).to.have.members(["us-east-1", "us-west-2"]);
    for (const r of recorders)
      expect(r.inputs.recordingGroup).to.deep.equal({
        allSupported: true,
        includeGlobalResourceTypes: r.inputs.region === "us-east-1",
      });
    const channels = ofType(plan, "aws:cfg/deliveryChannel:DeliveryChannel");
    expect(channels.map((c) => c.inputs.region)).to.have.members(["us-east-1", "us-west-2"]);
    for (const channel of channels) {
      expect(channel.inputs.s3BucketName).to.equal(management.outputs.configBucketName);
      expect(channel.inputs.s3KmsKeyArn).to.equal(management.outputs.auditKeyArn);
    }
    for (const s of ofType(plan, "aws:cfg/recorderStatus:RecorderStatus")) expect(s.inputs.isEnabled).to.equal(true);
    expect(ofType(plan, "aws:iam/role:Role").filter((r) => r.name === "audit-config")).to.have.length(1);
    // Every rule is evaluated in both regions.
    const rules = ofType(plan, "aws:cfg/rule:Rule");
    const names = (region: string) => rules.filter((r) => r.inputs.region === region).map((r) => r.inputs.name);
    expect(names("us-west-2")).to.have.members(names("us-east-1") as string[]);
    expect(one(plan, "aws:cloudtrail/trail:Trail").inputs.name).to.equal("ml-platform-audit");
  });

  it("tags everything the platform deploys in the account for the SCP, and names it with the platform's prefix", () => {
    const protectedTypes = [
      "aws:cloudtrail/trail:Trail",
      "aws:cfg/rule:Rule",
      "aws:sns/topic:Topic",
      "aws:budgets/budget:Budget",
      "aws:lambda/function:Function",
      "aws:cloudwatch/eventRule:EventRule",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/role:Role",
      "aws:iam/policy:Policy",
    ];
    for (const type of protectedTypes)
      for (const r of ofType(plan, type).filter(
        (x) => x.provider === one(plan, "pulumi:providers:aws", "research").urn,
      ))
        expect((r.inputs.tags as Record<string, string>)?.["ml-platform:guardrail"], r.name).to.equal("protected");
    expect(one(plan, "aws:sns/topic:Topic").inputs.name).to.match(/^ml-platform-/);
    expect(one(plan, "aws:lambda/function:Function").inputs.name).to.match(/^ml-platform-/);
    expect(one(plan, "aws:cloudwatch/logGroup:LogGroup").inputs.name).to.match(/^\/ml-platform\//);
    for (const r of ofType(plan, "aws:cloudwatch/eventRule:EventRule")) expect(r.inputs.name).to.match(/^ml-platform-/);
  });

  it("creates the permissions boundary under the guardrail path, denying what the SCP denies", () => {
    const boundary = one(plan, "aws:iam/policy:Policy");
    expect(boundary.inputs).to.include({ name: "ml-platform-research-boundary", path: "/guardrails/" });
    const doc = jsonInput<{ Statement: Statement[] }>(boundary, "policy").Statement;
    for (const action of AUDIT_TAMPER_ACTIONS) expect(covers(doc, "Deny", action), action).to.equal(true);
    expect(covers(doc, "Allow", "iam:CreateRole")).to.equal(false);
  });

  describe("research admin role (the deliberate exception)", () => {
    let policy: Statement[];
    before(() => {
      policy = jsonInput<{ Statement: Statement[] }>(
        one(plan, "aws:iam/rolePolicy:RolePolicy", "admin-policy"),
        "policy",
      ).Statement;
    });

    it("is named research-admin, needs MFA from production and has a bounded session", () => {
      const role = one(plan, "aws:iam/role:Role", "research-admin");
      expect(role.inputs.maxSessionDuration).to.equal(4 * 3600);
      const trust = jsonInput<{ Statement: Array<Statement & { Principal: { AWS: string } }> }>(
        role,
        "assumeRolePolicy",
      ).Statement;
      expect(trust).to.have.length(1);
      expect(trust[0].Principal.AWS).to.equal("arn:aws:iam::111111111111:root");
      expect(trust[0].Condition?.Bool?.["aws:MultiFactorAuthPresent"]).to.equal("true");
      expect(role.inputs.tags).to.include({
        "ml-platform:policy-exemption": "research-admin",
        "ml-platform:guardrail": "protected",
      });
      expect(byUrn(plan, role.parent as string)?.type).to.equal("ml-platform:research:ResearchAdminRole");
    });

    it("has no free-form IAM: roles only under /research/ with the platform's boundary", () => {
      expect(covers(policy, "Allow", "iam:CreateUser")).to.equal(false);
      const create = policy.find((s) => s.Sid === "WriteResearchRolesWithBoundary");
      expect(create?.Resource).to.match(/:role\/research\/\*$/);
      expect(create?.Condition?.StringEquals?.["iam:PermissionsBoundary"]).to.match(
        /:policy\/guardrails\/ml-platform-research-boundary$/,
      );
    });

    it("refuses reserved services in admin.services, naming the key", async () => {
      const err = await planStack("research", {
        stackOutputs: { management: management.outputs },
        config: { "ml-platform:admin": { maxSessionHours: 4, services: ["ec2", "iam"] } },
      }).catch((e: Error) => e);
      expect((err as Error).message).to.match(/admin\.services.*reserved service/s);
    });

    it("denies every trail and recorder change the SCP denies", () => {
      for (const action of AUDIT_TAMPER_ACTIONS) expect(covers(policy, "Deny", action), action).to.equal(true);
    });

    it("denies every write to the audit bucket and any use of its key", () => {
      for (const action of [
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:PutBucketPolicy",
        "s3:PutLifecycleConfiguration",
        "s3:DeleteObjectVersion",
        "s3:PutObjectRetention",
        "s3:BypassGovernanceRetention",
      ]) {
        expect(
          covers(policy, "Deny", action, `${auditBucketArn()}/AWSLogs/x`) ||
            covers(policy, "Deny", action, auditBucketArn()),
          action,
        ).to.equal(true);
      }
      expect(covers(policy, "Deny", "kms:Decrypt", management.outputs.auditKeyArn as string)).to.equal(true);
    });

    it("denies changes to itself", () => {
      const self = `arn:aws:iam::${(management.outputs.researchAccountIds as Record<string, string>).alpha}:role/research-admin`;
      for (const action of [
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
        "iam:AttachRolePolicy",
      ])
        expect(covers(policy, "Deny", action, self), action).to.equal(true);
    });
  });

  it("evaluates the configured Config rules, including internet-open security groups", () => {
    const rules = ofType(plan, "aws:cfg/rule:Rule").map(
      (r) => (r.inputs.source as { sourceIdentifier: string }).sourceIdentifier,
    );
    expect(rules).to.include.members([
      "INCOMING_SSH_DISABLED",
      "RESTRICTED_INCOMING_TRAFFIC",
      "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
      "S3_BUCKET_PUBLIC_READ_PROHIBITED",
      "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
      "CLOUD_TRAIL_ENABLED",
      "EC2_EBS_ENCRYPTION_BY_DEFAULT",
      "ROOT_ACCOUNT_MFA_ENABLED",
    ]);
    const ports = ofType(plan, "aws:cfg/rule:Rule").find((r) => r.inputs.name === "only-authorized-public-ports");
    expect(JSON.parse(ports?.inputs.inputParameters as string)).to.deep.equal({ authorizedTcpPorts: "443" });
    expect(rules).to.include("EC2_IMDSV2_CHECK");
  });

  it("takes the rule list from config: defaults can be left out, others added", async () => {
    const changed = await planStack("research", {
      stackOutputs: { management: management.outputs },
      config: {
        "ml-platform:configRules": {
          disabled: ["root-mfa"],
          rules: { "rds-encrypted": { identifier: "RDS_STORAGE_ENCRYPTED" } },
        },
      },
    });
    const names = ofType(changed, "aws:cfg/rule:Rule").map((r) => r.inputs.name);
    expect(names).to.include("rds-encrypted").and.not.include("root-mfa");
    const bad = await planStack("research", {
      stackOutputs: { management: management.outputs },
      config: { "ml-platform:configRules": { disabled: ["nope"] } },
    }).catch((e: Error) => e);
    expect((bad as Error).message).to.contain("ml-platform:configRules.disabled: no default rule named nope");
  });

  it("notifies at the configured budget thresholds, and follows a config change", async () => {
    const thresholds = (p: StackPlan) =>
      (
        one(p, "aws:budgets/budget:Budget").inputs.notifications as Array<{
          notificationType: string;
          threshold: number;
        }>
      ).map((n) => `${n.notificationType}>${n.threshold}`);
    expect(thresholds(plan)).to.have.members(["FORECASTED>100", "ACTUAL>50", "ACTUAL>80", "ACTUAL>100"]);
    const changed = await planStack("research", {
      stackOutputs: { management: management.outputs },
      config: { "ml-platform:budget": { monthlyLimitUsd: 100, actualThresholds: [25, 90], emails: ["a@example.com"] } },
    });
    expect(thresholds(changed)).to.have.members(["FORECASTED>100", "ACTUAL>25", "ACTUAL>90"]);
    const topic = jsonInput<{ Statement: Array<{ Principal: { Service: string } }> }>(
      one(changed, "aws:sns/topicPolicy:TopicPolicy"),
      "policy",
    );
    expect(topic.Statement[0].Principal.Service).to.equal("budgets.amazonaws.com");
  });

  it("peers with the bastion VPC: requested here, accepted and routed on the production side too", () => {
    const production = one(plan, "pulumi:providers:aws", "production");
    const peering = one(plan, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
    expect(peering.inputs).to.include({ peerVpcId: "vpc-0a1b2c3d4e5f60718", peerOwnerId: "111111111111" });
    const accepter = one(plan, "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
    expect(accepter.provider).to.equal(production.urn);
    expect(accepter.inputs.autoAccept).to.equal(true);
    const routes = ofType(plan, "aws:ec2/route:Route");
    const toBastion = routes.find((r) => r.inputs.destinationCidrBlock === "10.0.0.0/16");
    const fromBastion = routes.find((r) => r.inputs.destinationCidrBlock === "10.20.0.0/16");
    expect(toBastion?.provider).to.equal(one(plan, "pulumi:providers:aws", "research").urn);
    expect(fromBastion?.provider).to.equal(production.urn);
    expect(fromBastion?.inputs.routeTableId).to.equal("rtb-0a1b2c3d4e5f60718");
    for (const r of [toBastion, fromBastion]) expect(r?.inputs.vpcPeeringConnectionId).to.match(/^pcx-/);
  });

  it("admits SSH only from the bastion, and nothing else inbound", () => {
    const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs.ingress).to.have.length(1);
    expect(sg.inputs.ingress).to.deep.equal([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.1.0/24"], description: "bastion" },
    ]);
  });

  it("spreads private subnets over two AZs and keeps S3 traffic on a gateway endpoint", () => {
    const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).to.equal(2);
    expect(one(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs).to.include({
      serviceName: "com.amazonaws.us-east-1.s3",
      vpcEndpointType: "Gateway",
    });
    expect(ofType(plan, "aws:ec2/natGateway:NatGateway")).to.have.length(0);
  });

  it("associates the name zones with the bastion VPC from the production side, and triggers the function on state and Name changes", () => {
    const production = one(plan, "pulumi:providers:aws", "production");
    const assoc = ofType(plan, "aws:route53/zoneAssociation:ZoneAssociation");
    expect(assoc).to.have.length(2);
    for (const a of assoc) expect(a.provider).to.equal(production.urn);
    const zones = ofType(plan, "aws:route53/zone:Zone").map((z) => z.inputs.name);
    expect(zones).to.have.members(["research-alpha.internal", "20.10.in-addr.arpa"]);
    const patterns = ofType(plan, "aws:cloudwatch/eventRule:EventRule").map(
      (r) => JSON.parse(r.inputs.eventPattern as string)["detail-type"][0],
    );
    expect(patterns).to.have.members(["EC2 Instance State-change Notification", "Tag Change on Resource"]);
    const fn = one(plan, "aws:lambda/function:Function");
    const role = ofType(plan, "aws:iam/role:Role").find((r) => fn.dependencies.includes(r.urn));
    expect(role?.inputs.path).to.equal("/guardrails/");
    expect(byUrn(plan, fn.parent as string)?.type).to.equal("ml-platform:research:NameDns");
  });

  it("refuses overlapping research and bastion ranges before building anything, naming both", async () => {
    const err = await planStack("research", {
      stackOutputs: { management: management.outputs },
      config: { "ml-platform:network": { cidr: "10.0.0.0/16", azCount: 2 } },
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PlanError);
    expect((err as Error).message).to.contain("research VPC 10.0.0.0/16 overlaps bastion VPC 10.0.0.0/16");
  });

  it("stops when the configured account id does not match the management stack's", async () => {
    const err = await planStack("research", {
      stackOutputs: { management: management.outputs },
      config: { "ml-platform:accountId": "999999999999" },
    }).catch((e: Error) => e);
    expect((err as Error).message).to.contain("ml-platform:accountId: 999999999999 does not match");
  });

  // The audit key only reaches resource inputs: a missing one must stop the plan, not drop those resources.
  it("stops naming the management stack and the output when an output it reads is missing or mistyped", async () => {
    const { auditKeyArn: _dropped, ...withoutKey } = management.outputs;
    const missing = await planStack("research", { stackOutputs: { management: withoutKey } }).catch((e: Error) => e);
    expect(missing).to.be.instanceOf(PlanError);
    expect((missing as Error).message).to.match(/stack \S*management: output "auditKeyArn" is missing/);
    const mistyped = await planStack("research", {
      stackOutputs: { management: { ...management.outputs, allowedRegions: "us-east-1" } },
    }).catch((e: Error) => e);
    expect(mistyped).to.be.instanceOf(PlanError);
    expect((mistyped as Error).message).to.match(/stack \S*management: output "allowedRegions" is not what .*array/);
  });
});
