/**
 * The classification stack's data plane on an embedded AWS (moto server): upload bucket with
 * an S3 -> SQS notification, photo queue with a dead-letter queue, results table. The same
 * shapes the Pulumi stack deploys; used by the local run, the integration tests and the bench.
 */
import { randomBytes } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { EmbeddedAws } from "../../../scripts/embedded-aws";
import { environmentFor as apiEnvironment, type ApiSettings } from "../api/config";
import { BUILT_MODEL } from "../model/paths";
import { environmentFor as workerEnvironment, type WorkerSettings } from "../worker/config";

export interface PhotoEnvironmentOptions {
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  prefix?: string;
}

export interface PhotoEnvironment {
  aws: EmbeddedAws;
  bucket: string;
  prefix: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  tableName: string;
  token: string;
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  /** Environment of the API service pointed at this environment (the service's environmentFor). */
  apiEnv(settings?: Partial<ApiSettings>): Record<string, string>;
  /** Environment of a worker pointed at this environment and an API (the service's environmentFor). */
  workerEnv(apiUrl: string, settings?: Partial<WorkerSettings>): Record<string, string>;
}

export async function createPhotoEnvironment(
  aws: EmbeddedAws,
  options: PhotoEnvironmentOptions = {},
): Promise<PhotoEnvironment> {
  const suffix = randomBytes(4).toString("hex");
  const bucket = `photos-${suffix}`;
  const prefix = options.prefix ?? "uploads/";
  const tableName = `photos-${suffix}`;
  const s3 = new S3Client(aws.clientConfig());
  const sqs = new SQSClient(aws.clientConfig());
  const dynamodb = new DynamoDBClient(aws.clientConfig());

  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `photos-dlq-${suffix}`, Attributes: { MessageRetentionPeriod: "1209600" } }),
  );
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn as string;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `photos-${suffix}`,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
      },
    }),
  );
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn as string;

  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queueArn,
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: prefix }] } },
          },
        ],
      },
    }),
  );
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: "photoId", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "photoId", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );

  const token = randomBytes(24).toString("hex");
  return {
    aws,
    bucket,
    prefix,
    queueUrl: queue.QueueUrl as string,
    deadLetterQueueUrl: dlq.QueueUrl as string,
    tableName,
    token,
    s3,
    sqs,
    dynamodb,
    apiEnv: (settings = {}) => ({
      ...aws.env(),
      ...apiEnvironment({
        port: 0,
        opsPort: 0,
        host: "127.0.0.1",
        tableName,
        uploadBucket: bucket,
        uploadPrefix: prefix,
        workerToken: token,
        ...settings,
      }),
    }),
    workerEnv: (apiUrl, settings = {}) => ({
      ...aws.env(),
      ...workerEnvironment({
        queueUrl: queue.QueueUrl as string,
        deadLetterQueueUrl: dlq.QueueUrl as string,
        uploadBucket: bucket,
        uploadPrefix: prefix,
        apiUrl,
        apiToken: token,
        modelUri: BUILT_MODEL,
        metricsPort: 0,
        waitTimeSeconds: 1,
        ...settings,
      }),
    }),
  };
}
