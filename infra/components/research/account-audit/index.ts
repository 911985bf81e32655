/**
 * The research account's audit: one multi-region CloudTrail with log file validation, and AWS
 * Config (all supported resources) recording in every region the account may use, delivering to
 * the production audit buckets (the trail's and Config's), KMS-encrypted, under this account's
 * own prefix. Global
 * resources (IAM) are recorded in the first region only, and the Config role (global) exists
 * once, so adding a region adds a recorder, never a second role. Everything here carries the
 * guardrail tag, and the Config role sits under the guardrail path: the SCP guards both.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../../../workloads/shared/conventions";
import { ServiceRole } from "../../blocks/service-role";

export interface AccountAuditArgs {
  /** The trail's bucket (object-locked). */
  auditBucketName: pulumi.Input<string>;
  /** Config's bucket: Config does not deliver to an object-locked bucket. */
  configBucketName: pulumi.Input<string>;
  auditKeyArn: pulumi.Input<string>;
  trailPrefix: string;
  configPrefix: string;
  /** Regions Config records in; the first also records global resources (IAM) and is the trail's home. */
  regions: string[];
}

export class AccountAudit extends pulumi.ComponentResource {
  readonly trail: aws.cloudtrail.Trail;
  /** One recorder per region, in `regions` order. */
  readonly recorders: aws.cfg.Recorder[] = [];

  constructor(name: string, args: AccountAuditArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:AccountAudit", name, {}, opts);
    if (args.regions.length === 0) throw new Error("AccountAudit: regions must name at least one region");
    if (new Set(args.regions).size !== args.regions.length)
      throw new Error(`AccountAudit: regions has duplicates (${args.regions.join(", ")})`);
    const child = { parent: this };
    const tags = { [TAG.guardrail]: GUARDRAIL_VALUE };
    const [home] = args.regions;
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        // The audit bucket and key admit this trail, by this name, and no other.
        name: PLATFORM_NAMES.trail,
        region: home,
        s3BucketName: args.auditBucketName,
        s3KeyPrefix: args.trailPrefix,
        kmsKeyId: args.auditKeyArn,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        tags,
      },
      child,
    );

    const configPolicy = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole";
    const role = new ServiceRole(
      `${name}-config`,
      {
        description: `${name}: AWS Config records this account's resources and delivers to the audit bucket`,
        services: ["config.amazonaws.com"],
        path: PLATFORM_NAMES.guardrailPath,
        tags,
        managedPolicyArns: [configPolicy],
        // Built here before the block existed.
        movedFrom: { parent: this, names: { [configPolicy]: `${name}-config-managed` } },
      },
      child,
    ).role;
    for (const region of args.regions) {
      // The first region keeps the names the single-region version had, so it is not replaced.
      const suffix = region === home ? "" : `-${region}`;
      const recorder = new aws.cfg.Recorder(
        `${name}-recorder${suffix}`,
        {
          name: "default",
          region,
          roleArn: role.arn,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: region === home },
        },
        child,
      );
      const channel = new aws.cfg.DeliveryChannel(
        `${name}-delivery${suffix}`,
        {
          name: "default",
          region,
          s3BucketName: args.configBucketName,
          s3KeyPrefix: args.configPrefix,
          s3KmsKeyArn: args.auditKeyArn,
        },
        { ...child, dependsOn: [recorder] },
      );
      new aws.cfg.RecorderStatus(
        `${name}-recording${suffix}`,
        { name: recorder.name, region, isEnabled: true },
        { ...child, dependsOn: [channel] },
      );
      this.recorders.push(recorder);
    }
    this.registerOutputs({ trailArn: this.trail.arn });
  }
}
