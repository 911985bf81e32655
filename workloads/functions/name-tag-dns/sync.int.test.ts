import { expect } from "chai";
import { CreateTagsCommand, EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { createEc2Fixture, type Ec2Fixture } from "../testing";
import { handle } from "./handler";
import type { SyncDeps } from "./sync";

const stateEvent = (id: string, state: string) => ({
  source: "aws.ec2",
  "detail-type": "EC2 Instance State-change Notification",
  detail: { "instance-id": id, state },
});
const tagEvent = (id: string) => ({
  source: "aws.tag",
  "detail-type": "Tag Change on Resource",
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${id}`],
  detail: { service: "ec2", "resource-type": "instance", "changed-tag-keys": ["Name"] },
});

describe("Name-tag DNS function on embedded AWS (EC2 + Route 53)", () => {
  let aws: EmbeddedAws;
  let ec2: EC2Client;
  let deps: SyncDeps;
  let fixture: Ec2Fixture;
  const warnings: string[] = [];

  before(async () => {
    aws = await startEmbeddedAws();
    ec2 = new EC2Client(aws.clientConfig());
    const route53 = new Route53Client(aws.clientConfig());
    fixture = await createEc2Fixture(ec2);
    const zone = async (name: string) =>
      (
        await route53.send(
          new CreateHostedZoneCommand({
            Name: name,
            CallerReference: name,
            HostedZoneConfig: { PrivateZone: true },
            VPC: { VPCId: fixture.vpcId, VPCRegion: "us-east-1" },
          }),
        )
      ).HostedZone?.Id as string;
    deps = {
      ec2,
      route53,
      forward: { id: await zone("research.internal"), name: "research.internal" },
      reverse: { id: await zone("20.10.in-addr.arpa"), name: "20.10.in-addr.arpa" },
      log: (level, msg) => {
        if (level === "warn") warnings.push(msg);
      },
    };
  });
  after(async () => aws?.stop());

  async function records(zoneId: string, type: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const page = await deps.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    for (const r of page.ResourceRecordSets ?? [])
      if (r.Type === type) out[r.Name as string] = r.ResourceRecords?.[0]?.Value as string;
    return out;
  }

  const launch = (name?: string) => fixture.launch(name === undefined ? {} : { Name: name });

  const ptr = (ip: string) => `${ip.split(".").reverse().join(".")}.in-addr.arpa.`;

  it("follows an instance through launch, rename and termination", async () => {
    const a = await launch("Jane GPU");
    await handle(stateEvent(a.id, "running"), deps);
    expect((await records(deps.forward.id, "A"))["jane-gpu.research.internal."]).to.equal(a.ip);
    expect((await records(deps.reverse.id, "PTR"))[ptr(a.ip)]).to.equal("jane-gpu.research.internal.");

    await ec2.send(new CreateTagsCommand({ Resources: [a.id], Tags: [{ Key: "Name", Value: "jane-train" }] }));
    await handle(tagEvent(a.id), deps);
    const afterRename = await records(deps.forward.id, "A");
    expect(afterRename["jane-train.research.internal."]).to.equal(a.ip);
    expect(afterRename).not.to.have.property("jane-gpu.research.internal.");
    expect((await records(deps.reverse.id, "PTR"))[ptr(a.ip)]).to.equal("jane-train.research.internal.");

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [a.id] }));
    await handle(stateEvent(a.id, "terminated"), deps);
    expect(await records(deps.forward.id, "A")).not.to.have.property("jane-train.research.internal.");
    expect(await records(deps.forward.id, "TXT")).not.to.have.property("jane-train.research.internal.");
    expect(await records(deps.reverse.id, "PTR")).not.to.have.property(ptr(a.ip));
  });

  it("gives a colliding name the instance id instead of taking it over", async () => {
    const first = await launch("shared");
    const second = await launch("shared");
    await handle(stateEvent(first.id, "running"), deps);
    await handle(stateEvent(second.id, "running"), deps);
    const a = await records(deps.forward.id, "A");
    expect(a["shared.research.internal."]).to.equal(first.ip);
    expect(a[`shared-${second.id}.research.internal.`]).to.equal(second.ip);
    expect(warnings).to.include("name already belongs to another instance; appending the instance id");
  });

  it("skips instances without a usable Name tag and ignores foreign events, without throwing", async () => {
    const unnamed = await launch();
    expect(await handle(stateEvent(unnamed.id, "running"), deps)).to.deep.equal({
      action: "skipped",
      why: "no usable Name tag",
    });
    const junk = await launch("***");
    expect((await handle(stateEvent(junk.id, "running"), deps)).action).to.equal("skipped");
    expect((await handle({ source: "aws.s3" }, deps)).action).to.equal("skipped");
    expect(Object.values(await records(deps.forward.id, "A"))).not.to.include.members([unnamed.ip, junk.ip]);
  });
});
