/**
 * Tests only: the EC2 side of embedded AWS as every ops-function test needs it. The functions act on
 * instances, so each test launches some; moto launches only into a subnet and from an image it
 * lists, hence the VPC (10.20.0.0/16, whose reverse zone the DNS test serves), subnet and image here.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
  type _InstanceType,
} from "@aws-sdk/client-ec2";

export interface InstanceView {
  state: string;
  tags: Record<string, string>;
}

export interface Ec2Fixture {
  vpcId: string;
  /** Launches one instance; without tags it carries none, like one the platform does not manage. */
  launch(tags?: Record<string, string>, type?: _InstanceType): Promise<{ id: string; ip: string }>;
  /** The instance's state and tags as EC2 reports them now. */
  instance(id: string): Promise<InstanceView>;
}

/** Creates the VPC, subnet and image lookup; call again after `aws.reset()`. */
export async function createEc2Fixture(ec2: EC2Client): Promise<Ec2Fixture> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc?.VpcId as string;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.0.0/20" }))).Subnet
    ?.SubnetId as string;
  const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId as string;
  return {
    vpcId,
    async launch(tags = {}, type = "g5.xlarge") {
      const entries = Object.entries(tags);
      const res = await ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          InstanceType: type,
          TagSpecifications:
            entries.length === 0
              ? undefined
              : [{ ResourceType: "instance", Tags: entries.map(([Key, Value]) => ({ Key, Value })) }],
        }),
      );
      const i = res.Instances?.[0];
      return { id: i?.InstanceId as string, ip: i?.PrivateIpAddress as string };
    },
    async instance(id) {
      const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const i = res.Reservations?.[0]?.Instances?.[0];
      return {
        state: i?.State?.Name ?? "?",
        tags: Object.fromEntries((i?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      };
    },
  };
}
