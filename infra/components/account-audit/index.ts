/**
 * The research account's audit: a multi-region CloudTrail with log file validation and AWS
 * Config (all supported resources) both delivering to the production audit bucket, KMS-encrypted,
 * under this account's own prefix. The Config role sits under /guardrails/, which the SCP guards.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AccountAuditArgs {
  auditBucketName: pulumi.Input<string>;
  auditKeyArn: pulumi.Input<string>;
  trailPrefix: string;
  configPrefix: string;
  /** Global resources (IAM) are recorded in one region only, to avoid duplicates. */
  recordGlobalResources: boolean;
}

export class AccountAudit extends pulumi.ComponentResource {
  readonly trail: aws.cloudtrail.Trail;
  readonly recorder: aws.cfg.Recorder;

  constructor(name: string, args: AccountAuditArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:AccountAudit", name, {}, opts);
    const child = { parent: this };
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        s3BucketName: args.auditBucketName,
        s3KeyPrefix: args.trailPrefix,
        kmsKeyId: args.auditKeyArn,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
      },
      child,
    );

    const role = new aws.iam.Role(
      `${name}-config`,
      {
        path: "/guardrails/",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "config.amazonaws.com" }, Action: "sts:AssumeRole" }],
        } satisfies aws.iam.PolicyDocument),
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-config-managed`,
      { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole" },
      child,
    );
    this.recorder = new aws.cfg.Recorder(
      `${name}-recorder`,
      {
        name: "default",
        roleArn: role.arn,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: args.recordGlobalResources },
      },
      child,
    );
    const channel = new aws.cfg.DeliveryChannel(
      `${name}-delivery`,
      {
        name: "default",
        s3BucketName: args.auditBucketName,
        s3KeyPrefix: args.configPrefix,
        s3KmsKeyArn: args.auditKeyArn,
      },
      { ...child, dependsOn: [this.recorder] },
    );
    new aws.cfg.RecorderStatus(
      `${name}-recording`,
      { name: this.recorder.name, isEnabled: true },
      { ...child, dependsOn: [channel] },
    );
    this.registerOutputs({ trailArn: this.trail.arn });
  }
}
