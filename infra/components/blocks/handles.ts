/**
 * The narrow handles components take instead of flat ARNs and URLs: the resource itself fits
 * (an aws.s3.Bucket is a BucketHandle, an aws.sqs.Queue a QueueHandle), and a test or another
 * layer can pass plain values.
 */
import * as pulumi from "@pulumi/pulumi";

export interface BucketHandle {
  /** The bucket's name (for environments). */
  bucket: pulumi.Input<string>;
  /** The bucket's ARN (for grants). */
  arn: pulumi.Input<string>;
}

/** A bucket known by its name only (another layer's, or outside the platform): S3 ARNs hold no account or region. */
export function bucketNamed(bucket: pulumi.Input<string>): BucketHandle {
  return { bucket, arn: pulumi.interpolate`arn:aws:s3:::${bucket}` };
}

export interface QueueHandle {
  url: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}
