/**
 * DNS names from Name tags: a private forward zone and a reverse zone for the research VPC, both
 * associated with the production bastion VPC across accounts, and the function that keeps A and
 * PTR records in line with EC2 state and Name tag changes. The function, its role, rules and log
 * group carry the guardrail tag and the platform's names: the research SCP denies member
 * principals every change to them (a changed function could forge any name).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../../../workloads/shared/conventions";
import { functionBundle } from "../../../shared/function-bundle";
import { reverseZone } from "../../../shared/cidr";
import { ruleInvokesFunction } from "../../blocks/rule-invokes-function";
import { ServiceRole } from "../../blocks/service-role";
import { environmentFor } from "../../../../workloads/functions/name-tag-dns/config";

export interface NameDnsArgs {
  zoneName: string;
  vpcId: pulumi.Input<string>;
  vpcCidr: string;
  region: string;
  bastionVpcId: string;
  bastionRegion: string;
  /** Provider in the bastion's (production) account, which completes the association. */
  productionProvider: aws.Provider;
  logRetentionDays: number;
}

export class NameDns extends pulumi.ComponentResource {
  readonly forwardZone: aws.route53.Zone;
  readonly reverseZone: aws.route53.Zone;
  readonly function: aws.lambda.Function;

  constructor(name: string, args: NameDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:NameDns", name, {}, opts);
    const child = { parent: this };
    const zone = (suffix: string, zoneName: string) => {
      const z = new aws.route53.Zone(
        `${name}-${suffix}`,
        {
          name: zoneName,
          comment: "Research instances by Name tag",
          vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
        },
        // The bastion association is managed below; the inline list must not fight it.
        { ...child, ignoreChanges: ["vpcs"] },
      );
      const auth = new aws.route53.VpcAssociationAuthorization(
        `${name}-${suffix}-bastion-auth`,
        { zoneId: z.zoneId, vpcId: args.bastionVpcId, vpcRegion: args.bastionRegion },
        child,
      );
      new aws.route53.ZoneAssociation(
        `${name}-${suffix}-bastion`,
        { zoneId: auth.zoneId, vpcId: auth.vpcId, vpcRegion: args.bastionRegion },
        { parent: this, provider: args.productionProvider },
      );
      return z;
    };
    this.forwardZone = zone("forward", args.zoneName);
    this.reverseZone = zone("reverse", reverseZone(args.vpcCidr));

    const tags = { [TAG.guardrail]: GUARDRAIL_VALUE };
    const functionName = `${PLATFORM_NAMES.prefix}${name}-name-tag-dns`;
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `${PLATFORM_NAMES.logGroupPrefix}${functionName}`, retentionInDays: args.logRetentionDays, tags },
      child,
    );
    const role = new ServiceRole(
      `${name}-function`,
      {
        description: `${name}: the Name-tag DNS function (A and PTR records in the research zones)`,
        services: ["lambda.amazonaws.com"],
        path: PLATFORM_NAMES.guardrailPath,
        tags,
        statements: [
          {
            Sid: "Records",
            Effect: "Allow",
            Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            Resource: [this.forwardZone.arn, this.reverseZone.arn],
          },
          // DescribeInstances has no resource-level permissions.
          { Sid: "ReadInstances", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
          {
            Sid: "Logs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${logGroup.arn}:*`,
          },
        ],
        // Built here before the block existed, under the same names.
        movedFrom: { parent: this },
      },
      child,
    ).role;
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        tags,
        runtime: "nodejs24.x",
        handler: "index.handler",
        code: functionBundle("workloads/functions/name-tag-dns/handler.ts"),
        role: role.arn,
        timeout: 30,
        memorySize: 256,
        // One event at a time per instance keeps record updates ordered enough; names are idempotent.
        reservedConcurrentExecutions: 2,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        environment: {
          variables: environmentFor({
            forward: { id: this.forwardZone.zoneId, name: args.zoneName },
            reverse: { id: this.reverseZone.zoneId, name: reverseZone(args.vpcCidr) },
          }),
        },
      },
      child,
    );

    const rules = {
      state: {
        source: ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        detail: { state: ["running", "stopped", "terminated"] },
      },
      name: {
        source: ["aws.tag"],
        "detail-type": ["Tag Change on Resource"],
        detail: { service: ["ec2"], "resource-type": ["instance"], "changed-tag-keys": ["Name"] },
      },
    };
    for (const [kind, pattern] of Object.entries(rules)) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${kind}`,
        { name: `${functionName}-${kind}`, eventPattern: JSON.stringify(pattern), tags },
        child,
      );
      ruleInvokesFunction(`${name}-${kind}`, rule, this.function, this);
    }
    this.registerOutputs({ zoneId: this.forwardZone.zoneId });
  }
}
