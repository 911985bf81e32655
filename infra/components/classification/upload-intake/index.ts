/**
 * Where photos arrive: a private, encrypted bucket (blocks/private-bucket) that phones PUT to through pre-signed URLs,
 * whose ObjectCreated events under the upload prefix go to an encrypted SQS queue with a
 * dead-letter queue, so a photo that cannot be judged is parked, never retried forever.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PURPOSE, TAG } from "../../../../workloads/shared/conventions";
import { PrivateBucket } from "../../blocks/private-bucket";

export interface UploadIntakeArgs {
  /** Key prefix uploads go under, e.g. "uploads/". */
  prefix: string;
  /** Origins of the apps allowed to PUT from a browser context. */
  corsOrigins: string[];
  /** Uploads are working data: expire them after this many days. */
  retentionDays: number;
  /** At least the worker's longest batch: a message in flight must not reappear mid-batch. */
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export class UploadIntake extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: UploadIntakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:classification:UploadIntake", name, {}, opts);
    const child = { parent: this };

    // Uploads are working data that expire: not versioned, nothing to restore.
    this.bucket = new PrivateBucket(
      name,
      {
        versioned: false,
        corsRules: [
          {
            allowedMethods: ["PUT"],
            allowedOrigins: args.corsOrigins,
            allowedHeaders: ["content-type", "content-length"],
            maxAgeSeconds: 3000,
          },
        ],
        lifecycleRules: [
          {
            id: "expire-uploads",
            status: "Enabled",
            filter: { prefix: args.prefix },
            expiration: { days: args.retentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
        // Built here, under the same names, before the block existed.
        movedFrom: { parent: this },
      },
      child,
    ).bucket;
    const bucket = this.bucket.id;

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 14 * 86400,
        tags: { [TAG.purpose]: PURPOSE.deadLetter },
      },
      child,
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        sqsManagedSseEnabled: true,
        visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
        receiveWaitTimeSeconds: 20,
        messageRetentionSeconds: 4 * 86400,
        redrivePolicy: this.deadLetterQueue.arn.apply((deadLetterTargetArn) =>
          JSON.stringify({ deadLetterTargetArn, maxReceiveCount: args.maxReceiveCount }),
        ),
      },
      child,
    );
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-source`,
      {
        queueUrl: this.deadLetterQueue.id,
        redriveAllowPolicy: this.queue.arn.apply((arn) =>
          JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
        ),
      },
      child,
    );
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-s3-sends`,
      {
        queueUrl: this.queue.id,
        policy: pulumi.all([this.queue.arn, this.bucket.arn]).apply(([queueArn, bucketArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "UploadBucketNotifies",
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: {
                  ArnEquals: { "aws:SourceArn": bucketArn },
                  StringEquals: { "aws:SourceAccount": queueArn.split(":")[4] },
                },
              },
            ],
          } satisfies aws.iam.PolicyDocument),
        ),
      },
      child,
    );
    new aws.s3.BucketNotification(
      `${name}-notification`,
      { bucket, queues: [{ queueArn: this.queue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: args.prefix }] },
      // S3 checks it may send before it accepts the configuration.
      { ...child, dependsOn: [queuePolicy] },
    );
    this.registerOutputs({
      bucket: this.bucket.bucket,
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }
}
