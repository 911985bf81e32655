import { expect } from "chai";
import { planStack, PlanError } from "../plan";
import { byUrn, descendants, jsonInput, one, ofType } from "../plan/query";
import type { PlannedResource, StackPlan } from "../plan/types";
import { GUARDRAIL_VALUE, MANAGED_VALUE, TAG } from "../../workloads/shared/conventions";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("ops stack (offline graph)", () => {
  let plan: StackPlan;
  let research: StackPlan;
  before(async () => {
    const management = await planStack("management");
    research = await planStack("research", { stackOutputs: { management: management.outputs } });
    plan = await planStack("ops", { stackOutputs: { research: research.outputs } });
  });

  const policyOf = (component: string): Statement[] => {
    const parent = one(plan, `ml-platform:ops:${component}`);
    const rp = descendants(plan, parent).find((r) => r.type === "aws:iam/rolePolicy:RolePolicy") as PlannedResource;
    return jsonInput<{ Statement: Statement[] }>(rp, "policy").Statement;
  };

  it("runs in the research account through the access role and tags everything as guardrail", () => {
    const provider = one(plan, "pulumi:providers:aws", "ops");
    const account = research.outputs.accountId as string;
    expect(provider.inputs.allowedAccountIds).to.deep.equal([account]);
    expect((provider.inputs.assumeRoles as { roleArn: string }[])[0].roleArn).to.equal(
      `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
    );
    expect((provider.inputs.defaultTags as { tags: Record<string, string> }).tags).to.include({
      [TAG.guardrail]: GUARDRAIL_VALUE,
    });
    for (const r of plan.resources.filter((x) => x.type.startsWith("aws:"))) expect(r.provider).to.equal(provider.urn);
  });

  describe("personal GPU instances", () => {
    let instances: PlannedResource[];
    before(() => {
      instances = ofType(plan, "aws:ec2/instance:Instance");
    });

    it("one per researcher, tagged as managed with owner, Slack user and idle policy", () => {
      expect(instances.map((i) => (i.inputs.tags as Record<string, string>).Name)).to.deep.equal([
        "jane-gpu",
        "omar-gpu",
      ]);
      expect(instances[0].inputs.tags).to.include({
        [TAG.managed]: MANAGED_VALUE,
        [TAG.owner]: "jane",
        [TAG.slackUser]: "U0JANE0001",
        [TAG.idlePolicy]: "stop-when-idle",
      });
    });

    it("IMDSv2 only, encrypted root volume, no public IP, in the research private subnets", () => {
      const subnets = research.outputs.privateSubnetIds as string[];
      for (const i of instances) {
        expect(i.inputs.metadataOptions).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(i.inputs.rootBlockDevice).to.deep.include({ encrypted: true });
        expect(i.inputs.associatePublicIpAddress).to.equal(false);
        expect(subnets).to.include(i.inputs.subnetId);
      }
    });

    it("SSH only from the bastion: the research layer's group, and nothing inbound in its own", () => {
      const own = one(plan, "aws:ec2/securityGroup:SecurityGroup", "gpu-agents");
      expect(own.inputs.ingress ?? []).to.deep.equal([]);
      for (const i of instances) {
        const groups = i.inputs.vpcSecurityGroupIds as string[];
        expect(groups).to.have.length(2);
        expect(groups[0]).to.equal(research.outputs.sshFromBastionSecurityGroupId);
        expect(groups[1]).to.match(/^sg-/);
        expect(i.dependencies).to.include(own.urn);
      }
      const endpoints = one(plan, "aws:ec2/securityGroup:SecurityGroup", "gpu-endpoints");
      expect(endpoints.inputs.ingress).to.deep.equal([
        {
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          securityGroups: [(instances[0].inputs.vpcSecurityGroupIds as string[])[1]],
          description: "workstations",
        },
      ]);
    });

    it("the instance role holds only the SSM and CloudWatch agent policies", () => {
      expect(
        ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn),
      ).to.deep.equal([
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
      ]);
    });
  });

  it("runs the idle check every hour", () => {
    const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "idle-check-schedule");
    expect(rule.inputs.scheduleExpression).to.equal("rate(1 hour)");
    const target = one(plan, "aws:cloudwatch/eventTarget:EventTarget", "idle-check-schedule");
    expect(target.dependencies).to.include(one(plan, "aws:lambda/function:Function", "idle-check-function").urn);
    for (const f of ofType(plan, "aws:lambda/function:Function")) expect(f.inputs.runtime).to.equal("nodejs24.x");
  });

  describe("least privilege", () => {
    const managed = { StringEquals: { [`aws:ResourceTag/${TAG.managed}`]: MANAGED_VALUE } };

    for (const [component, actions] of [
      ["IdleCheck", ["ec2:StopInstances"]],
      ["SlackBot", ["ec2:StartInstances", "ec2:StopInstances"]],
    ] as const) {
      it(`${component}: instance actions and tags only on managed instances, reads elsewhere only`, () => {
        const statements = policyOf(component);
        const act = statements.find((s) => s.Sid === "ActOnManaged") as Statement;
        expect(list(act.Action)).to.deep.equal(actions);
        expect(act.Resource).to.match(/^arn:aws:ec2:us-east-1:\d{12}:instance\/\*$/);
        expect(act.Condition).to.deep.equal(managed);
        const tag = statements.find((s) => s.Sid === "TagManaged") as Statement;
        expect(tag.Condition?.StringEquals).to.deep.equal(managed.StringEquals);
        expect(tag.Condition?.["ForAllValues:StringEquals"]).to.deep.equal({
          "aws:TagKeys": component === "IdleCheck" ? [TAG.idleHours, TAG.keepUntil] : [TAG.keepUntil, TAG.idleHours],
        });
        // Every statement on all resources is a read without resource-level permissions.
        const wide = statements.filter((s) => list(s.Resource).includes("*")).flatMap((s) => list(s.Action));
        expect(wide.every((a) => /^(ec2:Describe|cloudwatch:(GetMetricData|ListMetrics)$)/.test(a))).to.equal(true);
        // Nothing else touches EC2.
        const ec2 = statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith("ec2:"));
        expect(ec2.filter((a) => !a.startsWith("ec2:Describe")).sort()).to.deep.equal(
          [...actions, "ec2:CreateTags", ...(component === "IdleCheck" ? ["ec2:DeleteTags"] : [])].sort(),
        );
        const secret = statements.find((s) => s.Sid === "SlackSecret") as Statement;
        expect(secret.Resource).to.match(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:/);
      });
    }
  });

  it("the Slack bot's URL is unauthenticated only under the signed-webhook exemption", () => {
    const url = one(plan, "aws:lambda/functionUrl:FunctionUrl");
    expect(url.inputs.authorizationType).to.equal("NONE");
    expect(byUrn(plan, url.parent as string)?.type).to.equal("ml-platform:ops:SlackBot");
    const fn = one(plan, "aws:lambda/function:Function", "slack-bot-function");
    expect(url.dependencies).to.include(fn.urn);
    expect(fn.inputs.tags).to.deep.equal({ [TAG.policyExemption]: "slack-signed-webhook" });
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(JSON.parse(env.RESEARCHERS)).to.deep.equal({ U0JANE0001: "jane", U0OMAR0002: "omar" });
    expect(env.ADMINS).to.equal("U0ADMIN003");
  });

  it("the Slack bot records each accepted signature in an encrypted, expiring table it may only put into", () => {
    const table = one(plan, "aws:dynamodb/table:Table", "slack-bot-replays");
    expect(table.inputs).to.deep.include({
      hashKey: "signature",
      ttl: { attributeName: "expiresAt", enabled: true },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    });
    const fn = one(plan, "aws:lambda/function:Function", "slack-bot-function");
    const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(env.REPLAY_TABLE).to.be.a("string").and.not.equal("");
    const dynamodb = policyOf("SlackBot").filter((s) => list(s.Action).some((a) => a.startsWith("dynamodb:")));
    expect(dynamodb.map((s) => [s.Sid, list(s.Action)])).to.deep.equal([["ReplayRecord", ["dynamodb:PutItem"]]]);
    expect(dynamodb[0].Resource).to.match(/^arn:aws:dynamodb:.*:table\//);
  });

  it("refuses a researcher off the GPU allow-list or on an unknown AMI combination, naming the key", async () => {
    const bad = [
      { owner: "jane", slackUserId: "U0JANE0001", instanceType: "p5.48xlarge", gpuAmi: "no-such-ami", volumeGb: 200 },
    ];
    let error: unknown;
    try {
      await planStack("ops", {
        stackOutputs: { research: research.outputs },
        config: { "ml-platform:researchers": bad },
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).to.include("ml-platform:researchers.0.instanceType: expected a GPU type on the allow-list");
    expect(message).to.include("ml-platform:researchers.0.gpuAmi: expected a combination from packer/versions/");
  });
});
