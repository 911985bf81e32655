/**
 * Personal GPU instances for researchers: one per entry, in the research VPC's private subnets,
 * IMDSv2 only, encrypted root volume, no public address, SSH only through the research layer's
 * bastion security group, and SSM Session Manager. The instance profile carries only what the
 * SSM agent and the CloudWatch agent need. Tags say who owns each instance and which idle policy
 * it follows; the Name tag gets a DNS name from the research layer's Name-tag function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_VALUE, TAG } from "../../../../workloads/shared/conventions";
import { instanceRole } from "../../blocks/instance-role";

export interface Workstation {
  /** Name tag and DNS label, e.g. jane-gpu. */
  name: string;
  /** The researcher (the owner tag the Slack bot matches). */
  owner: string;
  /** The owner's Slack user id (the idle check messages it). */
  slackUserId: string;
  instanceType: string;
  /** Resolved AMI id of the researcher's Packer combination. */
  amiId: pulumi.Input<string>;
  /** Root volume size, GiB. */
  volumeGb: number;
  /** `TAG.idlePolicy` value. */
  idlePolicy: string;
}

export interface GpuWorkstationsArgs {
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /** The research layer's SSH-from-bastion group: the only way in over SSH. */
  sshFromBastionSecurityGroupId: pulumi.Input<string>;
  workstations: Workstation[];
  /**
   * Interface endpoints for SSM and CloudWatch in the private subnets, so the agents reach AWS
   * without a NAT gateway. Leave off only where the VPC already has them.
   */
  interfaceEndpoints: boolean;
  region: string;
}

/** The endpoints Session Manager and the CloudWatch agent use. */
const ENDPOINT_SERVICES = ["ssm", "ssmmessages", "ec2messages", "monitoring", "logs"];

export class GpuWorkstations extends pulumi.ComponentResource {
  readonly instances: Record<string, aws.ec2.Instance> = {};
  readonly role: aws.iam.Role;
  readonly securityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: GpuWorkstationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:ops:GpuWorkstations", name, {}, opts);
    const child = { parent: this };

    const instance = instanceRole(
      `${name}-instance`,
      {
        description: `${name}: researchers' GPU workstations (SSM and CloudWatch agents only)`,
        managedPolicies: {
          ssm: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
          "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        },
        path: "/guardrails/",
      },
      this,
    );
    this.role = instance.role;

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-agents`,
      {
        vpcId: args.vpcId,
        description: "GPU workstations: no inbound; HTTPS out for the SSM and CloudWatch agents",
        egress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" },
        ],
      },
      child,
    );

    if (args.interfaceEndpoints) {
      const endpoints = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
          vpcId: args.vpcId,
          description: "Interface endpoints: HTTPS from the GPU workstations only",
          ingress: [
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              securityGroups: [this.securityGroup.id],
              description: "workstations",
            },
          ],
        },
        child,
      );
      for (const service of ENDPOINT_SERVICES) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: args.vpcId,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: args.privateSubnetIds,
            securityGroupIds: [endpoints.id],
          },
          child,
        );
      }
    }

    args.workstations.forEach((w, i) => {
      this.instances[w.name] = new aws.ec2.Instance(
        w.name,
        {
          ami: w.amiId,
          instanceType: w.instanceType,
          subnetId: args.privateSubnetIds[i % args.privateSubnetIds.length],
          associatePublicIpAddress: false,
          vpcSecurityGroupIds: [args.sshFromBastionSecurityGroupId, this.securityGroup.id],
          iamInstanceProfile: instance.profile.name,
          metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
          rootBlockDevice: { volumeSize: w.volumeGb, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
          // One-minute EC2 metrics: the idle check reads NetworkIn/Out per five minutes.
          monitoring: true,
          tags: {
            Name: w.name,
            [TAG.managed]: MANAGED_VALUE,
            [TAG.owner]: w.owner,
            [TAG.slackUser]: w.slackUserId,
            [TAG.idlePolicy]: w.idlePolicy,
          },
        },
        {
          ...child,
          // A rebuilt AMI must not replace a researcher's instance and disk; the idle check and the
          // bot own the idle count and the exemption tags.
          ignoreChanges: [
            "ami",
            `tags["${TAG.idleHours}"]`,
            `tags["${TAG.keepUntil}"]`,
            `tagsAll["${TAG.idleHours}"]`,
            `tagsAll["${TAG.keepUntil}"]`,
          ],
        },
      );
    });
    this.registerOutputs({
      instanceIds: Object.fromEntries(Object.entries(this.instances).map(([k, v]) => [k, v.id])),
    });
  }
}
