import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { PrivateBucket } from "./private-bucket";
import { ServiceRole } from "./service-role";
import { instanceRole } from "./instance-role";
import { recordRegistrations, settled, type Registered } from "./alias-recorder.testing";

let registered: Registered[] = [];
const settle = () => settled(registered);

class Former extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Former", name, {});
  }
}

describe("blocks moved from a component (aliases)", () => {
  before(async () => {
    registered = await recordRegistrations();
  });

  /** Aliases to another parent or name: not those the provider adds itself for a renamed type (Bucket: BucketV2). */
  const parentOf = (urn: string) => urn.split("::")[2].split("$").slice(0, -1).join("$");
  const moves = (r: Registered) =>
    r.aliases.filter((a) => parentOf(a) !== parentOf(r.urn) || a.split("::")[3] !== r.name);
  const named = (name: string) => registered.filter((r) => r.name === name);
  const oldUrn = (type: string, name: string) => `urn:pulumi:stack::project::test:index:Former$${type}::${name}`;

  it("PrivateBucket: every child carries an alias to the same name under the former parent", async () => {
    const former = new Former("uploads");
    new PrivateBucket("uploads", { versioned: false, movedFrom: { parent: former } }, { parent: former });
    await settle();
    const children = [
      "uploads",
      "uploads-public-access",
      "uploads-ownership",
      "uploads-encryption",
      "uploads-tls-only",
    ];
    for (const name of children) {
      const [child] = named(name).filter((r) => r.type.startsWith("aws:"));
      expect(child.urn, name).to.contain("ml-platform:blocks:PrivateBucket$");
      expect(moves(child), name).to.deep.equal([oldUrn(child.type, name)]);
    }
  });

  it("PrivateBucket: no aliases for a new bucket; caller lifecycle rules share one configuration", async () => {
    new PrivateBucket("fresh", {
      noncurrentVersionDays: 30,
      lifecycleRules: [{ id: "expire-tmp", status: "Enabled", filter: { prefix: "tmp/" }, expiration: { days: 1 } }],
      corsRules: [{ allowedMethods: ["PUT"], allowedOrigins: ["https://app.example.com"] }],
    });
    await settle();
    const fresh = registered.filter((r) => r.name.startsWith("fresh"));
    expect(fresh.every((r) => moves(r).length === 0)).to.equal(true);
    const lifecycles = fresh.filter(
      (r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    );
    expect(lifecycles.map((r) => r.name)).to.deep.equal(["fresh-lifecycle"]);
    const rules = lifecycles[0].inputs.rules as Array<{ id: string }>;
    expect(rules.map((r) => r.id)).to.deep.equal(["expire-tmp", "expire-noncurrent-versions"]);
    expect(named("fresh-cors")).to.have.length(1);
  });

  it("PrivateBucket: keeps the name `-noncurrent` when the noncurrent rule is the only one", async () => {
    new PrivateBucket("kept", { noncurrentVersionDays: 7 });
    await settle();
    expect(named("kept-noncurrent")).to.have.length(1);
    expect(named("kept-lifecycle")).to.have.length(0);
  });

  it("ServiceRole: role, inline policy and attachments alias their old names under the former parent", async () => {
    const former = new Former("moved");
    const ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
    new ServiceRole(
      "moved-instance",
      {
        description: "test",
        services: ["ec2.amazonaws.com"],
        path: "/guardrails/",
        tags: { guardrail: "true" },
        managedPolicyArns: [ssm],
        statements: [{ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }],
        movedFrom: { parent: former, names: { [ssm]: "moved-instance-ssm", policy: "moved-instance-inline" } },
      },
      { parent: former },
    );
    await settle();
    const of = (type: string, name: string) => named(name).find((r) => r.type === type) as Registered;
    const role = of("aws:iam/role:Role", "moved-instance");
    expect(moves(role)).to.deep.equal([oldUrn(role.type, "moved-instance")]);
    expect(role.inputs.path).to.equal("/guardrails/");
    expect(role.inputs.tags).to.deep.equal({ guardrail: "true" });
    const attachment = of(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "moved-instance-AmazonSSMManagedInstanceCore",
    );
    expect(moves(attachment)).to.deep.equal([oldUrn(attachment.type, "moved-instance-ssm")]);
    const policy = of("aws:iam/rolePolicy:RolePolicy", "moved-instance");
    expect(moves(policy)).to.deep.equal([oldUrn(policy.type, "moved-instance-inline")]);
    // A statement's single action and resource stay strings, as a hand-written policy had them.
    expect(JSON.parse(policy.inputs.policy as string).Statement[0]).to.deep.equal({
      Effect: "Allow",
      Action: "ec2:DescribeInstances",
      Resource: "*",
    });
  });

  it("instanceRole: the profile is the caller's child; role and attachments alias the caller's old names", async () => {
    const former = new Former("fleet");
    const ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
    instanceRole("fleet-instance", { description: "test", managedPolicies: { ssm }, path: "/guardrails/" }, former);
    await settle();
    const of = (type: string, name: string) => named(name).find((r) => r.type === type) as Registered;
    const profile = of("aws:iam/instanceProfile:InstanceProfile", "fleet-instance");
    expect(profile.parent).to.equal("urn:pulumi:stack::project::test:index:Former::fleet");
    expect(moves(profile)).to.deep.equal([]);
    expect(profile.inputs.path).to.equal("/guardrails/");
    const role = of("aws:iam/role:Role", "fleet-instance");
    expect(moves(role)).to.deep.equal([oldUrn(role.type, "fleet-instance")]);
    expect(role.inputs.path).to.equal("/guardrails/");
    const attachment = of(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "fleet-instance-AmazonSSMManagedInstanceCore",
    );
    expect(moves(attachment)).to.deep.equal([oldUrn(attachment.type, "fleet-instance-ssm")]);
  });

  it("ServiceRole: takes a whole policy document instead of statements, never both", async () => {
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
    });
    new ServiceRole("whole", { description: "test", services: ["ecs-tasks.amazonaws.com"], policy: document });
    await settle();
    const [policy] = named("whole").filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.policy).to.equal(document);
    expect(
      () =>
        new ServiceRole("both", {
          description: "test",
          services: ["ecs-tasks.amazonaws.com"],
          policy: document,
          statements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }],
        }),
    ).to.throw("ServiceRole both: give statements or policy, not both");
  });
});
