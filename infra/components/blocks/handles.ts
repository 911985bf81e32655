/**
 * The narrow handles components take instead of flat ARNs and URLs: the resource itself fits
 * (an aws.s3.Bucket is a BucketHandle, an aws.sqs.Queue a QueueHandle), and a test or another
 * layer can pass plain values.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface BucketHandle {
  /** The bucket's name (for environments). */
  bucket: pulumi.Input<string>;
  /** The bucket's ARN (for grants). */
  arn: pulumi.Input<string>;
}

export interface QueueHandle {
  url: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}
