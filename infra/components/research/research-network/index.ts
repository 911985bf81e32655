/**
 * The research VPC: private subnets across AZs, an S3 gateway endpoint, optional NAT, and a
 * peering to the production bastion VPC requested from the research side and accepted on the
 * production side, with routes both ways. SSH into research instances comes only from the bastion.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertDisjoint, parseCidr, subnet } from "../../../shared/cidr";

export interface BastionPeer {
  accountId: string;
  vpcId: string;
  /** The bastion VPC's CIDR, routed back to the research VPC. */
  cidr: string;
  /** Where SSH may come from: the bastion hosts' subnet or addresses, inside `cidr`. */
  sshSourceCidrs: string[];
  /** Bastion-side route tables that get a route to the research VPC. */
  routeTableIds: string[];
  region: string;
}

export interface ResearchNetworkArgs {
  cidr: string;
  azCount: number;
  natGateway: boolean;
  bastion: BastionPeer;
  /** Provider in the production account, for the accepter and the bastion-side routes. */
  productionProvider: aws.Provider;
}

export class ResearchNetwork extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly sshFromBastion: aws.ec2.SecurityGroup;
  readonly peering: aws.ec2.VpcPeeringConnection;

  constructor(name: string, args: ResearchNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything registers: a peering between overlapping ranges cannot route.
    assertDisjoint({ "research VPC": args.cidr, "bastion VPC": args.bastion.cidr });
    super("ml-platform:research:ResearchNetwork", name, {}, opts);
    const child = { parent: this };
    const prod = { parent: this, provider: args.productionProvider };

    this.vpc = new aws.ec2.Vpc(
      name,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
      child,
    );
    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    const privateRt = new aws.ec2.RouteTable(
      `${name}-private`,
      { vpcId: this.vpc.id, tags: { Name: `${name}-private` } },
      child,
    );
    this.privateSubnets = Array.from({ length: args.azCount }, (_, i) => {
      const s = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: this.vpc.id,
          cidrBlock: subnet(args.cidr, 20, i),
          availabilityZone: azs.names[i],
          tags: { Name: `${name}-private-${i}` },
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: privateRt.id }, child);
      return s;
    });
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: this.vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${azs.id}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [privateRt.id],
      },
      child,
    );
    if (args.natGateway) this.addNat(name, args.cidr, privateRt, azs.names[0]);

    this.peering = new aws.ec2.VpcPeeringConnection(
      `${name}-to-bastion`,
      {
        vpcId: this.vpc.id,
        peerVpcId: args.bastion.vpcId,
        peerOwnerId: args.bastion.accountId,
        peerRegion: args.bastion.region,
        tags: { Name: `${name}-to-bastion` },
      },
      child,
    );
    const accepter = new aws.ec2.VpcPeeringConnectionAccepter(
      `${name}-bastion-accepts`,
      { vpcPeeringConnectionId: this.peering.id, autoAccept: true, tags: { Name: `${name}-to-bastion` } },
      prod,
    );
    new aws.ec2.Route(
      `${name}-to-bastion`,
      { routeTableId: privateRt.id, destinationCidrBlock: args.bastion.cidr, vpcPeeringConnectionId: this.peering.id },
      { ...child, dependsOn: [accepter] },
    );
    args.bastion.routeTableIds.forEach((rt) => {
      new aws.ec2.Route(
        `${name}-from-bastion-${rt}`,
        { routeTableId: rt, destinationCidrBlock: args.cidr, vpcPeeringConnectionId: accepter.id },
        prod,
      );
    });

    this.sshFromBastion = new aws.ec2.SecurityGroup(
      `${name}-ssh-from-bastion`,
      {
        vpcId: this.vpc.id,
        description: "SSH from the production bastion only",
        ingress: [
          {
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrBlocks: args.bastion.sshSourceCidrs,
            description: "bastion",
          },
        ],
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "outbound" }],
      },
      child,
    );
    this.registerOutputs({ vpcId: this.vpc.id, peeringId: this.peering.id });
  }

  private addNat(name: string, cidr: string, privateRt: aws.ec2.RouteTable, az: pulumi.Input<string>): void {
    const child = { parent: this };
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id }, child);
    const publicRt = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] },
      child,
    );
    // The last /24 of the VPC: small, and out of the way of the /20 private subnets.
    const publicSubnet = new aws.ec2.Subnet(
      `${name}-public`,
      { vpcId: this.vpc.id, cidrBlock: subnet(cidr, 24, 2 ** (24 - parseCidr(cidr).prefix) - 1), availabilityZone: az },
      child,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-public`,
      { subnetId: publicSubnet.id, routeTableId: publicRt.id },
      child,
    );
    const eip = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc" }, child);
    const nat = new aws.ec2.NatGateway(`${name}-nat`, { subnetId: publicSubnet.id, allocationId: eip.id }, child);
    new aws.ec2.Route(
      `${name}-egress`,
      { routeTableId: privateRt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
      child,
    );
  }
}
